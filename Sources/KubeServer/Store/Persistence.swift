import KubeModel

/// Durable storage under the ``ObjectStore``. Writes are handed over in resourceVersion
/// order with ``enqueue(_:)`` (under the store's lock) and acknowledged to clients only after
/// ``waitUntilDurable(_:)`` returns.
public protocol Persistence: Sendable {
    func load() throws -> PersistedSnapshot
    /// Moves a stored record that cannot be read back out of the way, keeping its bytes.
    func quarantine(_ record: PersistedSnapshot.Record, reason: String) throws
    func enqueue(_ operation: PersistedOperation)
    func waitUntilDurable(_ resourceVersion: Int64) async throws
}

/// One write, at its new resource version. Each names the version it replaces (a put of an
/// object already stored, a delete), so that storage keyed by version can find the old row.
public enum PersistedOperation: Sendable {
    case put(StorageKey, body: [UInt8], version: Int64, replacing: Int64?)
    case delete(StorageKey, version: Int64, removing: Int64)

    var resourceVersion: Int64 {
        switch self {
        case .put(_, _, let version, _), .delete(_, let version, _): return version
        }
    }
}

public struct PersistedSnapshot: Sendable {
    public struct Record: Sendable {
        public var key: StorageKey
        public var body: [UInt8]
        /// The version the record was written at, as storage knows it.
        public var resourceVersion: Int64
    }

    public var objects: [Record]
    public var resourceVersion: Int64
}

/// A stored record that could not be read back, kept aside with why.
public struct QuarantinedRecord: Sendable, Equatable {
    public var key: StorageKey
    public var reason: String
}
