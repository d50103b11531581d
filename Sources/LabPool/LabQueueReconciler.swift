import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

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
struct LabQueueReconciler: Reconciler {
    let api: any KubernetesAPI
    let sessions: Informer
    let clusters: Informer
    let pools: Informer
    let access: any SessionAccess
    let recent: RecentWrites
    let logger: Logger

    typealias Phase = Lab.SessionPhase
    private static let sessionKind = "labsessions"
    private static let clusterKind = "labclusters"

    /// What became of one write of a pass.
    private enum Outcome: Sendable {
        case done
        /// Someone else wrote the object first: the next pass, with a fresher cache, tries again.
        case lostRace
        case failed(KubeClientError)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let poolName = key.name
        let waiting = Self.queue(sessions.list().map { recent.latest(Self.sessionKind, $0) }, pool: poolName)
        guard let pool = pools.get(namespace: nil, name: poolName) else {
            let outcomes = await forEach(waiting) { session in
                var status = session["status"] ?? [:]
                status["phase"] = .string(Phase.pending.rawValue)
                status["queuePosition"] = nil
                status["message"] = .string("No lab pool \"\(poolName)\"")
                return await write(session, status)
            }
            return try result(of: outcomes)
        }
        let members = clusters.list().filter { $0[path: ["spec", "pool"]]?.stringValue == poolName }
            .map { recent.latest(Self.clusterKind, $0) }
        var holding: [String: JSONValue] = [:]
        for cluster in members {
            if let holder = cluster[path: ["status", "assignedSession"]]?.stringValue { holding[holder] = cluster }
        }
        // A waiting session already holding a cluster had its lease written and its own write
        // lost: finish that lease rather than make another.
        let unfinished = waiting.compactMap { session in holding[Self.id(session)].map { (session, $0) } }
        // Sessions get their finalizer first, so that ending one always releases its cluster.
        let queue = waiting.filter { holding[Self.id($0)] == nil && $0.finalizers.contains(Lab.sessionFinalizer) }
        let free = members.filter {
            $0.deletionTimestamp == nil && $0[path: ["status", "phase"]]?.stringValue == Lab.Phase.available.rawValue
                && $0[path: ["status", "assignedSession"]]?.stringValue == nil
        }.sorted { ($0.name ?? "") < ($1.name ?? "") }

        let outcomes = await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { group in
            for (session, cluster) in unfinished {
                group.addTask { await start(session, on: cluster, pool: pool) }
            }
            for (session, cluster) in zip(queue, free) {
                group.addTask { await lease(cluster, to: session, pool: pool) }
            }
            for (index, session) in queue.dropFirst(free.count).enumerated() {
                group.addTask {
                    var status = session["status"] ?? [:]
                    status["phase"] = .string(Phase.pending.rawValue)
                    status["queuePosition"] = .int(Int64(index + 1))
                    status["message"] = .string("Waiting for a free cluster in pool \(poolName)")
                    // A place written over a stale copy is corrected by the pass its event starts.
                    if case .failed(let error) = await write(session, status), !error.isConflict { return .failed(error) }
                    return .done
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        return try result(of: outcomes)
    }

    /// The pool's waiting sessions, first come first served.
    static func queue(_ sessions: [JSONValue], pool: String) -> [JSONValue] {
        // Each request time is read once: parsing in the comparator would cost n log n parses.
        sessions.filter { session in
            let phase = session[path: ["status", "phase"]]?.stringValue
            return session.deletionTimestamp == nil && (phase == nil || phase == Phase.pending.rawValue)
                && LabSessionReconciler.pool(of: session) == pool
        }
        .map { (requestedAt($0), $0.namespace ?? "", $0.name ?? "", $0) }
        .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        .map(\.3)
    }

    /// When the session was asked for: its `virtyard.io/requested-at` annotation, else its
    /// creation time.
    static func requestedAt(_ session: JSONValue) -> Date {
        (session.annotations[Lab.requestedAtAnnotation] ?? session[path: ["metadata", "creationTimestamp"]]?.stringValue)
            .flatMap(Timestamp.date) ?? .distantFuture
    }

    // MARK: - One lease

    private func lease(_ cluster: JSONValue, to session: JSONValue, pool: JSONValue) async -> Outcome {
        let me = Self.id(session)
        var locked = cluster
        locked[path: ["status", "phase"]] = .string(Lab.Phase.locked.rawValue)
        locked[path: ["status", "assignedSession"]] = .string(me)
        locked[path: ["status", "lockTime"]] = .string(Timestamp.microString(Date()))
        locked[path: ["status", "message"]] = .string("Leased to session \(me)")
        let taken: JSONValue
        do {
            taken = try await api.updateStatus(.labClusters, namespace: cluster.namespace, object: locked)
        } catch {
            return error.isConflict ? .lostRace : .failed(error)
        }
        recent.record(Self.clusterKind, replacing: cluster, with: taken)
        logger.info("lab cluster leased", metadata: ["session": "\(me)", "cluster": "\(cluster.name ?? "")"])
        return await start(session, on: taken, pool: pool)
    }

    /// Writes the lease into the session and, without a scenario to set up, starts it.
    private func start(_ session: JSONValue, on cluster: JSONValue, pool: JSONValue) async -> Outcome {
        let id = cluster.name ?? ""
        var status = session["status"] ?? [:]
        status["cluster"] = .string(id)
        status["clusterLockTime"] = cluster[path: ["status", "lockTime"]] ?? .string(Timestamp.microString(Date()))
        status["controlPlaneVM"] = .string(Lab.controlPlaneVM(id))
        status["workerNodeVM"] = .string(Lab.workerVM(id))
        status["queuePosition"] = nil
        if let scenario = session[path: ["spec", "scenario"]]?.stringValue, !scenario.isEmpty {
            status["phase"] = .string(Phase.provisioning.rawValue)
            status["message"] = .string("Cluster \(id) assigned; setting up scenario \(scenario)")
        } else {
            let token: String
            do {
                token = try await SessionTokens(api: api).ensure(for: session)
            } catch {
                return .failed(error)
            }
            await access.grant(token: token, clusterID: id)
            status = LabSessionReconciler.running(status, cluster: id, timeout: LabSessionReconciler.timeout(session, pool: pool))
        }
        return await write(session, status)
    }

    // MARK: - Helpers

    private static func id(_ session: JSONValue) -> String { LabSessionReconciler.sessionID(session) }

    private func write(_ session: JSONValue, _ status: JSONValue) async -> Outcome {
        guard status != session["status"] else { return .done }
        var updated = session
        updated["status"] = status
        do {
            let written = try await api.updateStatus(.labSessions, namespace: session.namespace, object: updated)
            recent.record(Self.sessionKind, replacing: session, with: written)
            return .done
        } catch {
            return error.isConflict ? .lostRace : .failed(error)
        }
    }

    private func forEach(_ sessions: [JSONValue], _ body: @escaping @Sendable (JSONValue) async -> Outcome) async -> [Outcome] {
        await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { group in
            for session in sessions { group.addTask { await body(session) } }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    /// A failed write fails the pass (the controller backs off); a lost race asks for another
    /// pass at once.
    private func result(of outcomes: [Outcome]) throws(KubeClientError) -> ReconcileResult {
        var lostRace = false
        for outcome in outcomes {
            switch outcome {
            case .done: break
            case .lostRace: lostRace = true
            case .failed(let error): throw error
            }
        }
        return lostRace ? .requeueAfter(.milliseconds(5)) : .done
    }
}
