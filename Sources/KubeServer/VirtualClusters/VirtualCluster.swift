import Foundation
import KubeModel
import Logging
import Synchronization

/// An isolated Kubernetes API tree inside the embedded server, served under
/// `/clusters/<id>/`: its own objects, CRDs, namespaces and garbage collector, and its own
/// tokens. kubectl uses it like any cluster (`server: https://<host>:<port>/clusters/<id>`).
///
/// With a data directory its objects persist in `<data>/clusters/<id>.db`, like the main
/// tree's, so a virtual cluster survives a restart of the server.
public final class VirtualCluster: Sendable {
    public let id: String
    /// Who may call this cluster; nothing else reaches it (the server's admin token neither).
    public let tokens: TokenSet
    /// The version `/version` reports; the server's own until set.
    public let servedVersion = ServedVersion()
    let tree: APITree
    let responder: KubeAPIResponder
    /// The tree's own controllers (garbage collection, namespaces, ServiceAccounts), stopped
    /// while a restore runs.
    private let controllers = Mutex<Task<Void, Never>?>(nil)

    /// A virtual cluster keeps a shorter watch history than the host: its clients are a lab
    /// student's kubectl and a few controllers.
    static let historyByteLimit = 16 << 20

    init(
        id: String, tokens: TokenSet, persistence: (any Persistence)?, historyLimit: Int, quota: StoreQuota?,
        rootCAPEM: String? = nil, serviceAccountKeyPath: String? = nil, logger: Logger
    ) throws {
        self.id = id
        self.tokens = tokens
        let tree = try APITree(
            persistence: persistence, historyLimit: historyLimit, historyByteLimit: Self.historyByteLimit,
            quota: quota, rootCAPEM: rootCAPEM, serviceAccountKeyPath: serviceAccountKeyPath, logger: logger)
        self.tree = tree
        var clusterLogger = logger
        clusterLogger[metadataKey: "cluster"] = "\(id)"
        responder = tree.responder(
            authenticator: TokenAuthenticator(tokenSet: tokens), servedVersion: servedVersion, logger: clusterLogger)
        startControllers()
    }

    public var store: ObjectStore { tree.store }

    func stop() async {
        tree.store.closeAllWatches()
        await stopControllers()
    }

    private func startControllers() {
        let tree = self.tree
        controllers.withLock { task in
            guard task == nil else { return }
            task = Task { try? await tree.runControllers() }
        }
    }

    private func stopControllers() async {
        let task = controllers.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        _ = await task?.result
    }

    /// Creates `object` (of the built-in or CRD resource named) unless one of that name exists:
    /// how the host puts in what a real cluster has from the start (its nodes).
    public func createIfMissing(_ object: JSONValue, group: String, version: String, resource: String) async throws {
        try await tree.createIfMissing(object, group: group, version: version, resource: resource)
    }

    /// Every object of the cluster as it is now: what a restore brings back.
    public func snapshot() -> Snapshot {
        Snapshot(objects: tree.store.allStoredObjects().map { Snapshot.Entry(key: $0.key, encoded: $0.object.bytes) })
    }

    /// Brings the cluster back to `snapshot`: objects written since are deleted, objects
    /// changed or deleted since are put back. Watchers see each change as an event, as a
    /// real cluster restored from an etcd backup would not — but clients that keep caches
    /// (informers, kubectl get -w) stay consistent. CRDs come back with their served kinds.
    public func restore(_ snapshot: Snapshot) async throws {
        // Nothing of the cluster's own may write meanwhile (a namespace's `default`
        // ServiceAccount into a namespace being removed); they start again on the result.
        await stopControllers()
        defer { startControllers() }
        let wanted = Dictionary(snapshot.objects.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let crdResource = BuiltinResources.customResourceDefinitions.groupResource
        // Custom resources first, their definitions last, so no kind disappears under its objects.
        let current = tree.store.allStoredObjects().sorted {
            ($0.key.resource == crdResource ? 1 : 0) < ($1.key.resource == crdResource ? 1 : 0)
        }
        for entry in current where wanted[entry.key] == nil {
            _ = try await tree.store.mutate(entry.key) { _ in .delete }
            if entry.key.resource == crdResource { tree.crds.unregister(entry.object.object) }
        }
        // Definitions first on the way back.
        let ordered = snapshot.objects.sorted { ($0.key.resource == crdResource ? 0 : 1) < ($1.key.resource == crdResource ? 0 : 1) }
        for entry in ordered {
            let object = entry.object
            _ = try await tree.store.mutate(entry.key) { (existing: StoredObject?) throws(APIError) -> Mutation in
                // Untouched since the snapshot: the very bytes it holds.
                if let existing, existing.bytes == entry.encoded { return .unchanged }
                var stored = existing?.object
                stored?.resourceVersion = nil
                return stored == object ? .unchanged : .put(object)
            }
            if entry.key.resource == crdResource { await tree.crds.sync(object) }
        }
    }

    /// A virtual cluster's objects at one moment.
    public struct Snapshot: Sendable {
        /// One object, kept encoded: a snapshot taken from a store shares the store's bytes
        /// until the object changes, so a kept snapshot costs next to nothing.
        public struct Entry: Sendable {
            public var key: StorageKey
            /// The object's encoding, possibly with the resourceVersion it had when taken.
            let encoded: [UInt8]

            public init(key: StorageKey, object: JSONValue) {
                var object = object
                object.resourceVersion = nil
                self.init(key: key, encoded: object.serialized())
            }

            init(key: StorageKey, encoded: [UInt8]) {
                self.key = key
                self.encoded = encoded
            }

            /// The object without a resourceVersion (parsed on each read).
            public var object: JSONValue {
                var object = (try? JSONValue(parsing: encoded)) ?? .object([:])
                object.resourceVersion = nil
                return object
            }
        }

        public var objects: [Entry]

        public var count: Int { objects.count }

        /// `[{"group", "resource", "namespace", "name", "object"}, …]`, to keep on disk.
        public var json: JSONValue {
            .array(
                objects.map { entry in
                    [
                        "group": .string(entry.key.resource.group), "resource": .string(entry.key.resource.resource),
                        "namespace": .string(entry.key.namespace), "name": .string(entry.key.name), "object": entry.object,
                    ]
                })
        }

        public init(json: JSONValue) throws {
            guard let items = json.arrayValue else { throw VirtualClusters.Failure(description: "a snapshot is a JSON array") }
            objects = try items.map { item in
                guard let group = item["group"]?.stringValue, let resource = item["resource"]?.stringValue,
                    let name = item["name"]?.stringValue, let object = item["object"]
                else {
                    throw VirtualClusters.Failure(description: "a snapshot entry lacks group, resource, name or object")
                }
                return Entry(
                    key: StorageKey(
                        GroupResource(group: group, resource: resource),
                        namespace: item["namespace"]?.stringValue ?? "", name: name),
                    object: object)
            }
        }

        init(objects: [Entry]) {
            self.objects = objects
        }
    }
}
