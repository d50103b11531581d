import Synchronization

/// What a platform service holds once it is connected to the cluster on the leader: the
/// services' routes exist from start-up, but they can answer only after the controller
/// runtime has handed them the API and the shared informers (`attach`), and on a standby
/// replica they never do. Until then ``connection()`` answers 503 with the service's message.
public final class LeaderAttachment<Connection: Sendable>: Sendable {
    private let connection = Mutex<Connection?>(nil)
    /// The 503 to answer while nothing is attached.
    public let unavailable: PlatformError

    /// - Parameter unavailable: what a call hears before the service is attached, e.g. "the
    ///   lab pool is not connected to the cluster yet (or this replica is not the leader)".
    public init(unavailable message: String) {
        unavailable = PlatformError(.unavailable, message)
    }

    /// Connects the service; a later term's connection replaces the earlier one.
    public func attach(_ connection: Connection) {
        self.connection.withLock { $0 = connection }
    }

    /// The connection, or nil before ``attach(_:)`` (for readers that answer something
    /// without it, such as an empty list or "not ready").
    public var current: Connection? {
        connection.withLock { $0 }
    }

    /// The connection, or the 503 ``unavailable`` before ``attach(_:)``.
    public func connected() throws(PlatformError) -> Connection {
        guard let current else { throw unavailable }
        return current
    }
}
