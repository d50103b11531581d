import KubeModel

/// What one namespace holds, counted as the store writes, so that namespace termination
/// reads it in constant time instead of listing the namespace on every event (which made
/// deleting a namespace of n objects cost n²).
struct NamespaceContent: Sendable, Equatable {
    /// How many objects of each resource the namespace holds; resources with none are absent.
    private(set) var objects: [GroupResource: Int] = [:]
    /// How many of them have no deletionTimestamp yet.
    private(set) var notDeleting = 0
    /// How many of them carry each finalizer; finalizers on none are absent.
    private(set) var finalizers: [String: Int] = [:]

    var isEmpty: Bool { objects.isEmpty }

    mutating func add(_ resource: GroupResource, _ object: StoredMetadata) { count(resource, object, by: 1) }

    mutating func remove(_ resource: GroupResource, _ object: StoredMetadata) { count(resource, object, by: -1) }

    private mutating func count(_ resource: GroupResource, _ object: StoredMetadata, by delta: Int) {
        let objectCount = objects[resource, default: 0] + delta
        objects[resource] = objectCount > 0 ? objectCount : nil
        if !object.isTerminating { notDeleting += delta }
        // An object counts once per finalizer, however often it lists it.
        for finalizer in Set(object.finalizers) {
            let holding = finalizers[finalizer, default: 0] + delta
            finalizers[finalizer] = holding > 0 ? holding : nil
        }
    }
}

/// A namespace that exists is active until its deletion starts, then terminating until its
/// content is gone; nothing new may be created in it meanwhile.
public enum NamespaceLifecycle: Sendable, Equatable {
    case active
    case terminating

    init(_ namespace: StoredMetadata) { self = namespace.isTerminating ? .terminating : .active }
}
