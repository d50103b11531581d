import Foundation

/// The CustomResourceDefinition of data-sync-operator's VMDiskImage (`crd.pelotech.ot`),
/// carried in this module's resources (`CRDs/`).
///
/// Each kind's definition lives beside the module that owns it; VirtyardServer's
/// `CRDInstaller.bundled()` collects every module's, and `deploy/crds/` links to them all.
public enum ImageSyncCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
