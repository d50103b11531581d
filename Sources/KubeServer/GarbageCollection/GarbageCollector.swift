import Foundation
import KubeModel
import Logging

/// The controllers that live inside the API server in Kubernetes' control plane: owner-
/// reference garbage collection (background, foreground, orphan), namespace termination,
/// and the clean-up of custom resources when their definition is deleted.
///
/// Level-triggered: events only say which objects to look at; each look reads the store
/// as it is now. A periodic resync retries work that could not finish (objects still held
/// by finalizers).
final class GarbageCollector: Sendable {
    let store: ObjectStore
    let registry: ResourceRegistry
    let crds: CRDController
    let logger: Logger
    let resyncInterval: Duration

    init(
        store: ObjectStore, registry: ResourceRegistry, crds: CRDController, logger: Logger,
        resyncInterval: Duration = .seconds(2)
    ) {
        self.store = store
        self.registry = registry
        self.crds = crds
        self.logger = logger
        self.resyncInterval = resyncInterval
    }

    func run() async throws {
        let events = try store.watch(
            WatchFilter(resource: nil, wants: Self.needsAttention), from: .after(store.currentResourceVersion))
        await resync()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { await self.handle(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: self.resyncInterval)
                    await self.resync()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    // MARK: Events

    /// The writes `handle` acts on: deletions, objects being deleted, and objects with
    /// owners. Every other write (most creates and updates) is not sent to the collector.
    static func needsAttention(_ event: StoreEvent) -> Bool {
        let metadata = event.object.metadata
        return event.kind == .deleted || metadata.isTerminating || !metadata.ownerUIDs.isEmpty
    }

    func handle(_ event: WatchEvent) async {
        guard let key = event.key else { return }
        // Every write in the store comes through here: the stored metadata decides, and only
        // what needs more is parsed.
        let metadata = event.object.metadata
        switch event.kind {
        case .deleted:
            if let uid = metadata.uid { await collectDependents(ofDeleted: uid) }
            await recheckOwners(metadata.ownerUIDs)
            if !key.namespace.isEmpty { await finishNamespaceIfEmpty(key.namespace) }
            if key.resource == BuiltinResources.customResourceDefinitions.groupResource {
                crds.unregister(event.object.object)
            }
        case .added, .modified:
            if metadata.isTerminating {
                await processDeletion(key, event.object)
            } else if !metadata.ownerUIDs.isEmpty, metadata.ownerUIDs.allSatisfy({ store.key(forUID: $0) == nil }) {
                // Written with owners that are already gone (a controller acting on a stale
                // cache): collected at once, as kube's garbage collector does with absent owners.
                await deleteQuietly(key)
            }
        case .bookmark:
            break
        }
    }

    /// Re-examines everything being deleted.
    func resync() async {
        for (key, stored) in store.terminatingObjects() {
            await processDeletion(key, stored)
        }
    }

    /// Orphans whose owners are all gone (found after a restart) are collected too.
    func collectOrphans() async {
        for resource in registry.storedResources() {
            for (slot, item) in store.sortedEntries(resource.groupResource).entries where !item.metadata.ownerUIDs.isEmpty {
                if item.metadata.ownerUIDs.allSatisfy({ store.key(forUID: $0) == nil }) {
                    await deleteQuietly(StorageKey(resource.groupResource, namespace: slot.namespace, name: slot.name))
                }
            }
        }
    }

    /// What an object being deleted still needs: read from its stored metadata, parsed only
    /// for a CRD whose custom resources are to be cleaned up.
    private func processDeletion(_ key: StorageKey, _ stored: StoredObject) async {
        if key.resource == BuiltinResources.namespaces.groupResource {
            await terminateNamespace(key.name)
            return
        }
        let finalizers = stored.metadata.finalizers
        if key.resource == BuiltinResources.customResourceDefinitions.groupResource,
            finalizers.contains(ObjectAdmission.finalizerCRDCleanup)
        {
            await cleanUpCustomResources(of: key, stored.object)
        }
        guard let uid = stored.metadata.uid else { return }
        if finalizers.contains(ObjectAdmission.finalizerOrphan) {
            for dependent in store.dependents(ofUID: uid) {
                _ = try? await store.mutate(dependent) { (current: StoredObject?) throws(APIError) -> Mutation in
                    guard var child = current?.object else { return .unchanged }
                    child.ownerReferences = child.ownerReferences.filter { $0.uid != uid }
                    return .put(child)
                }
            }
            await removeFinalizer(ObjectAdmission.finalizerOrphan, from: key)
        }
        if finalizers.contains(ObjectAdmission.finalizerForeground) {
            let dependents = store.dependents(ofUID: uid)
            if dependents.isEmpty {
                await removeFinalizer(ObjectAdmission.finalizerForeground, from: key)
            } else {
                for dependent in dependents {
                    await deleteQuietly(dependent, policy: "Foreground")
                }
            }
        }
    }

    private func collectDependents(ofDeleted uid: String) async {
        for dependent in store.dependents(ofUID: uid) {
            guard let child = store.get(dependent)?.metadata else { continue }
            let remaining = child.ownerUIDs.filter { $0 != uid && store.key(forUID: $0) != nil }
            if remaining.isEmpty { await deleteQuietly(dependent) }
        }
    }

    /// A dependent going away may let a foreground-deleting owner finish.
    private func recheckOwners(_ ownerUIDs: [String]) async {
        for owner in ownerUIDs {
            guard let ownerKey = store.key(forUID: owner), let stored = store.get(ownerKey), stored.metadata.isTerminating
            else { continue }
            await processDeletion(ownerKey, stored)
        }
    }

    // MARK: Namespaces

    /// Deletes the namespace's content. Every event of a terminating namespace comes here (its
    /// own condition writes among them), so the content is listed only while some of it has
    /// not been deleted yet: after that, each event costs a count.
    private func terminateNamespace(_ namespace: String) async {
        if store.content(ofNamespace: namespace).notDeleting > 0 {
            for resource in store.resources(inNamespace: namespace) {
                for (slot, item) in store.sortedEntries(resource, namespace: namespace).entries where !item.metadata.isTerminating {
                    await deleteQuietly(StorageKey(resource, namespace: namespace, name: slot.name))
                }
            }
        }
        await finishNamespaceIfEmpty(namespace)
    }

    private func finishNamespaceIfEmpty(_ namespace: String) async {
        let key = StorageKey(BuiltinResources.namespaces.groupResource, name: namespace)
        guard let stored = store.get(key), stored.metadata.isTerminating else { return }
        let remaining = store.content(ofNamespace: namespace)
        guard remaining.isEmpty else {
            await reportRemainingContent(remaining, key: key)
            return
        }
        _ = try? await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object, object.deletionTimestamp != nil else { return .unchanged }
            let specFinalizers = (object[path: ["spec", "finalizers"]]?.arrayValue ?? []).filter { $0 != "kubernetes" }
            object[path: ["spec", "finalizers"]] = specFinalizers.isEmpty ? nil : .array(specFinalizers)
            if specFinalizers.isEmpty && object.finalizers.isEmpty { return .delete }
            return .put(object)
        }
    }

    /// What the namespace controller writes while content stays behind (`kubectl describe ns`
    /// shows it): which resources remain, and which finalizers hold them. From the store's
    /// counts: it runs on every event in the namespace.
    private func reportRemainingContent(_ content: NamespaceContent, key: StorageKey) async {
        let counts = content.objects.map { (name: "\($0.key.resource).\($0.key.group)", count: $0.value) }
            .sorted { $0.name < $1.name }.map { "\($0.name) has \($0.count) resource instances" }
        let held = content.finalizers.keys.sorted().map { "\($0) in \(content.finalizers[$0] ?? 0) resource instances" }
        let conditions: [(type: String, status: String, reason: String, message: String)] = [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            (
                "NamespaceDeletionContentFailure", "False", "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization"
            ),
            ("NamespaceContentRemaining", "True", "SomeResourcesRemain", "Some resources are remaining: " + counts.joined(separator: ", ")),
            held.isEmpty
                ? ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")
                : (
                    "NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
                    "Some content in the namespace has finalizers remaining: " + held.joined(separator: ", ")
                ),
        ]
        _ = try? await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object, object.deletionTimestamp != nil else { return .unchanged }
            let existing = object[path: ["status", "conditions"]]?.arrayValue ?? []
            let written: [JSONValue] = conditions.map { condition in
                let previous = existing.first { $0["type"]?.stringValue == condition.type }
                let unchanged = previous?["status"]?.stringValue == condition.status
                return [
                    "type": .string(condition.type), "status": .string(condition.status),
                    "reason": .string(condition.reason), "message": .string(condition.message),
                    "lastTransitionTime": unchanged
                        ? (previous?["lastTransitionTime"] ?? .string(Timestamp.now())) : .string(Timestamp.now()),
                ]
            }
            guard written != existing else { return .unchanged }
            object[path: ["status", "conditions"]] = .array(written)
            return .put(object)
        }
    }

