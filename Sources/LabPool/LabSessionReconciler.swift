import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// A session's life after the queue (``LabQueueReconciler``) has leased it a cluster:
/// Provisioning (its token granted on that cluster, the scenario's setup applied) → Running
/// until `expiresAt` → Expired, or Completed when the API ends it; either way the cluster is
/// released to Resetting and the token revoked at once, and `endTime` written. An ended
/// session stays readable for its pool's `sessionRetention`, then is deleted. Pending
/// sessions belong to the queue.
struct LabSessionReconciler: Reconciler {
    static let defaultTimeout: Duration = .seconds(3600)
    /// How long an ended session stays readable when its pool does not say.
    static let defaultRetention: Duration = .seconds(600)

    let api: any KubernetesAPI
    let sessions: Informer
    let clusters: Informer
    let pools: Informer
    let scenarios: Informer
    /// The sessions' token Secrets (label ``SessionTokens/label``).
    let secrets: Informer
    let access: any SessionAccess
    let logger: Logger

    var tokens: SessionTokens { SessionTokens(api: api) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let stored = sessions.get(key) else { return .done }
        let session = LabSessionObject(stored)
        if session.isDeleting {
            if !session.isOver {
                var ended = session
                ended.end(.completed, message: "The session ended")
                ended.queuePosition = nil
                try? await write(session, ended)
            }
            try await release(session)
            try await api.removeFinalizer(Lab.sessionFinalizer, from: session.object, .labSessions)
            return .done
        }
        if try await api.addFinalizer(Lab.sessionFinalizer, to: session.object, .labSessions) != nil {
            return .done
        }
        switch session.phase {
        case nil, .pending:
            // The queue leases clusters to waiting sessions, a pool at a time.
            return .done
        case .provisioning:
            return try await provision(session)
        case .running:
            return try await keepRunning(session)
        case .completed, .failed, .expired:
            return try await retire(session)
        }
    }

