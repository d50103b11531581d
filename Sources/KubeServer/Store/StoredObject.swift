import KubeModel

/// An object as stored: the JSON tree, its compact encoding (sent to clients as is), and
/// the resourceVersion written into both.
public struct StoredObject: Sendable {
    public var object: JSONValue {
        didSet { apiVersion = object.apiVersion }
    }
    public var bytes: [UInt8]
    public var resourceVersion: Int64
    /// The object's `apiVersion`, read once: a list compares it for every item to decide
    /// whether the stored bytes can be sent as they are.
    public private(set) var apiVersion: String?

    public init(object: JSONValue, bytes: [UInt8], resourceVersion: Int64) {
        self.object = object
        self.bytes = bytes
        self.resourceVersion = resourceVersion
        apiVersion = object.apiVersion
    }
}

/// What a write does to one key, decided by the caller while it holds the store's lock,
/// so read-check-write sequences (optimistic concurrency, finalizers) are atomic.
public enum Mutation: Sendable {
    case put(JSONValue)
    case delete
    case unchanged
}

/// The outcome of a write: the object before and after (nil when absent).
public struct MutationResult: Sendable {
    public var before: StoredObject?
    public var after: StoredObject?
}
