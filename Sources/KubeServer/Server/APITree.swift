import Foundation
import KubeModel
import Logging

/// One Kubernetes API tree: its objects, the kinds it serves (built-in and from its CRDs),
/// and the controllers that live inside an API server (garbage collection, namespace
/// termination, CRD establishment). The embedded server is one tree; each virtual cluster
/// is another, isolated from the rest.
final class APITree: Sendable {
    let store: ObjectStore
    let registry: ResourceRegistry
    let crds: CRDController
    let garbageCollector: GarbageCollector
    let clusterRoleAggregator: ClusterRoleAggregator
    /// Signs and checks the TokenRequest API's tokens for this tree only.
    let serviceAccountTokens: ServiceAccountTokens
    /// The `default` ServiceAccount and `kube-root-ca.crt` ConfigMap in every namespace.
    let perNamespaceObjects: [PerNamespaceObject]

    init(
        persistence: (any Persistence)?, historyLimit: Int, historyByteLimit: Int = 256 << 20, quota: StoreQuota? = nil,
        rootCAPEM: String? = nil, serviceAccountKeyPath: String? = nil, namespaceDefaults: Bool = true,
        logger: Logger
    ) throws {
        store = try ObjectStore(
            persistence: persistence, historyLimit: historyLimit, historyByteLimit: historyByteLimit,
            quota: quota)
        for record in store.quarantined {
            logger.error(
                "a stored object could not be read back and was moved to the quarantined_objects table",
                metadata: ["key": "\(record.key)", "reason": "\(record.reason)"])
        }
        registry = ResourceRegistry()
        crds = CRDController(store: store, registry: registry, logger: logger)
        crds.registerStored()
        garbageCollector = GarbageCollector(store: store, registry: registry, crds: crds, logger: logger)
        clusterRoleAggregator = ClusterRoleAggregator(store: store, logger: logger)
        let store = self.store
        let registry = self.registry
        serviceAccountTokens = ServiceAccountTokens(
            store: store, key: try ServiceAccountTokens.signingKey(at: serviceAccountKeyPath))
        perNamespaceObjects =
            namespaceDefaults
            ? [
                ServiceAccountController.make(store: store, registry: registry, logger: logger),
                rootCAPEM.flatMap { RootCAPublisher.make(store: store, registry: registry, caPEM: $0, logger: logger) },
            ].compactMap { $0 } : []
    }

    /// The REST façade over this tree, admitting the tokens of `authenticator`.
    func responder(authenticator: TokenAuthenticator, servedVersion: ServedVersion? = nil, logger: Logger) -> KubeAPIResponder {
        let crds = self.crds
        var handler = ResourceHandler(store: store, registry: registry, onCRDWritten: { await crds.sync($0) })
        handler.serviceAccountTokens = serviceAccountTokens
        var authenticator = authenticator
        authenticator.serviceAccounts = serviceAccountTokens
        return KubeAPIResponder(
            handler: handler, discovery: Discovery(registry: registry, servedVersion: servedVersion),
            openAPI: OpenAPIDocuments(registry: registry), authenticator: authenticator, logger: logger)
    }

    /// The in-server controllers, until cancelled.
    func runControllers() async throws {
        let garbageCollector = self.garbageCollector
        let clusterRoleAggregator = self.clusterRoleAggregator
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await garbageCollector.collectOrphans()
                try await garbageCollector.run()
            }
            group.addTask { try await clusterRoleAggregator.run() }
            for controller in self.perNamespaceObjects { group.addTask { try await controller.run() } }
            try await group.next()
            group.cancelAll()
        }
    }

    /// What a new cluster has before anyone writes to it: its namespaces, kube-apiserver's
    /// bootstrap RBAC policy and the `kubernetes` Service.
    func ensureDefaultNamespaces(apiServerAddress: String = "127.0.0.1") async throws {
        try await BootstrapPolicy.ensure(in: store)
        let admission = ObjectAdmission()
        for name in KubeAPIServer.defaultNamespaces {
            let key = StorageKey(BuiltinResources.namespaces.groupResource, name: name)
            guard store.get(key) == nil else { continue }
            var namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            _ = try admission.prepareCreate(
                &namespace, resource: BuiltinResources.namespaces, namespace: nil,
                fieldValidation: .strict)
            let candidate = namespace
            try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                current == nil ? .put(candidate) : .unchanged
            }
        }
        try await ensureKubernetesService(apiServerAddress: apiServerAddress)
    }

    /// `default/kubernetes`, as kube-apiserver keeps it (``KubernetesService``).
    func ensureKubernetesService(apiServerAddress: String) async throws {
        for entry in KubernetesService.objects(apiServerAddress: apiServerAddress) {
            try await createIfMissing(entry.object, group: entry.group, version: entry.version, resource: entry.resource)
        }
    }

    /// Creates `object` (of the built-in or CRD resource named), admitted as a client's create
    /// would be, unless one of that name exists.
    func createIfMissing(_ object: JSONValue, group: String, version: String, resource: String) async throws {
        guard let type = registry.lookup(group: group, version: version, resource: resource) else {
            throw VirtualClusters.Failure(description: "no resource \(resource) in \(group)/\(version)")
        }
        var candidate = object
        let namespace = type.namespaced ? (object.namespace ?? "default") : nil
        let key = StorageKey(type.groupResource, namespace: namespace ?? "", name: candidate.name ?? "")
        guard store.get(key) == nil else { return }
        _ = try ObjectAdmission(store: store).prepareCreate(&candidate, resource: type, namespace: namespace, fieldValidation: .ignore)
        let admitted = candidate
        try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            current == nil ? .put(admitted) : .unchanged
        }
    }
}
