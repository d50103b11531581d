import Foundation

/// The CustomResourceDefinitions of OpenShift's template kinds (`template.openshift.io/v1`:
/// Template, TemplateInstance), installed when the cluster does not serve them already.
public enum TemplateCRDs {
    /// The manifest files, in name order; empty if the resources are missing from the build.
    public static var files: [URL] {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
