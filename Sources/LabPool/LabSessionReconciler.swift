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

    typealias Phase = Lab.SessionPhase

    var tokens: SessionTokens { SessionTokens(api: api) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let session = sessions.get(key) else { return .done }
        if session.deletionTimestamp != nil {
            let phase = session[path: ["status", "phase"]]?.stringValue.flatMap(Phase.init(rawValue:))
            if phase == nil || !(phase?.isOver ?? false) {
                var status = Self.ended(session["status"] ?? [:], phase: .completed, message: "The session ended")
                status["queuePosition"] = nil
                try? await write(session, status)
            }
            try await release(session)
            if session.finalizers.contains(Lab.sessionFinalizer) {
                var updated = session
                updated.finalizers = session.finalizers.filter { $0 != Lab.sessionFinalizer }
                _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.update(.labSessions, namespace: key.namespace, object: updated)
                }
            }
            return .done
        }
        if !session.finalizers.contains(Lab.sessionFinalizer) {
            var updated = session
            updated.finalizers = session.finalizers + [Lab.sessionFinalizer]
            _ = try await api.update(.labSessions, namespace: key.namespace, object: updated)
            return .done
        }
        let phase = session[path: ["status", "phase"]]?.stringValue.flatMap(Phase.init(rawValue:))
        switch phase {
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
    private func retire(_ session: JSONValue) async throws -> ReconcileResult {
        guard let endText = session[path: ["status", "endTime"]]?.stringValue, let ended = Timestamp.date(endText) else {
            // Ended by an older version, or by hand: the retention counts from now.
            var status = session["status"] ?? [:]
            status["endTime"] = .string(Timestamp.microString(Date()))
            try await write(session, status)
            return .done
        }
        if holdsAnything(session) { try await release(session) }
        let retention = Self.retention(pool: pools.get(namespace: nil, name: Self.pool(of: session)))
        let remaining = ended.addingTimeInterval(retention.timeInterval).timeIntervalSinceNow
        guard remaining <= 0 else { return .requeueAfter(.milliseconds(Int64(remaining * 1000) + 1)) }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.labSessions, namespace: session.namespace, name: Self.sessionID(session))
        }
        return .done
    }

    /// Whether the cache shows the session still holding a cluster or a token.
    private func holdsAnything(_ session: JSONValue) -> Bool {
        let me = Self.sessionID(session)
        let holding = clusters.list().contains {
            $0[path: ["status", "assignedSession"]]?.stringValue == me
                && $0[path: ["status", "phase"]]?.stringValue == Lab.Phase.locked.rawValue
        }
        return holding || secrets.get(namespace: session.namespace, name: SessionTokens.secretName(session: me)) != nil
    }

    /// `status` of a session that ends now in `phase` (Completed, Failed or Expired).
    static func ended(_ status: JSONValue, phase: Phase, message: String) -> JSONValue {
        var status = status
        status["phase"] = .string(phase.rawValue)
        status["message"] = .string(message)
        status["endTime"] = .string(Timestamp.microString(Date()))
        return status
    }

    /// How long ended sessions of the pool stay readable (`spec.sessionRetention`).
    static func retention(pool: JSONValue?) -> Duration {
        pool?[path: ["spec", "sessionRetention"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? defaultRetention
    }

    /// The pool a session asks for; `default` when it names none.
    static func pool(of session: JSONValue) -> String {
        session[path: ["spec", "pool"]]?.stringValue ?? Lab.defaultPool
    }

    // MARK: - Provisioning and running

    private func provision(_ session: JSONValue) async throws -> ReconcileResult {
        guard let id = session[path: ["status", "cluster"]]?.stringValue else { return .done }
        let token = try await tokens.ensure(for: session)
        await access.grant(token: token, clusterID: id)
        var status = session["status"] ?? [:]
        if let scenarioID = session[path: ["spec", "scenario"]]?.stringValue, !scenarioID.isEmpty {
            if let problem = await setUp(scenarioID, clusterID: id, token: token) {
                status = Self.ended(status, phase: .failed, message: problem)
                try await write(session, status)
                try await release(session)
                return .done
            }
        }
        try await write(session, Self.running(status, cluster: id, timeout: timeout(session)))
        return .done
    }

    private func keepRunning(_ session: JSONValue) async throws -> ReconcileResult {
        let startText = session[path: ["status", "startTime"]]?.stringValue ?? Timestamp.microString(Date())
        let expiresText = Self.expiry(startTime: startText, timeout: timeout(session))
        let expires = Timestamp.date(expiresText) ?? Date()
        var status = session["status"] ?? [:]
        if Date() >= expires {
            status = Self.ended(status, phase: .expired, message: "The session timed out")
            try await write(session, status)
            try await release(session)
            return .done
        }
        if status["expiresAt"]?.stringValue != expiresText {
            status["expiresAt"] = .string(expiresText)
            try await write(session, status)
        }
        // Tokens live in memory on the embedded server: grant again after a restart.
        var token = SessionTokens.token(in: secrets.get(namespace: session.namespace,
                                                        name: SessionTokens.secretName(session: session.name ?? "")))
        if token == nil { token = try await tokens.stored(for: session) }
        if let id = status["cluster"]?.stringValue, let token {
            await access.grant(token: token, clusterID: id)
        }
        return .requeueAfter(.milliseconds(Int64(expires.timeIntervalSinceNow * 1000) + 1))
    }

    /// The status of a session that starts running now on `cluster`.
    static func running(_ status: JSONValue, cluster id: String, timeout: Duration) -> JSONValue {
        var status = status
        let startText = Timestamp.microString(Date())
        status["phase"] = .string(Phase.running.rawValue)
        status["startTime"] = .string(startText)
        status["expiresAt"] = .string(expiry(startTime: startText, timeout: timeout))
        status["queuePosition"] = nil
        status["message"] = .string("Running on \(id)")
        return status
    }

    /// `expiresAt` for a session started at `startTime` (as written), to the microsecond.
    static func expiry(startTime: String, timeout: Duration) -> String {
        // In integers: through Double the microseconds could come out one short.
        guard let (seconds, nanoseconds) = RFC3339Timestamp.parse(startTime),
              let text = RFC3339Timestamp.format(seconds: seconds + timeout.components.seconds,
                                                 nanoseconds: nanoseconds + timeout.components.attoseconds / 1_000_000_000,
                                                 microseconds: true)
        else { return Timestamp.microString(Date().addingTimeInterval(timeout.timeInterval)) }
        return text
    }

    func timeout(_ session: JSONValue) -> Duration {
        Self.timeout(session, pool: pools.get(namespace: nil, name: Self.pool(of: session)))
    }

    /// The pool's session timeout plus the extensions granted (`spec.extension`).
    static func timeout(_ session: JSONValue, pool: JSONValue?) -> Duration {
        let base = pool?[path: ["spec", "sessionTimeout"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? Self.defaultTimeout
        let extra = session[path: ["spec", "extension"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? .zero
        return base + extra
    }

    /// Applies the scenario's setup manifests to the session's cluster; the problem, if any.
    private func setUp(_ scenarioID: String, clusterID: String, token: String) async -> String? {
        guard let object = scenarios.get(namespace: nil, name: scenarioID) else { return "no scenario \"\(scenarioID)\"" }
        do {
            let scenario = try Scenario(object)
            guard !scenario.setup.isEmpty else { return nil }
            guard let client = try access.client(clusterID: clusterID, token: token) else { return nil }
            do {
                try await scenario.applySetup(to: client)
            } catch {
                try? await client.shutdown()
                return "the scenario's setup failed: \(error)"
            }
            try? await client.shutdown()
            return nil
        } catch {
            return "the scenario's setup failed: \(error)"
        }
    }

    // MARK: - Release

    /// Hands the cluster back (to Resetting) and revokes the token; safe to repeat.
    private func release(_ session: JSONValue) async throws {
        let me = Self.sessionID(session)
        // The cluster the session names, and any the cache shows it holding (a lease whose
        // session write was lost names none).
        var held = clusters.list().filter { $0[path: ["status", "assignedSession"]]?.stringValue == me }.compactMap(\.name)
        if let named = session[path: ["status", "cluster"]]?.stringValue, !held.contains(named) { held.insert(named, at: 0) }
        let token = try await tokens.stored(for: session)
        for id in held {
            if let token { await access.revoke(token: token, clusterID: id) }
            for _ in 0 ..< 5 {
                guard let cluster = try await tolerating(KubeClientError.notFound, { () async throws(KubeClientError) in
                    try await api.get(.labClusters, namespace: id, name: id)
                }), cluster[path: ["status", "assignedSession"]]?.stringValue == me,
                      cluster[path: ["status", "phase"]]?.stringValue == Lab.Phase.locked.rawValue else { break }
                var resetting = cluster
                resetting[path: ["status", "phase"]] = .string(Lab.Phase.resetting.rawValue)
                resetting[path: ["status", "reset"]] = nil
                // Released once: a later release of the same session finds nothing to do.
                resetting[path: ["status", "assignedSession"]] = nil
                resetting[path: ["status", "message"]] = .string("Session \(me) ended: resetting to the baseline")
                let written: Result<JSONValue, KubeClientError>
                do {
                    written = .success(try await api.updateStatus(.labClusters, namespace: id, object: resetting))
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
        try await tokens.remove(for: session)
    }

    /// The session's id as the API shows it: its name.
    static func sessionID(_ session: JSONValue) -> String { session.name ?? "" }

    private func write(_ session: JSONValue, _ status: JSONValue) async throws {
        guard status != session["status"] else { return }
        var updated = session
        updated["status"] = status
        _ = try await api.updateStatus(.labSessions, namespace: session.namespace, object: updated)
    }
}
