import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import Synchronization

/// Hands a pool's free clusters to its waiting sessions, the whole pool in one pass.
///
/// The queue is the pool's waiting sessions in the order they were asked for. A pass pairs the
/// first k with the k free clusters and leases all k at once, each by a write on the LabCluster
/// conditional on the version read: two passes, or two replicas, racing for one cluster cannot
/// both win, and the loser's session stays at the head for the next pass. A session without a
/// scenario is started in the same pass (token, grant, Running); one with a scenario goes to
/// Provisioning and ``LabSessionReconciler`` applies its setup. Everyone still waiting is told
/// their place (`queuePosition`).
///
/// A burst of sessions costs a few passes, since the work queue folds the events a pass causes
/// into one next pass; one reconcile per session per event would cost the square of the burst.
/// A pass reads the cache overlaid with its own recent writes (``RecentWrites``), so the next
/// pass neither offers a cluster it has just leased nor serves a session twice.
///
/// A pass waits only for its leases. Starting a leased session (its token, its grant, its
/// status: three more writes) goes on after the pass returns, so sessions that arrived
/// meanwhile are leased by the next pass instead of waiting for those writes too. Until a
/// start ends, passes leave its session alone (``StartsInFlight``); one that failed is
/// finished by a later pass, which the pass that leased it asks for.
struct LabQueueReconciler: Reconciler {
    let api: any KubernetesAPI
    let sessions: Informer
    let clusters: Informer
    let pools: Informer
    let access: any SessionAccess
    let recent: RecentWrites
    let starting: StartsInFlight
    let logger: Logger

    /// When a pass leased clusters, the next look at the pool comes this soon at the latest, to
    /// finish any start that failed (a start that succeeds causes a pass by its own write).
    static let revisitAfterStarts: Duration = .milliseconds(250)

    private static let sessionKind = "labsessions"
    private static let clusterKind = "labclusters"

    /// What became of one write of a pass.
    private enum Outcome: Sendable {
        case done
        /// A cluster was leased and the session's start goes on in the background.
        case leased
        /// Someone else wrote the object first: the next pass, with a fresher cache, tries again.
        case lostRace
        case failed(KubeClientError)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let poolName = key.name
        // Read before the sessions: a start that ends after this has already recorded its
        // write (below, through `recent`), so no session is seen both waiting and not started.
        let startsInFlight = starting.snapshot()
        let waiting = Self.queue(sessions.list().map { recent.latest(Self.sessionKind, $0) }, pool: poolName)
            .map(LabSessionObject.init)
        guard let pool = pools.get(namespace: nil, name: poolName).map(LabPoolObject.init) else {
            let outcomes = await forEach(waiting) { session in
                var updated = session
                updated.phase = .pending
                updated.queuePosition = nil
                updated.message = "No lab pool \"\(poolName)\""
                return await write(session, updated)
            }
            return try result(of: outcomes)
        }
        let members = clusters.list().map { LabClusterObject(recent.latest(Self.clusterKind, $0)) }.filter { $0.pool == poolName }
        var holding: [String: LabClusterObject] = [:]
        for cluster in members {
            if let holder = cluster.assignedSession { holding[holder] = cluster }
        }
        // A waiting session already holding a cluster had its lease written and its own write
        // lost: finish that lease rather than make another (unless it is being started now).
        let unfinished = waiting.compactMap { session in
            startsInFlight.contains(StartsInFlight.key(session.object)) ? nil : holding[session.name].map { (session, $0) }
        }
        let beingStarted = waiting.contains { startsInFlight.contains(StartsInFlight.key($0.object)) }
        // Sessions get their finalizer first, so that ending one always releases its cluster.
        let queue = waiting.filter {
            holding[$0.name] == nil && $0.finalizers.contains(Lab.sessionFinalizer)
                && !startsInFlight.contains(StartsInFlight.key($0.object))
        }
        let free = members.filter { !$0.isDeleting && $0.phase == .available && $0.assignedSession == nil }
            .sorted { $0.name < $1.name }

