import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// Hands out one ``Informer`` per resource (and namespace and selectors), and runs them all.
///
/// Several controllers usually watch the same resource — the VM controller and the capacity
/// controller both need pods. One informer each would double the watches on the API server and
/// the memory of the cache; the factory makes them share one, as client-go's
/// `SharedInformerFactory` does. It is a `Service`: ``run()`` runs every informer handed out,
/// including those asked for after it started.
public final class SharedInformerFactory: Service, Sendable {
    /// What makes two informers the same.
    struct Scope: Hashable {
        var resource: ResourceType
        var namespace: String?
        var labelSelector: String?
        var fieldSelector: String?
    }

    private struct State {
        var informers: [Scope: Informer] = [:]
        var order: [Informer] = []
        /// Set while running: informers created from now on are started through it.
        var starter: AsyncStream<Informer>.Continuation?
        var hasRun = false
    }

    private let api: any KubernetesAPI
    private let configuration: InformerConfiguration
    private let logger: Logger
    private let clock: any Clock<Duration>
    private let state = Mutex(State())

    /// Creates a factory whose informers share one configuration, logger and clock.
    public init(
        api: any KubernetesAPI, configuration: InformerConfiguration = InformerConfiguration(),
        logger: Logger = Logger(label: "virtyard.informer"), clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    /// The informer for a resource, created on first request; later requests with the same
    /// resource, namespace and selectors get the same instance.
    public func informer(
        for resource: ResourceType, namespace: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil
    ) -> Informer {
        let scope = Scope(
            resource: resource, namespace: resource.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil,
            labelSelector: labelSelector.flatMap { $0.isEmpty ? nil : $0 },
            fieldSelector: fieldSelector.flatMap { $0.isEmpty ? nil : $0 })
        return state.withLock { state in
            if let existing = state.informers[scope] { return existing }
            let informer = Informer(
                api: api, resource: resource, namespace: scope.namespace,
                labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector,
                configuration: configuration, logger: logger, clock: clock)
            state.informers[scope] = informer
            state.order.append(informer)
            state.starter?.yield(informer)
            return informer
        }
    }

    /// Every informer handed out so far, in order of creation.
    public var informers: [Informer] {
        state.withLock { $0.order }
    }

    /// True when every informer handed out so far has synced.
    public var hasSynced: Bool {
        informers.allSatisfy(\.hasSynced)
    }

    /// Waits until every informer handed out so far has synced.
    public func waitForSync() async throws(CancellationError) {
        for informer in informers { try await informer.waitForSync() }
    }

    /// Runs every informer, those handed out later included, until cancelled or graceful
    /// shutdown; the factory runs once.
    public func run() async throws {
        let (starts, starter) = AsyncStream.makeStream(of: Informer.self)
        try state.withLock { state throws(InformerError) in
            guard !state.hasRun else { throw InformerError.factoryAlreadyStarted }
            state.hasRun = true
            state.starter = starter
            for informer in state.order { starter.yield(informer) }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for await informer in starts {
                    group.addTask {
                        do {
                            try await informer.run()
                        } catch {
                            self.logger.error(
                                "informer stopped with an error",
                                metadata: [
                                    "resource": "\(informer.resource)",
                                    "error": "\(error)",
                                ])
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.state.withLock { state in
                state.starter?.finish()
                state.starter = nil
            }
        }
    }
}
