import Logging
import ServiceLifecycle
import Synchronization

/// Runs a set of services only while this replica holds the leader lease.
///
/// This is how Virtyard splits work between replicas: informers, the API and read paths run on
/// every replica, outside this service; the controllers go inside it, so exactly one replica
/// reconciles. Each time leadership is won, the services start in a fresh `ServiceGroup`; when
/// it is lost they are cancelled at once (a successor may start as soon as the lease expires),
/// and the replica contends again.
///
/// On graceful shutdown of the enclosing group the services are shut down gracefully too
/// (controllers finish the reconciles in flight), and the lease is then released so another
/// replica takes over without waiting for it to expire.
public final class LeaderElectedServices: Service, Sendable {
    private struct State {
        var shuttingDown = false
        var shutdownRequestedAt: ContinuousClock.Instant?
        var group: ServiceGroup?
    }

    /// The elector that decides when the services run; its ``LeaderElector/isLeader`` feeds `/readyz`.
    public let elector: LeaderElector
    private let services: [any Service]
    private let logger: Logger
    private let state = Mutex(State())
    private let shutdownRequested = OneShotLatch()

    /// How long the services may take to stop gracefully before they are cancelled.
    private let maximumGracefulShutdown: Duration

    /// - Parameters:
    ///   - services: started together, in a new `ServiceGroup`, at the start of every term.
    ///   - maximumGracefulShutdown: how long a graceful shutdown of the services may take;
    ///     past it, those still running are cancelled, so that one service that does not stop
    ///     cannot keep the process (and the lease) for ever.
    public init(
        elector: LeaderElector, services: [any Service], maximumGracefulShutdown: Duration = .seconds(8),
        logger: Logger = Logger(label: "virtyard.leader-election")
    ) {
        self.elector = elector
        self.services = services
        self.maximumGracefulShutdown = maximumGracefulShutdown
        self.logger = logger
    }

    /// Whether the services are (allowed to be) running here now.
    public var isLeader: Bool { elector.isLeader }

    private enum Child: Sendable {
        case elector
        case shutdownHandled
    }

    /// Contends, and runs the services in every term won, until graceful shutdown (or
    /// cancellation, or a service failing).
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Child.self) { group in
                group.addTask {
                    try await self.elector.run { try await self.runServicesWhileLeading() }
                    return .elector
                }
                group.addTask {
                    try await self.shutdownRequested.wait()
                    return try await self.handleShutdown()
                }
                do {
                    // Only the elector's end ends the service: after a graceful shutdown of the
                    // services it releases the lease and returns.
                    while let child = try await group.next(), child != .elector {}
                } catch is StopContending {
                    // Shut down while not leading: nothing to finish.
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutDownGracefully()
        }
    }

    /// Starts a graceful shutdown: stop contending, or, while leading, shut the services down
    /// gracefully and release the lease. Called on graceful shutdown of the enclosing group.
    func shutDownGracefully() {
        state.withLock {
            $0.shuttingDown = true
            $0.shutdownRequestedAt = .now
        }
        shutdownRequested.set()
    }

    private struct StopContending: Error {}

    /// While leading, shuts the services down gracefully (the term then ends normally); while
    /// contending, stops contending.
    private func handleShutdown() async throws -> Child {
        if let group = state.withLock({ $0.group }) {
            await group.triggerGracefulShutdown()
        } else if !elector.isLeader {
            throw StopContending()
        }
        // Leading but the services not started yet: the term sees `shuttingDown` and ends
        // before starting them.
        return .shutdownHandled
    }

    /// One term: the services in their own group, gone when the term ends.
    private func runServicesWhileLeading() async throws {
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        let group = ServiceGroup(configuration: configuration)
        let alreadyShuttingDown = state.withLock { state in
            state.group = group
            return state.shuttingDown
        }
        defer { state.withLock { $0.group = nil } }
        // Won (or won again) after shutdown began: end the term at once, which releases the lease.
        if alreadyShuttingDown { return }
        logger.info("leading: starting services", metadata: ["services": "\(services.count)"])
        try await group.run()
        if let requested = state.withLock({ $0.shutdownRequestedAt }), ContinuousClock.now - requested >= maximumGracefulShutdown {
            logger.warning(
                "services did not stop within the graceful shutdown limit; the rest were cancelled",
                metadata: ["limit": "\(maximumGracefulShutdown)"])
        }
        logger.info("services stopped")
    }
}
