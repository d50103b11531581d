import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a ``Reconciler``: informer events become keys in a ``WorkQueue``, and workers take keys
/// off the queue and reconcile them — controller-runtime's controller as a `Service`.
///
/// Each ``run()``:
/// 1. registers handlers on the informers of its ``KeySource``s (the primary resource, owned
///    resources, mapped resources), which queue the keys each event maps to;
/// 2. waits until those handlers have seen every existing object, so the first reconciles act
///    on a complete cache (and fails after ``ControllerConfiguration/cacheSyncTimeout``);
/// 3. starts ``ControllerConfiguration/workers`` workers. A key is never reconciled by two
///    workers at once; errors and ``ReconcileResult/requeue`` requeue it with backoff,
///    ``ReconcileResult/requeueAfter(_:)`` after the given time.
///
/// On graceful shutdown the controller stops taking keys, lets reconciles in flight finish,
/// and returns. On cancellation, reconciles in flight are cancelled too. A controller can run
/// again after it stopped (leader election restarts it on every term); each run starts from a
/// fresh queue filled from the caches, as reconciling is level-triggered.
///
/// The informers are not run by the controller: run them (usually through a
/// ``SharedInformerFactory``) in the same service group, before the controllers.
public final class Controller<R: Reconciler>: Service, Sendable {
    private struct RunHandle: Sendable {
        let queue: WorkQueue<ObjectKey>
        let stop: OneShotLatch
    }

    private enum SyncOutcome: Sendable {
        case synced
        case stopped
        case timedOut
    }

    /// Names the controller in logs and metrics (`controller` label).
    public let name: String
    /// The domain logic run for each key.
    public let reconciler: R
    /// Where keys come from.
    public let sources: [KeySource]
    /// Workers, backoff and cache sync timeout.
    public let configuration: ControllerConfiguration

    private let logger: Logger
    private let clock: any Clock<Duration>
    private let time: TimeSource
    private let metrics: ControllerMetrics
    private let activeWorkers = Atomic<Int>(0)
    private let current = Mutex<RunHandle?>(nil)

    /// Creates a controller from explicit key sources.
    public init(
        name: String, reconciler: R, sources: [KeySource],
        configuration: ControllerConfiguration = ControllerConfiguration(),
        logger: Logger = Logger(label: "virtyard.controller"), clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.name = name
        self.reconciler = reconciler
        self.sources = sources
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.clock = clock
        self.time = TimeSource(clock)
        self.metrics = ControllerMetrics(controller: name, workers: configuration.workers)
    }

    /// Creates a controller for a primary resource, the resources it owns (mapped to their
    /// controlling owner) and any further mapped sources — controller-runtime's
    /// `For(…).Owns(…).Watches(…)`.
    public convenience init(
        name: String, reconciler: R, for primary: Informer, owns owned: [Informer] = [],
        watches: [KeySource] = [], configuration: ControllerConfiguration = ControllerConfiguration(),
        logger: Logger = Logger(label: "virtyard.controller"),
        clock: some Clock<Duration> = ContinuousClock()
    ) {
        let sources = [KeySource.primary(primary)] + owned.map { KeySource.owned($0, by: primary.resource) } + watches
        self.init(
            name: name, reconciler: reconciler, sources: sources, configuration: configuration, logger: logger,
            clock: clock)
    }

    /// True while ``run()`` is running.
    public var isRunning: Bool { current.withLock { $0 != nil } }

