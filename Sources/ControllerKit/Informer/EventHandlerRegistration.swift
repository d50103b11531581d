/// A handler added to an ``Informer``: the token to remove it, and whether it has seen the
/// initial state yet.
///
/// A controller must not start reconciling before its handlers have queued every existing
/// object, or it would act on a partial view (for example delete "orphans" whose owners just
/// were not delivered yet). ``hasSynced`` turns true once the handler has processed the events
/// of the informer's first list — or, for a handler added later, the replay of the cache it
/// received on registration.
public final class EventHandlerRegistration: Sendable, Hashable {
    let id: UInt64
    let synced = OneShotLatch()

    init(id: UInt64) {
        self.id = id
    }

    /// True once the handler has processed the initial state.
    public var hasSynced: Bool { synced.isSet }

    /// Waits until ``hasSynced`` is true.
    public func waitForSync() async throws(CancellationError) {
        try await synced.wait()
    }

    public static func == (lhs: EventHandlerRegistration, rhs: EventHandlerRegistration) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
