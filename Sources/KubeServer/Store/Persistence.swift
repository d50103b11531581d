import KubeModel

/// Durable storage under the ``ObjectStore``. Writes are handed over in resourceVersion
/// order with ``enqueue(_:)`` (under the store's lock) and acknowledged to clients only after
/// ``waitUntilDurable(_:)`` returns.
public protocol Persistence: Sendable {
    func load() throws -> PersistedSnapshot
    /// Moves a stored record that cannot be read back out of the way, keeping its bytes.
    func quarantine(_ key: StorageKey, reason: String) throws
    func enqueue(_ operation: PersistedOperation)
    func waitUntilDurable(_ resourceVersion: Int64) async throws
}

public enum PersistedOperation: Sendable {
    case put(StorageKey, [UInt8], Int64)
    case delete(StorageKey, Int64)

    var resourceVersion: Int64 {
        switch self {
        case .put(_, _, let version), .delete(_, let version): return version
        }
    }
}

public struct PersistedSnapshot: Sendable {
    public struct Record: Sendable {
        public var key: StorageKey
        public var body: [UInt8]
    }

    public var objects: [Record]
    public var resourceVersion: Int64
}

/// A stored record that could not be read back, kept aside with why.
public struct QuarantinedRecord: Sendable, Equatable {
    public var key: StorageKey
    public var reason: String
}
