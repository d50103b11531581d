import KubeModel
import Logging

/// An object every active namespace must hold (kube-controller-manager's `default`
/// ServiceAccount, the `kube-root-ca.crt` ConfigMap): created when missing, put back when
/// deleted or changed. Level-triggered: any change to namespaces or to the object's kind
/// starts a pass over every namespace.
struct PerNamespaceObject: Sendable {
    let store: ObjectStore
    let resource: APIResource
    let name: String
    /// The object as it must be in `namespace` (without uid or resourceVersion).
    let desired: @Sendable (_ namespace: String) -> JSONValue
    /// The fields a controller owns; a stored object that differs in them is rewritten.
    let ownedFields: [String]
    let logger: Logger

    /// Passes over every namespace after each relevant change, until cancelled.
    func run() async throws {
        let start = ObjectStore.WatchStart.after(store.currentResourceVersion)
        let namespaces = try store.watch(WatchFilter(resource: BuiltinResources.namespaces.groupResource), from: start)
        // Only writes to this object's name start a pass: a burst of other ConfigMaps (or
        // ServiceAccounts) must not cost a pass over every namespace each.
        let objects = try store.watch(WatchFilter(resource: resource.groupResource, name: name), from: start)
        await reconcileAll()
        // Changes that come during a pass are folded into one more pass: the pass reads
        // everything afresh, so a burst of namespaces costs two passes, not one per namespace.
        let (passes, requestPass) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for stream in [namespaces, objects] {
                group.addTask {
                    for await _ in stream { requestPass.yield() }
                    requestPass.finish()
                }
            }
            group.addTask {
                for await _ in passes {
                    try Task.checkCancellation()
                    await reconcileAll()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func reconcileAll() async {
        for (slot, namespace) in store.sortedEntries(BuiltinResources.namespaces.groupResource).entries
        where !namespace.metadata.isTerminating {
            let namespaceName = slot.name
            do {
                try await reconcile(namespace: namespaceName)
            } catch {
                logger.warning(
                    "could not ensure a per-namespace object",
                    metadata: ["resource": "\(resource.resource)", "namespace": "\(namespaceName)", "error": "\(error)"])
            }
        }
    }

    func reconcile(namespace: String) async throws(APIError) {
        let key = StorageKey(resource.groupResource, namespace: namespace, name: name)
        let wanted = desired(namespace)
        if let current = store.get(key)?.object {
            guard current.deletionTimestamp == nil, ownedFields.contains(where: { current[$0] != wanted[$0] }) else { return }
        } else {
            var candidate = wanted
            _ = try ObjectAdmission(store: store).prepareCreate(
                &candidate, resource: resource, namespace: namespace, fieldValidation: .ignore)
            let admitted = candidate
            // The pass listed namespaces a while ago: one deleted (or dropped by a restore)
            // since must not get an object it can never lose.
            let namespaceKey = StorageKey(BuiltinResources.namespaces.groupResource, name: namespace)
            guard let owner = store.get(namespaceKey), !owner.metadata.isTerminating else { return }
            try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                current == nil ? .put(admitted) : .unchanged
            }
            return
        }
        let fields = ownedFields
        try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object, object.deletionTimestamp == nil else { return .unchanged }
            var changed = false
            for field in fields where object[field] != wanted[field] {
                object[field] = wanted[field]
                changed = true
            }
            return changed ? .put(object) : .unchanged
        }
    }
}
