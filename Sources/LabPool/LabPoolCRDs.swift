import Foundation

/// The CustomResourceDefinitions of the lab kinds (`virtyard.io`: LabPool, LabCluster,
/// LabSession, LabScenario), carried in this module's resources (`CRDs/`).
///
/// Each kind's definition lives beside the module that owns it; VirtyardServer's
/// `CRDInstaller.bundled()` collects every module's, and `deploy/crds/` links to them all.
public enum LabPoolCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
