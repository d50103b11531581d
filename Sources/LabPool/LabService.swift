import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// What the platform API does with the lab pool: sessions started, read, extended and ended as
/// LabSession objects, the pool read from its LabClusters. Connected to the cluster on the
/// leader (`attach`); until then the API answers 503.
public final class LabService: Sendable {
    public struct Configuration: Sendable {
        /// Where the API creates sessions (the platform's namespace).
        public var namespace: String
        /// How long `POST /api/v1/sessions` waits for a cluster before answering with a
        /// pending session.
        public var startWait: Duration

        public init(namespace: String = "virtyard-system", startWait: Duration = .seconds(2)) {
            self.namespace = namespace
            self.startWait = startWait
        }
    }

    struct Cluster: Sendable {
        let api: any KubernetesAPI
        let sessions: Informer
        let clusters: Informer
        let pools: Informer
        let secrets: Informer
        let scenarios: Informer
    }

    public let configuration: Configuration
    let access: any SessionAccess
    let logger: Logger
    private let cluster = Mutex<Cluster?>(nil)

    public init(configuration: Configuration = Configuration(), access: any SessionAccess, logger: Logger) {
        self.configuration = configuration
        self.access = access
        self.logger = logger
    }

    public func attach(api: any KubernetesAPI, informers: SharedInformerFactory) {
        let connected = Cluster(api: api, sessions: informers.informer(for: .labSessions),
                                clusters: informers.informer(for: .labClusters), pools: informers.informer(for: .labPools),
                                secrets: informers.informer(for: .secrets, labelSelector: SessionTokens.label),
                                scenarios: informers.informer(for: .labScenarios))
        // Session tokens found by a hash map, not by reading every Secret per request.
        connected.secrets.addIndex(Self.tokenIndex) { secret in SessionTokens.token(in: secret).map { [$0] } ?? [] }
        cluster.withLock { $0 = connected }
    }

    /// The index of the session token Secrets by their token. The tokens are held in this
    /// process anyway (the cached Secrets); Swift's per-process seeded hashing keeps a lookup's
    /// timing from telling how close a guess came, and a hit is confirmed in constant time.
    static let tokenIndex = "virtyard.io/lab-session-token"

    var connected: Cluster? { cluster.withLock { $0 } }

    // MARK: - Sessions

    func startSession(_ request: StartSessionRequest) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        let pool = request.pool ?? Lab.defaultPool
        // Refused at once, rather than a session that fails a moment later.
        guard cluster.pools.get(namespace: nil, name: pool) != nil else {
            throw LabAPIError(.badRequest, "field \"pool\": no lab pool \"\(pool)\"")
        }
        if let scenario = request.scenarioId, cluster.scenarios.get(namespace: nil, name: scenario) == nil {
            throw LabAPIError(.badRequest, "field \"scenarioId\": no scenario \"\(scenario)\"")
        }
        let name = "session-" + String(BearerToken.generate().prefix(10))
        var spec: JSONValue = ["pool": .string(pool)]
        if let scenario = request.scenarioId { spec["scenario"] = .string(scenario) }
        if let user = request.userId { spec["user"] = .string(user) }
        let session: JSONValue = [
            "apiVersion": .string(Lab.apiVersion), "kind": "LabSession",
            "metadata": ["name": .string(name), "namespace": .string(configuration.namespace),
                         "finalizers": [.string(Lab.sessionFinalizer)],
                         "annotations": .object([Lab.requestedAtAnnotation: .string(Timestamp.microString(Date()))])],
            "spec": spec,
        ]
        let created: JSONValue
        do {
            created = try await cluster.api.create(.labSessions, namespace: configuration.namespace, object: session)
        } catch {
            throw LabAPIError(.failed, "could not create the session: \(error)")
        }
        // A free cluster is leased within milliseconds; wait a little so the answer is usable.
        let deadline = ContinuousClock.now + configuration.startWait
        while ContinuousClock.now < deadline {
            if let current = cluster.sessions.get(namespace: configuration.namespace, name: name),
               let phase = current[path: ["status", "phase"]]?.stringValue,
               phase == Lab.SessionPhase.running.rawValue || current[path: ["status", "queuePosition"]] != nil {
                if phase != Lab.SessionPhase.running.rawValue || token(of: current) != nil { break }
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        // Under load the cache may not hold it yet: the session as created, Pending.
        guard cluster.sessions.get(namespace: configuration.namespace, name: name) != nil else {
            return Self.render(created, token: nil, access: access)
        }
        return try sessionJSON(name)
    }

    func session(_ id: String) throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        guard let session = cluster.sessions.get(namespace: configuration.namespace, name: id) else {
            throw LabAPIError.sessionNotFound(id)
        }
        return session
    }