    // MARK: Custom resources

    private func cleanUpCustomResources(of key: StorageKey, _ crd: JSONValue) async {
        for resource in CRDValidation.resources(of: crd).prefix(1) {
            for (slot, item) in store.sortedEntries(resource.groupResource).entries where !item.metadata.isTerminating {
                await deleteQuietly(StorageKey(resource.groupResource, namespace: slot.namespace, name: slot.name))
            }
            if store.count(resource.groupResource) == 0 {
                await removeFinalizer(ObjectAdmission.finalizerCRDCleanup, from: key)
            }
        }
    }

    // MARK: Helpers

    private func removeFinalizer(_ finalizer: String, from key: StorageKey) async {
        do {
            try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                guard var object = current?.object, object.finalizers.contains(finalizer) else { return .unchanged }
                object.finalizers = object.finalizers.filter { $0 != finalizer }
                if object.deletionTimestamp != nil, object.finalizers.isEmpty,
                    object[path: ["spec", "finalizers"]]?.arrayValue?.isEmpty ?? true
                {
                    return .delete
                }
                return .put(object)
            }
        } catch {
            logger.warning(
                "could not remove finalizer",
                metadata: [
                    "object": "\(key)", "finalizer": "\(finalizer)",
                    "error": "\(error)",
                ])
        }
    }

    private func deleteQuietly(_ key: StorageKey, policy: String = "Background") async {
        guard let resource = registry.storedResources().first(where: { $0.groupResource == key.resource }) else { return }
        let options = ResourceHandler.DeleteOptions(propagationPolicy: policy)
        do {
            _ = try await ResourceHandler.delete(key, resource: resource, options: options, in: store)
        } catch  where error.code == 404 {
            // Already gone.
        } catch {
            logger.warning("garbage collection could not delete", metadata: ["object": "\(key)", "error": "\(error)"])
        }
    }
}
