import KubeClient
import KubeModel
import Logging
import Synchronization

/// Elects one leader among replicas through a `coordination.k8s.io/v1` Lease, so that only one
/// of them runs the reconcilers: client-go's `leaderelection.LeaderElector`.
///
/// Every replica serves the API and keeps its caches warm; only the leader writes through
/// controllers, because two controllers reconciling the same object fight each other. The
/// protocol, run by every candidate every ``LeaderElectionConfiguration/retryPeriod``:
///
/// - No Lease: create one naming itself. If another candidate created it first the create
///   fails with 409, and that candidate leads.
/// - A Lease held by someone else: wait until it has been seen unchanged for its
///   `leaseDurationSeconds`, measured on the local clock from the moment this candidate first
///   saw that exact record (not from the `renewTime` written by the holder, so clock skew
///   between machines cannot cause two leaders). Then update it, with the resourceVersion
///   that was read: of several candidates racing, exactly one write succeeds.
/// - A Lease held by itself (a restart with the same identity), or by nobody: update it.
///
/// The leader renews every retry period. If it cannot renew within
/// ``LeaderElectionConfiguration/renewDeadline`` (shorter than the lease duration) it steps
/// down: the work it runs is cancelled before any other candidate may take over. Then it
/// contends again.
public final class LeaderElector: Sendable {
    /// What one attempt found.
    enum Attempt: Sendable {
        /// This candidate holds the lease now (newly or still).
        case holding
        /// Someone else holds a lease that expires at this time on ``time``, unless renewed.
        case heldByOther(holder: String, expiresAt: Duration)
        case failed(LeaderElectionError)
    }

    /// How a term of leadership ended.
    private enum TermEnd: Sendable {
        case lost
        case workEnded(Result<Void, any Error>)
        case cancelled
    }

    private struct State {
        var isRunning = false
        var isLeader = false
        /// The last Lease read or written, with its record.
        var observedObject: JSONValue?
        var observedRecord: LeaseRecord?
        /// When ``observedRecord`` was first seen, on ``time``.
        var observedTime: Duration = .zero
    }

    /// Lease location, identity and timings.
    public let configuration: LeaderElectionConfiguration
    private let lock: LeaseLock
    private let logger: Logger
    let time: TimeSource
    private let state = Mutex(State())

