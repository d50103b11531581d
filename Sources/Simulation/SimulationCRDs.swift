import Foundation

/// The CustomResourceDefinitions of the kinds Virtyard simulates in embedded mode, carried in
/// this module's resources (`CRDs/`): KubeVirt's (`kubevirt.io`, `snapshot.kubevirt.io`),
/// CDI's DataVolume and the CSI snapshot kinds (`snapshot.storage.k8s.io`). On a real cluster
/// the projects install their own; these are installed only where a kind is missing.
///
/// Each kind's definition lives beside the module that owns it; VirtyardServer's
/// `CRDInstaller.bundled()` collects every module's, and `deploy/crds/` links to them all.
public enum SimulationCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
