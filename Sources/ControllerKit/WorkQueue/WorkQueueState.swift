import DequeModule

/// The bookkeeping of a ``WorkQueue`` as a plain value: what is queued, what is being worked
/// on, what waits for a later time, and how often each key has failed.
///
/// Kept apart from the locking and suspension in ``WorkQueue`` so the rules — a key is queued
/// at most once, never handed to two workers at a time, and re-queued after `done` when it was
/// added while in flight — are pure functions of `(state, input, now)` with their own tests.
struct WorkQueueState<Key: Hashable> {
    /// What an ``add(_:now:)`` did with the key.
    enum AddOutcome: Equatable {
        /// Appended to the ready queue.
        case queued
        /// Already queued (or flagged to come back): the two adds collapse into one.
        case coalesced
        /// Being processed right now: it will be queued again when the worker calls `done`.
        case deferredUntilDone
        /// The queue is shutting down.
        case ignored
    }

    let backoff: FailureBackoff
    var bucket: TokenBucket?

    /// Keys ready to be handed out, oldest first.
    private(set) var ready = Deque<Key>()
    /// Keys that need processing: everything in `ready`, plus in-flight keys added again.
    private(set) var dirty = Set<Key>()
    /// Keys a worker holds between `pop` and `done`.
    private(set) var processing = Set<Key>()
    private(set) var delayed = DelayedKeys<Key>()
    /// Rate-limited requeues per key since it was last forgotten.
    private(set) var failures: [Key: Int] = [:]
    private(set) var isShuttingDown = false
    /// When each dirty key was first added, for the queue-latency metric.
    private var addedAt: [Key: Duration] = [:]
    /// When each in-flight key was handed out, for the work-duration metric.
    private var startedAt: [Key: Duration] = [:]

    init(backoff: FailureBackoff, bucket: TokenBucket?) {
        self.backoff = backoff
        self.bucket = bucket
    }

    /// Keys ready to be handed out now.
    var readyCount: Int { ready.count }

    /// The time the next delayed key becomes ready, if any waits.
    var nextReadyTime: Duration? {
        mutating get { delayed.earliest }
    }

    mutating func add(_ key: Key, now: Duration) -> AddOutcome {
        guard !isShuttingDown else { return .ignored }
        guard dirty.insert(key).inserted else { return .coalesced }
        addedAt[key] = now
        if processing.contains(key) { return .deferredUntilDone }
        ready.append(key)
        return .queued
    }

    /// Queues `key` once `delay` has passed; returns whether the earliest wake-up may have moved
    /// (so waiting workers must recompute their deadline) or the key was queued at once.
    mutating func add(_ key: Key, after delay: Duration, now: Duration) -> Bool {
        guard !isShuttingDown else { return false }
        guard delay > .zero else { return add(key, now: now) == .queued }
        return delayed.schedule(key, at: now + delay)
    }

    /// Requeues a failed key after its backoff (and, when a bucket is set, its turn in the
    /// overall rate limit) and counts the failure; returns the delay chosen, nil when ignored.
    mutating func addRateLimited(_ key: Key, now: Duration) -> Duration? {
        guard !isShuttingDown else { return nil }
        let previous = failures[key, default: 0]
        failures[key] = previous + 1
        var delay = backoff.delay(afterFailures: previous)
        if let wait = bucket?.reserve(at: now) { delay = max(delay, wait) }
        _ = add(key, after: delay, now: now)
        return delay
    }

    /// Clears the failure count of a key, after it was processed successfully.
    mutating func forget(_ key: Key) {
        failures[key] = nil
    }

    func requeues(of key: Key) -> Int { failures[key, default: 0] }

    /// Moves delayed keys whose time has come into the ready queue.
    mutating func promoteDue(now: Duration) {
        for key in delayed.popReady(at: now) { _ = add(key, now: now) }
    }

    /// Hands out the oldest ready key and marks it in flight; returns how long it waited.
    mutating func pop(now: Duration) -> (key: Key, waited: Duration)? {
        guard !isShuttingDown else { return nil }
        promoteDue(now: now)
        guard let key = ready.popFirst() else { return nil }
        dirty.remove(key)
        processing.insert(key)
        startedAt[key] = now
        let waited = addedAt.removeValue(forKey: key).map { now - $0 } ?? .zero
        return (key, waited)
    }

    /// Ends the processing of a key; a key added meanwhile goes back into the ready queue.
    /// Returns whether it was queued again and how long it was worked on.
    mutating func done(_ key: Key, now: Duration) -> (requeued: Bool, worked: Duration?) {
        guard processing.remove(key) != nil else { return (false, nil) }
        let worked = startedAt.removeValue(forKey: key).map { now - $0 }
        guard !isShuttingDown, dirty.contains(key) else { return (false, worked) }
        ready.append(key)
        return (true, worked)
    }

    /// Stops accepting keys and drops everything not in flight: controllers are level-triggered,
    /// so whatever was pending is found again by the next run's initial list.
    mutating func shutDown() {
        isShuttingDown = true
        ready.removeAll()
        dirty.removeAll()
        delayed.removeAll()
        addedAt.removeAll()
    }
}
