import Foundation
import KubeClient
import KubeModel
import Logging

/// Installs Virtyard's CustomResourceDefinitions into the cluster it drives when they are
/// missing, from the manifests carried in the binary (the same files as `deploy/crds/`).
public struct CRDInstaller: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let resource = ResourceType(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
                                       kind: "CustomResourceDefinition", namespaced: false)

    /// The manifests to install, each a CRD object.
    public let manifests: [JSONValue]

    public init(manifests: [JSONValue]) {
        self.manifests = manifests
    }

    /// The CRDs bundled with this build.
    public static func bundled() throws -> CRDInstaller {
        guard let directory = Bundle.module.url(forResource: "CRDs", withExtension: nil) else {
            return CRDInstaller(manifests: [])
        }
        return try CRDInstaller(directory: directory.path)
    }

    /// Reads every manifest of a directory (see ``ManifestFiles``); anything that is not a CRD
    /// is refused.
    public init(directory: String) throws {
        var manifests: [JSONValue] = []
        for document in try ManifestFiles.read(directory: directory) {
            guard document.object.kind == "CustomResourceDefinition", document.object.name != nil else {
                throw Failure(description: "\(document.file): not a CustomResourceDefinition")
            }
            manifests.append(document.object)
        }
        self.manifests = manifests
    }

    /// Creates the CRDs the cluster lacks; leaves existing ones alone. Returns the names
    /// created.
    @discardableResult
    public func installMissing(into api: any KubernetesAPI, logger: Logger) async throws -> [String] {
        var created: [String] = []
        for manifest in manifests {
            let name = manifest.name ?? ""
            do {
                _ = try await api.create(Self.resource, namespace: nil, object: manifest, options: .default)
                created.append(name)
                logger.info("installed CRD", metadata: ["crd": "\(name)"])
            } catch {
                guard error.isAlreadyExists else {
                    throw Failure(description: "cannot install CRD \(name): \(error)")
                }
            }
        }
        return created
    }
}