        let outcomes = await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { group in
            for (session, cluster) in unfinished {
                group.addTask { await start(session, on: cluster, pool: pool) }
            }
            for (session, cluster) in zip(queue, free) {
                group.addTask { await lease(cluster, to: session, pool: pool) }
            }
            for (index, session) in queue.dropFirst(free.count).enumerated() {
                group.addTask {
                    var updated = session
                    updated.phase = .pending
                    updated.queuePosition = Int64(index + 1)
                    updated.message = "Waiting for a free cluster in pool \(poolName)"
                    // A place written over a stale copy is corrected by the pass its event starts.
                    if case .failed(let error) = await write(session, updated), !error.isConflict { return .failed(error) }
                    return .done
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        // A start still running may yet fail: look again until none is in flight.
        return try result(of: outcomes + (beingStarted ? [.leased] : []))
    }

    /// The pool's waiting sessions, first come first served.
    static func queue(_ sessions: [JSONValue], pool: String) -> [JSONValue] {
        // Each request time is read once: parsing in the comparator would cost n log n parses.
        sessions.map(LabSessionObject.init).filter { session in
            !session.isDeleting && (session.phase == nil || session.phase == .pending) && session.pool == pool
        }
        .map { ($0.requestedAt, $0.object.namespace ?? "", $0.name, $0.object) }
        .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        .map(\.3)
    }

    // MARK: - One lease

    private func lease(_ cluster: LabClusterObject, to session: LabSessionObject, pool: LabPoolObject) async -> Outcome {
        let me = session.name
        // Claimed before the lease is written, so that no pass can lease a second cluster to it.
        guard starting.begin(session.object) else { return .done }
        var locked = cluster
        locked.phase = .locked
        locked.assignedSession = me
        locked.lockTime = Date()
        locked.message = "Leased to session \(me)"
        let taken: JSONValue
        do {
            taken = try await api.updateStatus(.labClusters, namespace: cluster.object.namespace, object: locked.object)
        } catch {
            starting.end(session.object)
            return error.isConflict ? .lostRace : .failed(error)
        }
        recent.record(Self.clusterKind, replacing: cluster.object, with: taken)
        logger.info("lab cluster leased", metadata: ["session": "\(me)", "cluster": "\(cluster.name)"])
        Task { [self] in
            let outcome = await start(session, on: LabClusterObject(taken), pool: pool)
            starting.end(session.object)
            switch outcome {
            case .done, .leased: break
            case .lostRace:
                logger.debug("a leased lab session changed while it was started; the next pass finishes it", metadata: ["session": "\(me)"])
            case .failed(let error):
                logger.warning(
                    "could not start a leased lab session; the next pass finishes it",
                    metadata: ["session": "\(me)", "cluster": "\(cluster.name)", "error": "\(error)"])
            }
        }
        return .leased
    }

    /// Writes the lease into the session and, without a scenario to set up, starts it.
    private func start(_ session: LabSessionObject, on cluster: LabClusterObject, pool: LabPoolObject) async -> Outcome {
        let id = cluster.name
        var updated = session
        updated.cluster = id
        updated.clusterLockTime = cluster.lockTimeJSON ?? .string(Timestamp.microString(Date()))
        updated.controlPlaneVM = Lab.controlPlaneVM(id)
        updated.workerNodeVM = Lab.workerVM(id)
        updated.queuePosition = nil
        if let scenario = session.scenario {
            updated.phase = .provisioning
            updated.message = "Cluster \(id) assigned; setting up scenario \(scenario)"
        } else {
            let token: String
            do {
                token = try await SessionTokens(api: api).ensure(for: session.object)
            } catch {
                return .failed(error)
            }
            await access.grant(token: token, clusterID: id)
            updated.startRunning(on: id, timeout: LabSessionReconciler.timeout(session, pool: pool))
        }
        return await write(session, updated)
    }

    // MARK: - Helpers

    /// Writes `updated`'s status unless it is `session`'s, and remembers the write for the
    /// next pass.
    private func write(_ session: LabSessionObject, _ updated: LabSessionObject) async -> Outcome {
        do {
            guard
                let written = try await api.updateStatusIfChanged(
                    .labSessions, current: session.object,
                    updated: updated.object)
            else { return .done }
            recent.record(Self.sessionKind, replacing: session.object, with: written)
            return .done
        } catch {
            return error.isConflict ? .lostRace : .failed(error)
        }
    }

    private func forEach(_ sessions: [LabSessionObject], _ body: @escaping @Sendable (LabSessionObject) async -> Outcome) async -> [Outcome]
    {
        await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { group in
            for session in sessions { group.addTask { await body(session) } }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    /// A failed write fails the pass (the controller backs off); a lost race asks for another
    /// pass at once; leases ask for one to check on their starts.
    private func result(of outcomes: [Outcome]) throws(KubeClientError) -> ReconcileResult {
        var lostRace = false
        var leased = false
        for outcome in outcomes {
            switch outcome {
            case .done: break
            case .leased: leased = true
            case .lostRace: lostRace = true
            case .failed(let error): throw error
            }
        }
        if lostRace { return .requeueAfter(.milliseconds(5)) }
        return leased ? .requeueAfter(Self.revisitAfterStarts) : .done
    }
}

/// The sessions whose start a queue pass left running in the background, by namespace and name.
final class StartsInFlight: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// False when this session is already being started.
    func begin(_ session: JSONValue) -> Bool {
        keys.withLock { $0.insert(Self.key(session)).inserted }
    }

    func end(_ session: JSONValue) {
        _ = keys.withLock { $0.remove(Self.key(session)) }
    }

    func snapshot() -> Set<String> {
        keys.withLock { $0 }
    }

    static func key(_ session: JSONValue) -> String { "\(session.namespace ?? "")/\(session.name ?? "")" }
}