    /// Reconciles until graceful shutdown or cancellation.
    public func run() async throws {
        let queue = WorkQueue<ObjectKey>(
            configuration: .init(name: name, backoff: configuration.backoff, rateLimit: configuration.rateLimit),
            clock: clock)
        let stop = OneShotLatch()
        try current.withLock { current throws(ControllerError) in
            guard current == nil else { throw .alreadyRunning(controller: name) }
            current = RunHandle(queue: queue, stop: stop)
        }
        defer { current.withLock { $0 = nil } }

        let registrations = sources.map { source in
            (source.informer, source.informer.addEventHandler { event in Self.enqueue(event, from: source, into: queue) })
        }
        defer {
            for (informer, registration) in registrations { informer.removeEventHandler(registration) }
        }

        try await withGracefulShutdownHandler {
            switch await waitForCaches(registrations.map(\.1), stop: stop) {
            case .stopped:
                return
            case .timedOut:
                let unsynced = registrations.filter { !$0.1.hasSynced }.map(\.0.resource)
                throw ControllerError.cacheSyncTimeout(
                    controller: name, resources: unsynced,
                    timeout: configuration.cacheSyncTimeout)
            case .synced:
                break
            }
            logger.info("starting workers", metadata: ["workers": "\(configuration.workers)"])
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<configuration.workers {
                    group.addTask { await self.work(queue) }
                }
            }
            logger.info("workers stopped")
        } onGracefulShutdown: {
            self.shutDownGracefully()
        }
    }

    /// Asks for a reconcile of `key` from outside the informers: work the reconciler started
    /// that ends on its own (an import, a transfer), which no object event announces
    /// (controller-runtime's channel source). Ignored while the controller is not running; a
    /// key already waiting is not queued twice.
    public func enqueue(_ key: ObjectKey) {
        current.withLock { $0 }?.queue.add(key)
    }

    /// Stops taking keys; reconciles in flight finish and ``run()`` returns. Called on graceful
    /// shutdown.
    func shutDownGracefully() {
        guard let handle = current.withLock({ $0 }) else { return }
        handle.stop.set()
        handle.queue.shutDown()
    }

    private static func enqueue(_ event: InformerEvent, from source: KeySource, into queue: WorkQueue<ObjectKey>) {
        let keys: [ObjectKey]
        switch event {
        case .added(let object, _), .deleted(let object, _):
            keys = source.keys(object)
        case .updated(let old, let new):
            // Both: an owner reference or a mapped relation may have changed, and the object
            // that lost it must be reconciled too.
            var seen = Set<ObjectKey>()
            keys = (source.keys(old) + source.keys(new)).filter { seen.insert($0).inserted }
        }
        for key in keys { queue.add(key) }
    }

    private func waitForCaches(_ registrations: [EventHandlerRegistration], stop: OneShotLatch) async -> SyncOutcome {
        let timeout = configuration.cacheSyncTimeout
        return await withTaskGroup(of: SyncOutcome.self) { group in
            group.addTask {
                do {
                    for registration in registrations { try await registration.waitForSync() }
                    return .synced
                } catch {
                    return .stopped
                }
            }
            group.addTask {
                do {
                    try await stop.wait()
                } catch {
                    // Cancelled: stopping either way.
                }
                return .stopped
            }
            group.addTask { [time] in
                do {
                    try await time.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .stopped
                }
            }
            let first = await group.next() ?? .stopped
            group.cancelAll()
            return first
        }
    }

    private func work(_ queue: WorkQueue<ObjectKey>) async {
        while let key = await queue.next() {
            let active = activeWorkers.wrappingAdd(1, ordering: .relaxed).newValue
            metrics.recordActiveWorkers(active)
            await reconcile(key, queue: queue)
            queue.done(key)
            metrics.recordActiveWorkers(activeWorkers.wrappingSubtract(1, ordering: .relaxed).newValue)
        }
    }

    private func reconcile(_ key: ObjectKey, queue: WorkQueue<ObjectKey>) async {
        let start = time.now
        do {
            let result = try await reconciler.reconcile(key)
            metrics.recordSuccess(result, after: time.now - start)
            switch result {
            case .done:
                queue.forget(key)
            case .requeue:
                queue.addRateLimited(key)
            case .requeueAfter(let delay):
                queue.forget(key)
                queue.add(key, after: delay)
            }
        } catch {
            metrics.recordError(after: time.now - start)
            if Task.isCancelled, error is CancellationError {
                logger.debug("reconcile cancelled", metadata: ["key": "\(key)"])
                return
            }
            // A conflict means the cache was behind a write: routine, retried at once with backoff.
            let level: Logger.Level = (error as? KubeClientError)?.isConflict == true ? .debug : .error
            logger.log(
                level: level, "reconcile failed, requeueing with backoff",
                metadata: ["key": "\(key)", "error": "\(error)", "requeues": "\(queue.numRequeues(key))"])
            queue.addRateLimited(key)
        }
    }
}