    func sessionJSON(_ id: String) throws(LabAPIError) -> JSONValue {
        let current = try session(id)
        var json = Self.render(current, token: token(of: current), access: access)
        json["tasks"] = .array(tasks(of: current))
        return json
    }

    // MARK: - Scenarios

    func scenarioList() throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        return .array(cluster.scenarios.list().compactMap { try? Scenario($0).json })
    }

    private func scenario(of session: JSONValue) -> Scenario? {
        guard let id = session[path: ["spec", "scenario"]]?.stringValue,
              let object = connected?.scenarios.get(namespace: nil, name: id) else { return nil }
        return try? Scenario(object)
    }

    /// The scenario's tasks with how their last validation went (`pending` before any).
    func tasks(of session: JSONValue) -> [JSONValue] {
        let results = session[path: ["status", "tasks"]]
        return scenario(of: session)?.tasks.map { task in
            var json: JSONValue = ["id": .string(task.id), "title": .string(task.title), "description": .string(task.description),
                                   "status": "pending"]
            if let result = results?[task.id] {
                json["status"] = result["passed"]?.boolValue == true ? "completed" : "failed"
                json["validatedAt"] = result["validatedAt"] ?? .null
            }
            return json
        } ?? []
    }

    func tasks(_ id: String) throws(LabAPIError) -> JSONValue {
        .array(tasks(of: try session(id)))
    }

    /// Runs the task's checks against the session's cluster and records the outcome.
    func validate(_ id: String, task taskID: String) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        let current = try session(id)
        guard let scenario = scenario(of: current), let task = scenario.tasks.first(where: { $0.id == taskID }) else {
            throw LabAPIError(.notFound, "task \(taskID) not found in the session's scenario")
        }
        guard current[path: ["status", "phase"]]?.stringValue == Lab.SessionPhase.running.rawValue,
              let clusterID = current[path: ["status", "cluster"]]?.stringValue, let token = token(of: current) else {
            throw LabAPIError(.conflict, "the session is not running")
        }
        let client: HTTPKubernetesClient?
        do {
            client = try access.client(clusterID: clusterID, token: token)
        } catch {
            throw LabAPIError(.failed, "cannot reach the session's cluster: \(error)")
        }
        guard let client else { throw LabAPIError(.failed, "the session's cluster cannot be reached from here") }
        let results = await Scenario.run(task, against: client)
        try? await client.shutdown()
        let passed = results.allSatisfy(\.passed)
        _ = try? await cluster.api.patch(.labSessions, namespace: configuration.namespace, name: id,
                                         patch: ["status": ["tasks": .object([taskID: ["passed": .bool(passed),
                                                                                                     "validatedAt": .string(Timestamp.now())]])]],
                                         type: .merge, subresource: "status", options: .default)
        return ["taskId": .string(taskID), "passed": .bool(passed), "status": .string(passed ? "completed" : "failed"),
                "checks": .array(results.map { ["description": .string($0.check.description), "passed": .bool($0.passed),
                                                "message": .string($0.message)] })]
    }

    func allSessions() throws(LabAPIError) -> [JSONValue] {
        guard let cluster = connected else { throw .unavailable }
        return cluster.sessions.list(namespace: configuration.namespace)
            .sorted { LabQueueReconciler.requestedAt($0) < LabQueueReconciler.requestedAt($1) }
            .map { Self.render($0, token: token(of: $0), access: access) }
    }

    /// Ends the session: its token stops working on its cluster before this returns, the
    /// session becomes Completed (kept readable for the pool's `sessionRetention`), and the
    /// controller releases its cluster to a reset at once. Ending an ended session is a no-op.
    func endSession(_ id: String) async throws(LabAPIError) -> String {
        guard let cluster = connected else { throw .unavailable }
        let current = try session(id)
        if let phase = Self.phase(of: current), phase.isOver {
            return "session already \(phase.rawValue.lowercased())"
        }
        if let clusterID = current[path: ["status", "cluster"]]?.stringValue, let token = token(of: current) {
            await access.revoke(token: token, clusterID: clusterID)
        }
        // A merge patch, not a versioned write: it must win over whatever the controllers are
        // writing. Their versioned writes that race it fail and read the ended session again.
        var status = LabSessionReconciler.ended([:], phase: .completed, message: "The session ended")
        status["queuePosition"] = .null
        let ended: JSONValue = ["status": status]
        do {
            _ = try await cluster.api.patch(.labSessions, namespace: configuration.namespace, name: id, patch: ended,
                                            type: .merge, subresource: "status", options: .default)
        } catch {
            // Deleted meanwhile (kubectl delete): ended all the same.
            guard error.isNotFound else { throw LabAPIError(.failed, "could not end the session: \(error)") }
        }
        return "session ended; its cluster is being reset"
    }

    /// Adds `extra` to the session's time and answers with the new `expirationTime`, computed
    /// and written here (not waited for): a versioned write of `spec.extension`, retried on a
    /// conflict, then `status.expiresAt` from it.
    func extendSession(_ id: String, by extra: Duration) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        _ = try session(id)
        for _ in 0 ..< 10 {
            let fresh: JSONValue
            do {
                fresh = try await cluster.api.get(.labSessions, namespace: configuration.namespace, name: id)
            } catch {
                if error.isNotFound { throw LabAPIError.sessionNotFound(id) }
                throw LabAPIError(.failed, "could not read the session: \(error)")
            }
            guard Self.phase(of: fresh) == .running, let startTime = fresh[path: ["status", "startTime"]]?.stringValue else {
                throw LabAPIError(.badRequest, "only a running session can be extended")
            }
            let pool = cluster.pools.get(namespace: nil, name: LabSessionReconciler.pool(of: fresh))
            let maximum = pool?[path: ["spec", "maxExtension"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? .seconds(3600)
            let already = fresh[path: ["spec", "extension"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? .zero
            guard already + extra <= maximum else {
                throw LabAPIError(.badRequest, "the session may be extended by \(GoDuration.format(maximum)) in all; "
                    + "\(GoDuration.format(already)) used")
            }
            var extended = fresh
            extended[path: ["spec", "extension"]] = .string(GoDuration.format(already + extra))
            let written: JSONValue
            do {
                written = try await cluster.api.update(.labSessions, namespace: configuration.namespace, object: extended)
            } catch {
                if error.isConflict { continue }
                if error.isNotFound { throw LabAPIError.sessionNotFound(id) }
                throw LabAPIError(.failed, "could not extend the session: \(error)")
            }
            let expiresAt = LabSessionReconciler.expiry(startTime: startTime,
                                                         timeout: LabSessionReconciler.timeout(written, pool: pool))
            var result = written
            do {
                result = try await cluster.api.patch(.labSessions, namespace: configuration.namespace, name: id,
                                                     patch: ["status": ["expiresAt": .string(expiresAt)]], type: .merge,
                                                     subresource: "status", options: .default)
            } catch {
                // The extension is written; the controller moves expiresAt from it in any case.
                logger.warning("could not write a session's new expiry", metadata: ["session": "\(id)", "error": "\(error)"])
                result[path: ["status", "expiresAt"]] = .string(expiresAt)
            }
            var json = Self.render(result, token: token(of: result), access: access)
            json["tasks"] = .array(tasks(of: result))
            return json
        }
        throw LabAPIError(.conflict, "the session kept changing while it was extended; try again")
    }

    func kubeconfig(_ id: String) throws(LabAPIError) -> String {
        let current = try session(id)
        guard current[path: ["status", "phase"]]?.stringValue == Lab.SessionPhase.running.rawValue,
              let clusterID = current[path: ["status", "cluster"]]?.stringValue, let token = token(of: current),
              let text = access.kubeconfig(clusterID: clusterID, token: token, sessionName: id) else {
            throw LabAPIError(.conflict, "the session has no cluster yet (\(current[path: ["status", "phase"]]?.stringValue ?? "Pending"))")
        }
        return text
    }

    /// The session a bearer token belongs to, if it is the token of a session that has not
    /// ended: one look-up in the token index, the match confirmed in constant time.
    func session(forToken token: String) -> String? {
        guard let cluster = connected else { return nil }
        for secret in cluster.secrets.byIndex(Self.tokenIndex, token) where secret.namespace == configuration.namespace {
            guard let stored = SessionTokens.token(in: secret), ConstantTime.equals(stored, token),
                  let id = secret.labels[SessionTokens.label],
                  let session = cluster.sessions.get(namespace: configuration.namespace, name: id),
                  !(Self.phase(of: session)?.isOver ?? false) else { continue }
            return id
        }
        return nil
    }

    /// Whether `token` is a lab session's (valid on that session's calls only).
    public func isSessionToken(_ token: String) -> Bool {
        session(forToken: token) != nil
    }

    static func phase(of session: JSONValue) -> Lab.SessionPhase? {
        session[path: ["status", "phase"]]?.stringValue.flatMap(Lab.SessionPhase.init(rawValue:))
    }

    private func token(of session: JSONValue) -> String? {
        guard let cluster = connected, let name = session.name else { return nil }
        let secret = cluster.secrets.get(namespace: session.namespace, name: SessionTokens.secretName(session: name))
        return SessionTokens.token(in: secret)
    }

    // MARK: - Pool

    func pool() throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        let clusters = cluster.clusters.list().sorted {
            ($0[path: ["spec", "pool"]]?.stringValue ?? "", $0[path: ["spec", "index"]]?.intValue ?? 0)
                < ($1[path: ["spec", "pool"]]?.stringValue ?? "", $1[path: ["spec", "index"]]?.intValue ?? 0)
        }
        return ["clusters": .array(clusters.map(Self.renderCluster))]
    }

    func bootstrapPool(size: Int?) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        let wanted = size ?? Int(cluster.pools.get(namespace: nil, name: Lab.defaultPool)?[path: ["spec", "size"]]?.intValue ?? 3)
        do {
            try await DefaultPool.apply(size: wanted, api: cluster.api)
        } catch {
            throw LabAPIError(.failed, "could not create the pool: \(error)")
        }
        return ["pool": .string(Lab.defaultPool), "size": .int(Int64(wanted))]
    }

    /// Ends the session holding the cluster (if any) and resets it.
    func resetCluster(_ id: String) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        guard cluster.clusters.get(namespace: id, name: id) != nil else { throw LabAPIError(.notFound, "cluster \(id) not found") }
        let answer: JSONValue = ["clusterId": .string(id), "status": "resetting"]
        // Read fresh and written conditionally: the cluster's controller writes it too, and a
        // conflict means "read again", not a failure.
        for _ in 0 ..< 10 {
            let member: JSONValue
            do {
                member = try await cluster.api.get(.labClusters, namespace: id, name: id)
            } catch {
                if error.isNotFound { throw LabAPIError(.notFound, "cluster \(id) not found") }
                throw LabAPIError(.failed, "could not read \(id): \(error)")
            }
            if let holder = member[path: ["status", "assignedSession"]]?.stringValue,
               let session = cluster.sessions.get(namespace: configuration.namespace, name: holder),
               !(Self.phase(of: session)?.isOver ?? false) {
                // Ending the session releases the cluster to a reset.
                _ = try await endSession(holder)
                return answer
            }
            // A reset under way is the reset asked for.
            if member[path: ["status", "phase"]]?.stringValue == Lab.Phase.resetting.rawValue { return answer }
            var resetting = member
            resetting[path: ["status", "phase"]] = .string(Lab.Phase.resetting.rawValue)
            resetting[path: ["status", "reset"]] = nil
            resetting[path: ["status", "assignedSession"]] = nil
            resetting[path: ["status", "message"]] = "Reset asked for by an administrator"
            do {
                _ = try await cluster.api.updateStatus(.labClusters, namespace: id, object: resetting)
                return answer
            } catch {
                if error.isConflict { continue }
                if error.isNotFound { throw LabAPIError(.notFound, "cluster \(id) not found") }
                throw LabAPIError(.failed, "could not reset \(id): \(error)")
            }
        }
        throw LabAPIError(.conflict, "cluster \(id) kept changing while it was being reset; try again")
    }

    func releaseAll() async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        var released: [JSONValue] = []
        for member in cluster.clusters.list() where member[path: ["status", "phase"]]?.stringValue == Lab.Phase.locked.rawValue {
            guard let id = member.name else { continue }
            _ = try await resetCluster(id)
            released.append(.string(id))
        }
        return ["released": .array(released)]
    }

    // MARK: - JSON, in cks-backend's field names

    static func render(_ session: JSONValue, token: String?, access: any SessionAccess) -> JSONValue {
        let status = session["status"] ?? [:]
        let phase = status["phase"]?.stringValue ?? Lab.SessionPhase.pending.rawValue
        var json: JSONValue = [
            "id": .string(session.name ?? ""),
            "userId": session[path: ["spec", "user"]] ?? .null,
            "scenarioId": session[path: ["spec", "scenario"]] ?? .null,
            "pool": .string(LabSessionReconciler.pool(of: session)),
            "status": .string(phase.lowercased()),
            "requestTime": session.annotations[Lab.requestedAtAnnotation].map(JSONValue.string) ?? .null,
            "startTime": status["startTime"] ?? .null,
            "expirationTime": status["expiresAt"] ?? .null,
            "endTime": status["endTime"] ?? .null,
            "assignedCluster": status["cluster"] ?? .null,
            "clusterLockTime": status["clusterLockTime"] ?? .null,
            "controlPlaneVM": status["controlPlaneVM"] ?? .null,
            "workerNodeVM": status["workerNodeVM"] ?? .null,
            "queuePosition": status["queuePosition"] ?? .null,
            "message": status["message"] ?? .null,
            "tasks": [],
        ]
        if let token { json["token"] = .string(token) }
        if phase == Lab.SessionPhase.running.rawValue, let token, let id = status["cluster"]?.stringValue,
           let kubeconfig = access.kubeconfig(clusterID: id, token: token, sessionName: session.name ?? "") {
            json["kubeconfig"] = .string(kubeconfig)
        }
        return json
    }

    static func renderCluster(_ cluster: JSONValue) -> JSONValue {
        let status = cluster["status"] ?? [:]
        let id = cluster.name ?? ""
        return [
            "clusterId": .string(id),
            "namespace": .string(cluster.namespace ?? id),
            "pool": cluster[path: ["spec", "pool"]] ?? .null,
            "status": .string((status["phase"]?.stringValue ?? Lab.Phase.creating.rawValue).lowercased()),
            "assignedSession": status["assignedSession"] ?? .null,
            "lockTime": status["lockTime"] ?? .null,
            "lastReset": status["lastReset"] ?? .null,
            "controlPlaneVM": .string(Lab.controlPlaneVM(id)),
            "workerNodeVM": .string(Lab.workerVM(id)),
        ]
    }
}