    /// Creates an elector; nothing is read or written until ``run(whileLeading:)``.
    ///
    /// - Parameter clock: measures lease expiry and paces retries. The Lease's timestamps are
    ///   wall-clock time regardless, as other clients read them.
    public init(
        api: any KubernetesAPI, configuration: LeaderElectionConfiguration = LeaderElectionConfiguration(),
        logger: Logger = Logger(label: "virtyard.leader-election"), clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.configuration = configuration
        self.lock = LeaseLock(api: api, namespace: configuration.namespace, name: configuration.name)
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.name)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        self.time = TimeSource(clock)
    }

    /// This replica's identity.
    public var identity: String { configuration.identity }

    /// Whether this replica leads right now; safe to read from anywhere (health endpoints).
    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The holder named in the last Lease seen, nil if none was seen or nobody held it.
    public var currentLeader: String? { state.withLock { $0.observedRecord?.holder } }

    /// Contends for the lease until cancelled. Each time it leads, it runs `work` until the
    /// lease is lost, then cancels `work` and contends again.
    ///
    /// When `work` returns or throws on its own, the lease is released (if
    /// ``LeaderElectionConfiguration/releaseOnStop``) and this method returns or rethrows. On
    /// cancellation the lease is left to expire: a cancelled task cannot be trusted to reach
    /// the API server.
    public func run(whileLeading work: @escaping @Sendable () async throws -> Void) async throws {
        try configuration.validate()
        try state.withLock { state throws(LeaderElectionError) in
            guard !state.isRunning else { throw .alreadyRunning(identity: configuration.identity) }
            state.isRunning = true
        }
        defer { state.withLock { $0.isRunning = false } }
        while await acquire() {
            switch await lead(work) {
            case .lost:
                logger.warning("lost leadership, contending again")
            case .cancelled:
                return
            case .workEnded(let result):
                if configuration.releaseOnStop { await release() }
                try result.get()
                return
            }
        }
    }

    // MARK: Contending

    /// Tries until this candidate holds the lease; false when cancelled first.
    private func acquire() async -> Bool {
        logger.debug("contending for leadership")
        while !Task.isCancelled {
            let started = time.now
            switch await tryAcquireOrRenew() {
            case .holding:
                setLeader(true)
                logger.info("became leader")
                return true
            case .heldByOther(let holder, let expiresAt):
                logger.trace("lease held by another candidate", metadata: ["holder": "\(holder)"])
                // Poll every retry period, but look again right when the lease would expire.
                let next = min(started + configuration.retryPeriod, max(expiresAt, time.now))
                await sleep(until: next)
            case .failed(let error):
                logger.debug("could not acquire lease", metadata: ["error": "\(error)"])
                await sleep(until: started + configuration.retryPeriod)
            }
        }
        return false
    }

    /// One round of the protocol: read the Lease, and take or renew it when allowed.
    func tryAcquireOrRenew() async -> Attempt {
        let now = time.now
        let wallNow = MicroTime.now()
        let identity = configuration.identity
        let found: (record: LeaseRecord, object: JSONValue)?
        do {
            found = try await lock.get()
        } catch {
            return .failed(error)
        }

        guard let (record, object) = found else {
            let record = LeaseRecord(
                holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                acquireTime: wallNow, renewTime: wallNow, leaseTransitions: 0)
            do {
                let created = try await lock.create(record)
                observe(record, created, at: now)
                return .holding
            } catch {
                return .failed(error)
            }
        }

        let observedTime = state.withLock { state in
            if state.observedRecord != record {
                state.observedRecord = record
                state.observedTime = now
            }
            state.observedObject = object
            return state.observedTime
        }
        if let holder = record.holder, holder != identity, !configuration.othersAreGone {
            let duration = record.leaseDurationSeconds.map { Duration.seconds($0) } ?? configuration.leaseDuration
            let expiresAt = observedTime + duration
            if expiresAt > now { return .heldByOther(holder: holder, expiresAt: expiresAt) }
        }

        var next = record
        next.holderIdentity = identity
        next.leaseDurationSeconds = configuration.leaseDurationSeconds
        next.renewTime = wallNow
        if record.holder != identity {
            next.acquireTime = wallNow
            next.leaseTransitions = record.leaseTransitions + 1
        }
        do {
            let updated = try await lock.update(object, to: next)
            observe(next, updated, at: now)
            return .holding
        } catch {
            return .failed(error)
        }
    }

    private func observe(_ record: LeaseRecord, _ object: JSONValue, at now: Duration) {
        state.withLock { state in
            state.observedRecord = record
            state.observedObject = object
            state.observedTime = now
        }
    }

    // MARK: Leading

    /// Runs `work` beside the renew loop until either ends.
    private func lead(_ work: @escaping @Sendable () async throws -> Void) async -> TermEnd {
        let acquiredAt = time.now
        let end = await withTaskGroup(of: TermEnd.self) { group in
            group.addTask {
                do {
                    try await work()
                    return .workEnded(.success(()))
                } catch {
                    return .workEnded(.failure(error))
                }
            }
            group.addTask { await self.renew(from: acquiredAt) }
            let first = await group.next() ?? .cancelled
            // Not leading any more, whatever ended the term: say so before waiting for the work
            // to wind down.
            setLeader(false)
            group.cancelAll()
            return first
        }
        return Task.isCancelled ? .cancelled : end
    }

    /// Renews every retry period; returns `.lost` when a renewal could not be made within the
    /// renew deadline of the last successful one, or someone else took the lease.
    private func renew(from acquiredAt: Duration) async -> TermEnd {
        var lastRenewal = acquiredAt
        while true {
            do {
                try await time.sleep(until: lastRenewal + configuration.retryPeriod)
            } catch {
                return .cancelled
            }
            switch await renewOnce(deadline: lastRenewal + configuration.renewDeadline) {
            case .renewed(let at): lastRenewal = at
            case .ended(let end): return end
            }
        }
    }

    private enum Renewal {
        case renewed(at: Duration)
        case ended(TermEnd)
    }

    /// Retries renewing until it succeeds or `deadline` passes.
    private func renewOnce(deadline: Duration) async -> Renewal {
        while !Task.isCancelled {
            let started = time.now
            guard started < deadline else {
                logger.error(
                    "failed to renew lease within the renew deadline, stepping down",
                    metadata: ["renewDeadline": "\(configuration.renewDeadline)"])
                return .ended(.lost)
            }
            switch await attempt(until: deadline) {
            case .holding?:
                // The write happened after `started`: counting from then is on the safe side.
                return .renewed(at: started)
            case .heldByOther(let holder, _)?:
                logger.error("lease was taken over, stepping down", metadata: ["holder": "\(holder)"])
                return .ended(.lost)
            case .failed(let error)?:
                logger.warning("failed to renew lease", metadata: ["error": "\(error)"])
                await sleep(until: min(deadline, time.now + configuration.retryPeriod))
            case nil:
                continue
            }
        }
        return .ended(.cancelled)
    }

    /// One attempt, abandoned (nil) when `deadline` passes first: a renewal stuck on a dead
    /// connection must not keep a leader that can no longer prove it leads.
    private func attempt(until deadline: Duration) async -> Attempt? {
        await withTaskGroup(of: Attempt?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask { [time] in
                do {
                    try await time.sleep(until: deadline)
                } catch {
                    // Cancelled because the attempt finished first.
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Gives the lease up so a successor need not wait for it to expire, as client-go's
    /// `ReleaseOnCancel` does: no holder, a one-second duration.
    private func release() async {
        let observed = state.withLock { state -> (LeaseRecord, JSONValue)? in
            guard let record = state.observedRecord, let object = state.observedObject,
                record.holder == configuration.identity
            else { return nil }
            return (record, object)
        }
        guard let (record, object) = observed else { return }
        let now = MicroTime.now()
        let released = LeaseRecord(
            holderIdentity: nil, leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
            leaseTransitions: record.leaseTransitions)
        do {
            let updated = try await lock.update(object, to: released)
            observe(released, updated, at: time.now)
            logger.info("released lease")
        } catch {
            logger.warning("failed to release lease; it will expire", metadata: ["error": "\(error)"])
        }
    }

    private func setLeader(_ leading: Bool) {
        state.withLock { $0.isLeader = leading }
    }

    private func sleep(until deadline: Duration) async {
        do {
            try await time.sleep(until: deadline)
        } catch {
            // Cancelled: the caller checks for it next.
        }
    }
}
