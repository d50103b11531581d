import KubeClient
import KubeModel
import Logging

/// Catalogs, catalog items, vApps and tasks, read from and written to the Kubernetes API on
/// every request (nothing is cached: a Template applied with kubectl is a catalog item at
/// the next request). Visibility is the callers' (routes') business; this type answers for
/// whatever id it is given.
struct VAppStore: Sendable {
    let directory: any TenantDirectory
    let backend: any VAppBackend
    let logger: Logger

    /// Where catalog items come from, as ssvirt reads them.
    static let templateNamespace = "openshift"
    static let templateVersionLabel = "template.kubevirt.io/version"
    static let containerDisksAnnotation = "template.kubevirt.io/containerdisks"
    /// A Template with this annotation is in the catalogs of that name only (else in every one).
    static let catalogAnnotation = "catalog.virtyard.io/name"
    /// The label every object of a vApp carries (ssvirt's), valued with its object name.
    static let vAppLabel = "vapp.ssvirt"
    static let vAppIDLabel = "virtyard.io/vapp-id"
    static let organizationIDLabel = "virtyard.io/organization-id"
    static let vdcIDLabel = "virtyard.io/vdc-id"
    static let managedByLabel = "app.kubernetes.io/managed-by"

    // MARK: Kubernetes calls, with failures in Cloud Director's terms

    func api() async throws(VCDError) -> any KubernetesAPI { try await backend.vAppAPI() }

    /// One object; nil when absent.
    func get(_ resource: ResourceType, _ namespace: String?, _ name: String) async throws(VCDError) -> JSONValue? {
        let api = try await api()
        do {
            return try await api.get(resource, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return nil }
            throw unavailable("read \(resource.resource)", error)
        }
    }

    /// Every object matching `selector`; empty when the kind is not served (no Template CRD yet).
    func list(_ resource: ResourceType, _ namespace: String?, selector: String? = nil) async throws(VCDError) -> [JSONValue] {
        let api = try await api()
        do {
            return try await api.list(resource, namespace: namespace, options: ListOptions(labelSelector: selector)).items
        } catch {
            if error.isNotFound { return [] }
            throw unavailable("list \(resource.resource)", error)
        }
    }

    /// Creates an object; a taken name is `duplicate`, an object the API refuses a 400.
    @discardableResult
    func create(_ resource: ResourceType, _ namespace: String?, _ object: JSONValue, duplicate: @autoclosure () -> VCDError)
        async throws(VCDError) -> JSONValue
    {
        let api = try await api()
        do {
            return try await api.create(resource, namespace: namespace, object: object)
        } catch {
            if error.isAlreadyExists { throw duplicate() }
            if error.code == 422 || error.code == 400 {
                throw .badRequest("The cluster refused the \(resource.kind): \(error.message.prefix(400))")
            }
            if error.isNotFound {
                logger.error("cannot create \(resource.resource): not served", metadata: ["error": "\(error)"])
                throw .unavailable("The cluster does not serve \(resource.description) (or namespace \(namespace ?? "") is missing).")
            }
            throw unavailable("create \(resource.resource)", error)
        }
    }

    /// Merge-patches an object; false when it is gone.
    @discardableResult
    func patch(_ resource: ResourceType, _ namespace: String?, _ name: String, _ patch: JSONValue) async throws(VCDError) -> Bool {
        let api = try await api()
        do {
            _ = try await api.patch(resource, namespace: namespace, name: name, patch: patch)
            return true
        } catch {
            if error.isNotFound { return false }
            if error.code == 422 || error.code == 400 {
                throw .badRequest("The cluster refused the change of \(resource.kind) \(name): \(error.message.prefix(400))")
            }
            throw unavailable("patch \(resource.resource)", error)
        }
    }

    /// Deletes an object; absent already is fine.
    func delete(_ resource: ResourceType, _ namespace: String?, _ name: String) async throws(VCDError) {
        let api = try await api()
        do {
            _ = try await api.delete(resource, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return }
            throw unavailable("delete \(resource.resource)", error)
        }
    }

    private func unavailable(_ what: String, _ error: KubeClientError) -> VCDError {
        logger.error("cannot \(what)", metadata: ["error": "\(error)"])
        return .unavailable("The tenancy store cannot \(what).")
    }

    static func labels(_ object: JSONValue) -> [String: String] {
        (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    static func annotations(_ object: JSONValue) -> [String: String] {
        (object["metadata"]?["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    static func created(_ object: JSONValue) -> String {
        object["metadata"]?["creationTimestamp"]?.stringValue ?? VAppIDs.now()
    }
}
