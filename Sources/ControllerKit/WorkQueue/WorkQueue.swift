import Synchronization

/// A de-duplicating, rate-limited queue of keys for workers to process: client-go's
/// `workqueue.TypedRateLimitingInterface` in Swift.
///
/// Controllers put keys here from event handlers and take them out from workers. The rules are
/// what makes level-triggered reconciling safe and cheap:
///
/// - A key queued twice is handed out once: ten events about one object before a worker gets
///   to it cost one reconcile, not ten.
/// - A key is never handed to two workers at once. A key added while a worker holds it is
///   remembered and handed out again after the worker calls ``done(_:)``, so the change that
///   arrived mid-reconcile is not lost.
/// - ``addRateLimited(_:)`` requeues a failed key after a per-key exponential backoff
///   (``FailureBackoff``) and an overall token bucket (``TokenBucket``); ``forget(_:)`` resets
///   the key's backoff once it succeeds.
/// - ``add(_:after:)`` queues a key later, for "check again in five minutes".
///
/// Adding never blocks (event handlers call it synchronously); ``next()`` suspends the worker
/// until a key is ready. Delayed keys need no background task: a waiting worker sleeps until
/// the earliest ready time on the injected clock, which keeps tests with a manual clock exact.
///
/// After ``shutDown()`` the queue ignores new keys and ``next()`` returns nil to every worker,
/// so workers finish the key they hold and stop.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Locked {
        var queue: WorkQueueState<Key>
        var waiters = WaiterSet()
    }

    private enum NextStep {
        case key(Key, waited: Duration, depth: Int)
        case finished
        case wait(slot: UInt64, until: Duration?)
    }

    private let locked: Mutex<Locked>
    private let time: TimeSource
    private let metrics: WorkQueueMetrics?

    /// Creates a queue; `clock` measures delays and backoff (tests pass a manual clock).
    public init(configuration: Configuration = .default, clock: some Clock<Duration> = ContinuousClock()) {
        locked = Mutex(Locked(queue: WorkQueueState(backoff: configuration.backoff, bucket: configuration.rateLimit)))
        time = TimeSource(clock)
        metrics = configuration.name.map(WorkQueueMetrics.init(name:))
    }

    /// Queues a key unless it is already queued; a key being processed is queued again when its
    /// worker calls ``done(_:)``.
    public func add(_ key: Key) {
        let now = time.now
        let (outcome, depth, wakeups) = locked.withLock { locked in
            let outcome = locked.queue.add(key, now: now)
            let wakeups = outcome == .queued ? locked.waiters.wakeAll() : Wakeups()
            return (outcome, locked.queue.readyCount, wakeups)
        }
        wakeups.resume()
        if outcome == .queued || outcome == .deferredUntilDone { metrics?.recordAdd() }
        metrics?.recordDepth(depth)
    }

    /// Queues a key once `delay` has passed (at once when it is zero or negative). A key already
    /// waiting keeps the earlier of its two ready times.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let now = time.now
        let (accepted, wakeups) = locked.withLock { locked in
            guard !locked.queue.isShuttingDown else { return (false, Wakeups()) }
            let wakeups = locked.queue.add(key, after: delay, now: now) ? locked.waiters.wakeAll() : Wakeups()
            return (true, wakeups)
        }
        wakeups.resume()
        if accepted { metrics?.recordRetry() }
    }

    /// Requeues a key after its backoff: ``Configuration/backoff`` grows with every call until
    /// ``forget(_:)``, and ``Configuration/rateLimit`` spaces out requeues across all keys.
    public func addRateLimited(_ key: Key) {
        let now = time.now
        let (delay, depth, wakeups) = locked.withLock { locked in
            let delay = locked.queue.addRateLimited(key, now: now)
            let wakeups = delay != nil ? locked.waiters.wakeAll() : Wakeups()
            return (delay, locked.queue.readyCount, wakeups)
        }
        wakeups.resume()
        guard let delay else { return }
        metrics?.recordRetry()
        if delay <= .zero {
            metrics?.recordAdd()
            metrics?.recordDepth(depth)
        }
    }

    /// Resets the backoff of a key: call it when the key was processed successfully, or the next
    /// failure would wait as long as if the earlier ones had never stopped.
    public func forget(_ key: Key) {
        locked.withLock { $0.queue.forget(key) }
    }

    /// How many times the key was requeued with ``addRateLimited(_:)`` since it was last
    /// forgotten.
    public func numRequeues(_ key: Key) -> Int {
        locked.withLock { $0.queue.requeues(of: key) }
    }

    /// Keys ready to be handed out now (not in flight, not waiting for a later time).
    public var count: Int {
        let now = time.now
        return locked.withLock { locked in
            locked.queue.promoteDue(now: now)
            return locked.queue.readyCount
        }
    }

    /// True once ``shutDown()`` was called.
    public var isShuttingDown: Bool {
        locked.withLock { $0.queue.isShuttingDown }
    }

    /// Waits for the next key and marks it in flight; nil once the queue shuts down or the
    /// calling task is cancelled. Every key returned must be passed to ``done(_:)``.
    public func next() async -> Key? {
        while true {
            let now = time.now
            let step: NextStep = locked.withLock { locked in
                if locked.queue.isShuttingDown || Task.isCancelled { return .finished }
                if let (key, waited) = locked.queue.pop(now: now) {
                    return .key(key, waited: waited, depth: locked.queue.readyCount)
                }
                return .wait(slot: locked.waiters.announce(), until: locked.queue.nextReadyTime)
            }
            switch step {
            case .finished:
                return nil
            case .key(let key, let waited, let depth):
                metrics?.recordWaited(waited)
                metrics?.recordDepth(depth)
                return key
            case .wait(let slot, let deadline):
                await suspend(
                    slot: slot, deadline: deadline.map { ($0, time) },
                    park: { id, continuation in locked.withLock { $0.waiters.park(id, continuation) }.resume() },
                    wake: { [self] id in self.locked.withLock { $0.waiters.wake(id) }.resume() },
                    remove: { id in locked.withLock { $0.waiters.remove(id) }.resume() })
            }
        }
    }

    /// Tells the queue a worker has finished with a key; a key added meanwhile is queued again.
    public func done(_ key: Key) {
        let now = time.now
        let (result, depth, wakeups) = locked.withLock { locked in
            let result = locked.queue.done(key, now: now)
            let wakeups = result.requeued ? locked.waiters.wakeAll() : Wakeups()
            return (result, locked.queue.readyCount, wakeups)
        }
        wakeups.resume()
        if let worked = result.worked { metrics?.recordWorked(worked) }
        if result.requeued { metrics?.recordDepth(depth) }
    }

    /// Stops the queue: new keys are ignored, pending and delayed keys are dropped, and
    /// ``next()`` returns nil to every worker, waiting or not. Keys in flight can still be
    /// marked ``done(_:)``.
    public func shutDown() {
        let wakeups = locked.withLock { locked in
            locked.queue.shutDown()
            return locked.waiters.wakeAll()
        }
        wakeups.resume()
        metrics?.recordDepth(0)
    }
}
