import KubeModel

/// A change an ``Informer`` saw, as delivered to its event handlers.
///
/// Handlers get the old object with every update so they can decide cheaply whether the change
/// matters (a status-only update, a new generation) before queueing anything.
public enum InformerEvent: Sendable, Equatable {
    /// A new object. `isInInitialList` is true for the objects of the first list (and for the
    /// replay a handler registered later receives), false for objects created afterwards.
    case added(JSONValue, isInInitialList: Bool)
    /// An object changed from `old` to `new`.
    case updated(old: JSONValue, new: JSONValue)
    /// An object is gone. `finalStateUnknown` is true when the deletion was inferred from a
    /// re-list, so the object is the last state the cache knew, not its state at deletion
    /// (client-go's `DeletedFinalStateUnknown`).
    case deleted(JSONValue, finalStateUnknown: Bool)

    /// The object the event is about: the new state for additions and updates, the last
    /// known state for deletions.
    public var object: JSONValue {
        switch self {
        case .added(let object, _), .updated(_, let object), .deleted(let object, _): return object
        }
    }

    /// The key of ``object``.
    public var key: ObjectKey? { ObjectKey(object) }
}