    /// An ended session: its cluster and token given back (again, if a lease raced the end),
    /// then the session itself deleted once its retention has passed.
    private func retire(_ session: LabSessionObject) async throws -> ReconcileResult {
        guard let ended = session.endTime else {
            // Ended by an older version, or by hand: the retention counts from now.
            var updated = session
            updated.endTime = Date()
            try await write(session, updated)
            return .done
        }
        if holdsAnything(session) { try await release(session) }
        let retention = Self.retention(pool: pool(of: session))
        let remaining = ended.addingTimeInterval(retention.timeInterval).timeIntervalSinceNow
        guard remaining <= 0 else { return .requeueAfter(.milliseconds(Int64(remaining * 1000) + 1)) }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.labSessions, namespace: session.object.namespace, name: session.name)
        }
        return .done
    }

    /// Whether the cache shows the session still holding a cluster or a token.
    private func holdsAnything(_ session: LabSessionObject) -> Bool {
        let me = session.name
        let holding = clusters.list().map(LabClusterObject.init).contains { $0.assignedSession == me && $0.phase == .locked }
        return holding || secrets.get(namespace: session.object.namespace, name: SessionTokens.secretName(session: me)) != nil
    }

    /// How long ended sessions of the pool stay readable (`spec.sessionRetention`).
    static func retention(pool: LabPoolObject?) -> Duration {
        pool?.sessionRetention ?? defaultRetention
    }

    /// The pool the session asks for, from the cache.
    private func pool(of session: LabSessionObject) -> LabPoolObject? {
        pools.get(namespace: nil, name: session.pool).map(LabPoolObject.init)
    }

    // MARK: - Provisioning and running

    private func provision(_ session: LabSessionObject) async throws -> ReconcileResult {
        guard let id = session.cluster else { return .done }
        let token = try await tokens.ensure(for: session.object)
        await access.grant(token: token, clusterID: id)
        var updated = session
        if let scenarioID = session.scenario {
            switch await setUp(scenarioID, clusterID: id, token: token) {
            case .done:
                break
            case .notYet:
                // The cluster's address is not known yet (the API that serves it is starting).
                return .requeueAfter(.seconds(1))
            case .failed(let problem):
                updated.end(.failed, message: problem)
                try await write(session, updated)
                try await release(session)
                return .done
            }
        }
        updated.startRunning(on: id, timeout: timeout(session))
        try await write(session, updated)
        return .done
    }

    private func keepRunning(_ session: LabSessionObject) async throws -> ReconcileResult {
        let startText = session.startTimeText ?? Timestamp.microString(Date())
        let expiresText = Self.expiry(startTime: startText, timeout: timeout(session))
        let expires = Timestamp.date(expiresText) ?? Date()
        var updated = session
        if Date() >= expires {
            updated.end(.expired, message: "The session timed out")
            try await write(session, updated)
            try await release(session)
            return .done
        }
        if session.expiresAtText != expiresText {
            updated.expiresAtText = expiresText
            try await write(session, updated)
        }
        // Tokens live in memory on the embedded server: grant again after a restart.
        var token = SessionTokens.token(
            in: secrets.get(
                namespace: session.object.namespace,
                name: SessionTokens.secretName(session: session.name)))
        if token == nil { token = try await tokens.stored(for: session.object) }
        if let id = session.cluster, let token {
            await access.grant(token: token, clusterID: id)
        }
        return .requeueAfter(.milliseconds(Int64(expires.timeIntervalSinceNow * 1000) + 1))
    }

    /// `expiresAt` for a session started at `startTime` (as written), to the microsecond.
    static func expiry(startTime: String, timeout: Duration) -> String {
        // In integers: through Double the microseconds could come out one short.
        guard let (seconds, nanoseconds) = RFC3339Timestamp.parse(startTime),
            let text = RFC3339Timestamp.format(
                seconds: seconds + timeout.components.seconds,
                nanoseconds: nanoseconds + timeout.components.attoseconds / 1_000_000_000,
                microseconds: true)
        else { return Timestamp.microString(Date().addingTimeInterval(timeout.timeInterval)) }
        return text
    }

    func timeout(_ session: LabSessionObject) -> Duration {
        Self.timeout(session, pool: pool(of: session))
    }

    /// The pool's session timeout plus the extensions granted (`spec.extension`).
    static func timeout(_ session: LabSessionObject, pool: LabPoolObject?) -> Duration {
        (pool?.sessionTimeout ?? Self.defaultTimeout) + session.extension
    }

    /// How a scenario's setup went.
    enum SetUp {
        case done
        /// The cluster cannot be reached yet: try again shortly.
        case notYet
        case failed(String)
    }

    /// Applies the scenario's setup manifests to the session's cluster.
    private func setUp(_ scenarioID: String, clusterID: String, token: String) async -> SetUp {
        guard let object = scenarios.get(namespace: nil, name: scenarioID) else { return .failed("no scenario \"\(scenarioID)\"") }
        do {
            let scenario = try Scenario(object)
            guard !scenario.setup.isEmpty else { return .done }
            guard let client = try access.client(clusterID: clusterID, token: token) else { return .notYet }
            do {
                try await scenario.applySetup(to: client)
            } catch {
                try? await client.shutdown()
                return .failed("the scenario's setup failed: \(error)")
            }
            try? await client.shutdown()
            return .done
        } catch {
            return .failed("the scenario's setup failed: \(error)")
        }
    }

    // MARK: - Release

    /// Hands the cluster back (to Resetting) and revokes the token; safe to repeat.
    private func release(_ session: LabSessionObject) async throws {
        let me = session.name
        // The cluster the session names, and any the cache shows it holding (a lease whose
        // session write was lost names none).
        var held = clusters.list().map(LabClusterObject.init).filter { $0.assignedSession == me }.map(\.name)
        if let named = session.cluster, !held.contains(named) { held.insert(named, at: 0) }
        let token = try await tokens.stored(for: session.object)
        for id in held {
            if let token { await access.revoke(token: token, clusterID: id) }
            for _ in 0..<5 {
                guard
                    let cluster = try await tolerating(
                        KubeClientError.notFound,
                        { () async throws(KubeClientError) in
                            try await api.get(.labClusters, namespace: id, name: id)
                        }
                    ).map(LabClusterObject.init), cluster.assignedSession == me, cluster.phase == .locked
                else { break }
                var resetting = cluster
                // Released once (no holder left): a later release of the same session finds
                // nothing to do.
                resetting.releaseToReset(message: "Session \(me) ended: resetting to the baseline")
                let written: Result<JSONValue, KubeClientError>
                do {
                    written = .success(try await api.updateStatus(.labClusters, namespace: id, object: resetting.object))
                } catch {
                    written = .failure(error)
                }
                if case .failure(let error) = written {
                    if error.isConflict { continue }
                    throw error
                }
                logger.info("lab cluster released", metadata: ["session": "\(me)", "cluster": "\(id)"])
                break
            }
        }
        try await tokens.remove(for: session.object)
    }

    /// Writes `updated`'s status unless it is `session`'s.
    private func write(_ session: LabSessionObject, _ updated: LabSessionObject) async throws {
        try await api.updateStatusIfChanged(.labSessions, current: session.object, updated: updated.object)
    }
}

extension LabSessionObject {
    /// Starts the session running now on the cluster `id`, for `timeout`.
    mutating func startRunning(on id: String, timeout: Duration) {
        let startText = Timestamp.microString(Date())
        phase = .running
        startTimeText = startText
        expiresAtText = LabSessionReconciler.expiry(startTime: startText, timeout: timeout)
        queuePosition = nil
        message = "Running on \(id)"
    }
}
