import Foundation

/// The CustomResourceDefinitions of the tenancy kinds (`virtyard.io`: Organization, User,
/// VDC), carried in this module's resources (`CRDs/`).
///
/// VirtyardServer's `CRDInstaller.bundled()` collects them with every other module's, and
/// `deploy/crds/` links to them.
public enum TenancyCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
