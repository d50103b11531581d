import Foundation
import ImageSync
import KubeClient
import KubeModel
import LabPool
import Logging
import Provisioning
import Simulation
import Templates
import Tenancy

/// Installs Virtyard's CustomResourceDefinitions into the cluster it drives when they are
/// missing, from the manifests carried in the binary (the same files as `deploy/crds/`).
///
/// Each definition lives beside the module that owns its kind (`Sources/<Module>/CRDs/`);
/// this is the one place that collects them all.
public struct CRDInstaller: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let resource = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)

    /// The manifests to install, each a CRD object.
    public let manifests: [JSONValue]

    public init(manifests: [JSONValue]) {
        self.manifests = manifests
    }

    /// The CRD files bundled with this build, from every module that owns kinds.
    public static var bundledFiles: [URL] {
        SimulationCRDs.files + ImageSyncCRDs.files + LabPoolCRDs.files + TenancyCRDs.files + TemplateCRDs.files
            + ProvisioningCRDs.files
    }

    /// The CRDs bundled with this build.
    public static func bundled() throws -> CRDInstaller {
        try CRDInstaller(files: bundledFiles)
    }

    /// Reads these manifest files (see ``ManifestFiles``), in order of file name whatever
    /// directory each is in; anything that is not a CRD is refused.
    public init(files: [URL]) throws {
        var documents: [ManifestFiles.Document] = []
        let byDirectory = Dictionary(grouping: files) { $0.deletingLastPathComponent().path }
        for (directory, files) in byDirectory {
            let names = Set(files.map(\.lastPathComponent))
            documents += try ManifestFiles.read(directory: directory).filter { names.contains($0.file) }
        }
        // Stable: the documents of one file keep their order.
        let ordered = documents.enumerated().sorted { ($0.element.file, $0.offset) < ($1.element.file, $1.offset) }
        try self.init(documents: ordered.map(\.element))
    }

    /// Reads every manifest of a directory (see ``ManifestFiles``); anything that is not a CRD
    /// is refused.
    public init(directory: String) throws {
        try self.init(documents: ManifestFiles.read(directory: directory))
    }

    private init(documents: [ManifestFiles.Document]) throws {
        var manifests: [JSONValue] = []
        for document in documents {
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
            // Read first: a service account that may only read CRDs (deploy/rbac.yaml; the
            // manifests install them) finds them without a refused create.
            let existing: JSONValue?
            do {
                existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.get(Self.resource, namespace: nil, name: name)
                }
            } catch {
                throw Failure(description: "cannot read CRD \(name): \(error)")
            }
            if existing != nil { continue }
            do {
                _ = try await api.create(Self.resource, namespace: nil, object: manifest, options: .default)
                created.append(name)
                logger.info("installed CRD", metadata: ["crd": "\(name)"])
            } catch {
                if error.code == 403 {
                    throw Failure(
                        description:
                            "CRD \(name) is missing and this account may not create it: Virtyard's own come with deploy/ (kubectl apply -k deploy/); KubeVirt's, CDI's and the snapshot CRDs with those projects (docs/deployment.md)"
                    )
                }
                guard error.isAlreadyExists else {
                    throw Failure(description: "cannot install CRD \(name): \(error)")
                }
            }
        }
        return created
    }
}
