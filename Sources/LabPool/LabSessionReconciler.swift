import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// A session's life: Pending (in its pool's FIFO, by request time) → a cluster is taken with
/// an optimistic-concurrency write on the LabCluster (never two sessions on one cluster,
/// whatever the number of replicas) → Provisioning (its token granted on that cluster) →
/// Running until `expiresAt` → Expired, or Completed when deleted; either way the cluster is
/// released to Resetting and the token revoked.
struct LabSessionReconciler: Reconciler {
    static let defaultTimeout: Duration = .seconds(3600)

    let api: any KubernetesAPI
    let sessions: Informer
    let clusters: Informer
    let pools: Informer
    let scenarios: Informer
    let access: any SessionAccess
    let logger: Logger

    typealias Phase = Lab.SessionPhase

    static func secretName(session: String) -> String { "lab-session-\(session)" }
    /// On a session's token Secret, valued with the session's name.
    static let tokenLabel = "virtyard.io/lab-session"


    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let session = sessions.get(key) else { return .done }
        if session.deletionTimestamp != nil {
            let phase = session[path: ["status", "phase"]]?.stringValue.flatMap(Phase.init(rawValue:))
            if phase == nil || !(phase?.isOver ?? false) {
                var status = session["status"] ?? [:]
                status["phase"] = .string(Phase.completed.rawValue)
                status["queuePosition"] = nil
                status["message"] = "The session ended"
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
            return try await assign(session)
        case .provisioning:
            return try await provision(session)
        case .running:
            return try await keepRunning(session)
        case .completed, .failed, .expired:
            let id = session[path: ["status", "cluster"]]?.stringValue
            let held = id.flatMap { clusters.get(namespace: $0, name: $0) }?[path: ["status", "assignedSession"]]?.stringValue
                == Self.sessionID(session)
            if held { try await release(session) }
            return .done
        }
    }

    // MARK: - Pending

    static func pool(of session: JSONValue) -> String {
        session[path: ["spec", "pool"]]?.stringValue ?? Lab.defaultPool
    }

    static func requestedAt(_ session: JSONValue) -> Date {
        (session.annotations[Lab.requestedAtAnnotation] ?? session[path: ["metadata", "creationTimestamp"]]?.stringValue)
            .flatMap(Timestamp.date) ?? .distantFuture
    }

    /// The pool's waiting sessions, first come first served.
    static func queue(_ sessions: [JSONValue], pool: String) -> [JSONValue] {
        sessions.filter { session in
            let phase = session[path: ["status", "phase"]]?.stringValue
            return session.deletionTimestamp == nil && (phase == nil || phase == Phase.pending.rawValue)
                && Self.pool(of: session) == pool
        }.sorted { (requestedAt($0), $0.namespace ?? "", $0.name ?? "") < (requestedAt($1), $1.namespace ?? "", $1.name ?? "") }
    }

    private func assign(_ session: JSONValue) async throws -> ReconcileResult {
        let poolName = Self.pool(of: session)
        let me = Self.sessionID(session)
        var status = session["status"] ?? [:]
        guard pools.get(namespace: nil, name: poolName) != nil else {
            status["phase"] = .string(Phase.pending.rawValue)
            status["message"] = .string("No lab pool \"\(poolName)\"")
            try await write(session, status)
            return .done
        }
        let members = clusters.list().filter { $0[path: ["spec", "pool"]]?.stringValue == poolName }
        // A cluster this session already took (the session's own write may have failed).
        if let mine = members.first(where: { $0[path: ["status", "assignedSession"]]?.stringValue == me }) {
            return try await assigned(session, cluster: mine)
        }
        let free = members.filter {
            $0[path: ["status", "phase"]]?.stringValue == Lab.Phase.available.rawValue
                && $0[path: ["status", "assignedSession"]]?.stringValue == nil
        }.sorted { ($0.name ?? "") < ($1.name ?? "") }
        let queue = Self.queue(sessions.list(), pool: poolName)
        let position = queue.firstIndex { $0.uid == session.uid } ?? queue.count
        if position < free.count {
            // The n-th waiting session tries the n-th free cluster first, so a burst of
            // sessions spreads over the clusters instead of all racing for the first.
            for offset in 0 ..< free.count {
                let candidate = free[(position + offset) % free.count]
                var locked = candidate
                locked[path: ["status", "phase"]] = .string(Lab.Phase.locked.rawValue)
                locked[path: ["status", "assignedSession"]] = .string(me)
                locked[path: ["status", "lockTime"]] = .string(Timestamp.now())
                locked[path: ["status", "message"]] = .string("Leased to session \(me)")
                let result: Result<JSONValue, KubeClientError>
                do {
                    result = .success(try await api.updateStatus(.labClusters, namespace: candidate.namespace, object: locked))
                } catch {
                    result = .failure(error)
                }
                switch result {
                case .success(let taken):
                    return try await assigned(session, cluster: taken)
                case .failure(let error) where error.isConflict:
                    continue
                case .failure(let error):
                    throw error
                }
            }
            return .requeueAfter(.milliseconds(20))
        }
        status["phase"] = .string(Phase.pending.rawValue)
        status["queuePosition"] = .int(Int64(position - free.count + 1))
        status["message"] = .string("Waiting for a free cluster in pool \(poolName)")
        try await write(session, status)
        return .done
    }

