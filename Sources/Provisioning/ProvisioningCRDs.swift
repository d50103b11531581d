import Foundation

/// The CustomResourceDefinitions of cluster provisioning (`virtyard.io/v1alpha1`:
/// ClusterDefinition, ClusterOperation), installed when the cluster does not serve them.
public enum ProvisioningCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
