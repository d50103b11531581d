import KubeModel

/// An object as stored: its compact encoding (sent to clients as is), the resourceVersion
/// written into it, and the few fields the store's indexes read.
///
/// The parsed tree is not kept. A tree of small dictionaries costs about five times the
/// encoding, and most stored objects are only ever sent as bytes; ``object`` parses on
/// demand, once per use, for the paths that read or change fields.
public struct StoredObject: Sendable {
    public let bytes: [UInt8]
    public let resourceVersion: Int64
    /// The object's `apiVersion`, read once: a list compares it for every item to decide
    /// whether the stored bytes can be sent as they are.
    public let apiVersion: String?
    /// What the store's indexes and garbage collection read, kept so that neither parses.
    public let metadata: StoredMetadata
    /// The tree, when the store handed this copy out with one it had at hand (the writer's
    /// own, or one of its recent trees). Never set on what the store keeps.
    var tree: JSONValue? {
        get { heldTree?.value }
        set { heldTree = newValue.map(HeldTree.init) }
    }
    /// Boxed: an optional tree inline would add 17 bytes to every stored object and event.
    private var heldTree: HeldTree?

    /// `bytes` must be `object` encoded (the store writes both from the same tree).
    public init(object: JSONValue, bytes: [UInt8], resourceVersion: Int64) {
        self.bytes = bytes
        heldTree = nil
        self.resourceVersion = resourceVersion
        apiVersion = object.apiVersion
        metadata = StoredMetadata(object)
    }

    /// `bytes` must be `encoded`'s encoding with `resourceVersion` written in.
    init(encoded: EncodedObject, bytes: [UInt8], resourceVersion: Int64) {
        self.bytes = bytes
        heldTree = nil
        self.resourceVersion = resourceVersion
        apiVersion = encoded.apiVersion
        metadata = encoded.metadata
    }

    /// What a reader of only `paths` needs: the tree when this copy has one, else the
    /// object parsed along `paths` (the whole object when `paths` is nil).
    public func object(along paths: JSONPathSet?) -> JSONValue {
        if let tree { return tree }
        if let paths, let partial = try? JSONValue(parsing: bytes, keeping: paths) { return partial }
        return object
    }

    /// The object, parsed from its encoding (unless this copy came with its tree). A read
    /// may parse: hold on to the result rather than reading this in a loop.
    public var object: JSONValue {
        if let tree { return tree }
        guard !bytes.isEmpty else { return .object([:]) }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            // The store wrote these bytes from a tree it had bounded (or read them back and
            // parsed them at start-up), so they always parse.
            assertionFailure("stored bytes did not parse: \(error)")
            return .object([:])
        }
    }
}

private final class HeldTree: Sendable {
    let value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }
}

/// The fields of a stored object that its indexes depend on: an object's uid, whether it is
/// being deleted, its owners and its finalizers.
public struct StoredMetadata: Sendable, Equatable {
    public let uid: String?
    public let isTerminating: Bool
    /// The uids its ownerReferences name, in order.
    public let ownerUIDs: [String]
    public let finalizers: [String]

    init(_ object: JSONValue) {
        uid = object.uid
        isTerminating = object.deletionTimestamp != nil
        ownerUIDs = object.ownerReferences.map(\.uid)
        finalizers = object.finalizers
    }
}

/// What a write does to one key, decided by the caller while it holds the store's lock,
/// so read-check-write sequences (optimistic concurrency, finalizers) are atomic.
public enum Mutation: Sendable {
    case put(JSONValue)
    /// A put whose object was encoded before the lock was taken (``ObjectStore/encode(_:key:)``).
    case putEncoded(EncodedObject)
    case delete
    case unchanged
}

/// An object encoded for the store ahead of its write, outside the store's lock, with its
/// resourceVersion left blank: under the lock the store only writes the version in. The
/// encoding is the larger part of a write's work, and every other write waits for the lock.
public struct EncodedObject: Sendable {
    /// The tree; its resourceVersion is set when the write gets one.
    var object: JSONValue
    let encoding: [UInt8]
    /// Where in `encoding` the resourceVersion's `""` is.
    let slot: Int
    let apiVersion: String?
    let metadata: StoredMetadata

    /// The encoding with `version` written in.
    func bytes(resourceVersion version: Int64) -> [UInt8] {
        JSONValue.filling(encoding, slot: slot, resourceVersion: version)
    }
}

/// The outcome of a write: the object before and after (nil when absent).
public struct MutationResult: Sendable {
    public var before: StoredObject?
    public var after: StoredObject?
}