    private func assigned(_ session: JSONValue, cluster: JSONValue) async throws -> ReconcileResult {
        var status = session["status"] ?? [:]
        let id = cluster.name ?? ""
        status["phase"] = .string(Phase.provisioning.rawValue)
        status["cluster"] = .string(id)
        status["clusterLockTime"] = cluster[path: ["status", "lockTime"]] ?? .string(Timestamp.now())
        status["controlPlaneVM"] = .string(Lab.controlPlaneVM(id))
        status["workerNodeVM"] = .string(Lab.workerVM(id))
        status["queuePosition"] = nil
        status["message"] = .string("Cluster \(id) assigned")
        try await write(session, status)
        logger.info("lab cluster leased", metadata: ["session": "\(Self.sessionID(session))", "cluster": "\(id)"])
        return .done
    }

    // MARK: - Provisioning and running

    private func provision(_ session: JSONValue) async throws -> ReconcileResult {
        guard let id = session[path: ["status", "cluster"]]?.stringValue else { return .done }
        let token = try await ensureToken(session)
        await access.grant(token: token, clusterID: id)
        var status = session["status"] ?? [:]
        if let scenarioID = session[path: ["spec", "scenario"]]?.stringValue, !scenarioID.isEmpty {
            if let problem = await setUp(scenarioID, clusterID: id, token: token) {
                status["phase"] = .string(Phase.failed.rawValue)
                status["message"] = .string(problem)
                try await write(session, status)
                try await release(session)
                return .done
            }
        }
        let start = Date()
        status["phase"] = .string(Phase.running.rawValue)
        status["startTime"] = .string(Timestamp.string(start))
        status["expiresAt"] = .string(Timestamp.string(start.addingTimeInterval(timeout(session).timeInterval)))
        status["message"] = .string("Running on \(id)")
        try await write(session, status)
        return .done
    }

    private func keepRunning(_ session: JSONValue) async throws -> ReconcileResult {
        let started = session[path: ["status", "startTime"]]?.stringValue.flatMap(Timestamp.date) ?? Date()
        let expires = started.addingTimeInterval(timeout(session).timeInterval)
        var status = session["status"] ?? [:]
        let expiresText = Timestamp.string(expires)
        if Date() >= expires {
            status["phase"] = .string(Phase.expired.rawValue)
            status["message"] = "The session timed out"
            try await write(session, status)
            try await release(session)
            return .done
        }
        if status["expiresAt"]?.stringValue != expiresText {
            status["expiresAt"] = .string(expiresText)
            try await write(session, status)
        }
        // Tokens live in memory on the embedded server: grant again after a restart.
        if let id = status["cluster"]?.stringValue, let token = try await storedToken(session) {
            await access.grant(token: token, clusterID: id)
        }
        return .requeueAfter(.milliseconds(Int64(expires.timeIntervalSinceNow * 1000) + 1))
    }

    /// The pool's session timeout plus the extensions granted (`spec.extension`).
    func timeout(_ session: JSONValue) -> Duration {
        let pool = pools.get(namespace: nil, name: Self.pool(of: session))
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
        if let id = session[path: ["status", "cluster"]]?.stringValue {
            if let token = try await storedToken(session) { await access.revoke(token: token, clusterID: id) }
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
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.secrets, namespace: session.namespace, name: Self.secretName(session: session.name ?? ""))
        }
    }

    // MARK: - Tokens

    private func ensureToken(_ session: JSONValue) async throws -> String {
        let token = Self.generateToken()
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": ["name": .string(Self.secretName(session: session.name ?? "")), "namespace": .string(session.namespace ?? "default"),
                         "labels": .object([Self.tokenLabel: .string(session.name ?? "")]),
                         "ownerReferences": [["apiVersion": .string(Lab.apiVersion), "kind": "LabSession",
                                              "name": .string(session.name ?? ""), "uid": .string(session.uid ?? ""),
                                              "controller": true, "blockOwnerDeletion": true]]],
            "stringData": ["token": .string(token)],
        ]
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.secrets, namespace: session.namespace, object: secret)
        }
        if created != nil { return token }
        return try await storedToken(session) ?? token
    }

    private func storedToken(_ session: JSONValue) async throws -> String? {
        let secret = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.secrets, namespace: session.namespace, name: Self.secretName(session: session.name ?? ""))
        }
        guard let encoded = secret?[path: ["data", "token"]]?.stringValue, let data = Data(base64Encoded: encoded) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0 ..< 32).map { _ in String(format: "%02x", UInt8.random(in: 0 ... 255, using: &generator)) }.joined()
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
