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
        cluster.withLock { $0 = connected }
    }

    var connected: Cluster? { cluster.withLock { $0 } }

    // MARK: - Sessions

    func startSession(pool: String, scenario: String?, user: String?) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        guard cluster.pools.get(namespace: nil, name: pool) != nil else {
            throw LabAPIError(.badRequest, "no lab pool \"\(pool)\"")
        }
        let name = "session-" + String(SessionTokens.generate().prefix(10))
        var spec: JSONValue = ["pool": .string(pool)]
        if let scenario { spec["scenario"] = .string(scenario) }
        if let user { spec["user"] = .string(user) }
        let session: JSONValue = [
            "apiVersion": .string(Lab.apiVersion), "kind": "LabSession",
            "metadata": ["name": .string(name), "namespace": .string(configuration.namespace),
                         "finalizers": [.string(Lab.sessionFinalizer)],
                         "annotations": .object([Lab.requestedAtAnnotation: .string(Timestamp.microString(Date()))])],
            "spec": spec,
        ]
        do {
            _ = try await cluster.api.create(.labSessions, namespace: configuration.namespace, object: session)
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
        return try sessionJSON(name)
    }

    func session(_ id: String) throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        guard let session = cluster.sessions.get(namespace: configuration.namespace, name: id) else {
            throw LabAPIError(.notFound, "session \(id) not found")
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

    /// Ends the session. Its token stops working before this returns; the controller then
    /// releases the cluster to its reset.
    func endSession(_ id: String) async throws(LabAPIError) {
        guard let cluster = connected else { throw .unavailable }
        let current = try session(id)
        if let clusterID = current[path: ["status", "cluster"]]?.stringValue, let token = token(of: current) {
            await access.revoke(token: token, clusterID: clusterID)
        }
        let result: Result<JSONValue, KubeClientError>
        do {
            result = .success(try await cluster.api.delete(.labSessions, namespace: configuration.namespace, name: id))
        } catch {
            result = .failure(error)
        }
        if case .failure(let error) = result {
            // Ended meanwhile by someone else (its expiry, another call): the outcome asked for.
            guard error.isNotFound else { throw LabAPIError(.failed, "could not end the session: \(error)") }
        }
    }

    func extendSession(_ id: String, by extra: Duration) async throws(LabAPIError) -> JSONValue {
        guard let cluster = connected else { throw .unavailable }
        let current = try session(id)
        guard current[path: ["status", "phase"]]?.stringValue == Lab.SessionPhase.running.rawValue else {
            throw LabAPIError(.badRequest, "only a running session can be extended")
        }
        let pool = cluster.pools.get(namespace: nil, name: LabSessionReconciler.pool(of: current))
        let maximum = pool?[path: ["spec", "maxExtension"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? .seconds(3600)
        let already = current[path: ["spec", "extension"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? .zero
        guard already + extra <= maximum else {
            throw LabAPIError(.badRequest, "the session may be extended by \(GoDuration.format(maximum)) in all; "
                + "\(GoDuration.format(already)) used")
        }
        do {
            _ = try await cluster.api.patch(.labSessions, namespace: configuration.namespace, name: id,
                                            patch: ["spec": ["extension": .string(GoDuration.format(already + extra))]])
        } catch {
            throw LabAPIError(.failed, "could not extend the session: \(error)")
        }
        // The controller moves expiresAt; answer with it.
        let deadline = ContinuousClock.now + .seconds(2)
        let before = current[path: ["status", "expiresAt"]]
        while ContinuousClock.now < deadline, (try? session(id))?[path: ["status", "expiresAt"]] == before {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return try sessionJSON(id)
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

    /// The session a bearer token belongs to, if it is a session token.
    func session(forToken token: String) -> String? {
        guard let cluster = connected else { return nil }
        for secret in cluster.secrets.list(namespace: configuration.namespace) {
            if SessionTokens.token(in: secret) == token { return secret.labels[SessionTokens.label] }
        }
        return nil
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
        guard let member = cluster.clusters.get(namespace: id, name: id) else { throw LabAPIError(.notFound, "cluster \(id) not found") }
        if let holder = member[path: ["status", "assignedSession"]]?.stringValue,
           cluster.sessions.get(namespace: configuration.namespace, name: holder) != nil {
            try await endSession(holder)
        } else {
            var resetting = member
            resetting[path: ["status", "phase"]] = .string(Lab.Phase.resetting.rawValue)
            resetting[path: ["status", "reset"]] = nil
            resetting[path: ["status", "assignedSession"]] = nil
            resetting[path: ["status", "message"]] = "Reset asked for by an administrator"
            do {
                _ = try await cluster.api.updateStatus(.labClusters, namespace: id, object: resetting)
            } catch {
                throw LabAPIError(.failed, "could not reset \(id): \(error)")
            }
        }
        return ["clusterId": .string(id), "status": "resetting"]
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

/// A platform API failure, as `{"error", "message"}` with its HTTP status.
struct LabAPIError: Error {
    enum Kind: String {
        case badRequest = "BadRequest"
        case unauthorized = "Unauthorized"
        case notFound = "NotFound"
        case conflict = "Conflict"
        case unavailable = "ServiceUnavailable"
        case failed = "InternalError"
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static let unavailable = LabAPIError(.unavailable, "the lab pool is not connected to the cluster yet (or this replica is not the leader)")
}
