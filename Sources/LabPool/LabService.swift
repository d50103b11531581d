import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import PlatformHTTP
import ServiceLifecycle

/// What the platform API does with the lab pool: sessions started, read, extended and ended as
/// LabSession objects, the pool read from its LabClusters. Connected to the cluster on the
/// leader (`attach`); until then the API answers 503.
public final class LabService: Sendable, SessionTokenLookup {
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
    /// The cluster, once attached on the leader; 503 with this message until then.
    let attachment = LeaderAttachment<Cluster>(
        unavailable: "the lab pool is not connected to the cluster yet (or this replica is not the leader)")

    public init(configuration: Configuration = Configuration(), access: any SessionAccess, logger: Logger) {
        self.configuration = configuration
        self.access = access
        self.logger = logger
    }

    public func attach(api: any KubernetesAPI, informers: SharedInformerFactory) {
        let connected = Cluster(
            api: api, sessions: informers.informer(for: .labSessions),
            clusters: informers.informer(for: .labClusters), pools: informers.informer(for: .labPools),
            secrets: informers.informer(for: .secrets, labelSelector: SessionTokens.label),
            scenarios: informers.informer(for: .labScenarios))
        // Session tokens found by a hash map, not by reading every Secret per request.
        connected.secrets.addIndex(Self.tokenIndex) { secret in SessionTokens.token(in: secret).map { [$0] } ?? [] }
        attachment.attach(connected)
    }

    /// The index of the session token Secrets by their token. The tokens are held in this
    /// process anyway (the cached Secrets); Swift's per-process seeded hashing keeps a lookup's
    /// timing from telling how close a guess came, and a hit is confirmed in constant time.
    static let tokenIndex = "virtyard.io/lab-session-token"

    /// The cluster, or nil before `attach` (for readers that can answer without it).
    var connected: Cluster? { attachment.current }

    // MARK: - Sessions

    func startSession(_ request: StartSessionRequest) async throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let pool = request.pool ?? Lab.defaultPool
        // Refused at once, rather than a session that fails a moment later.
        guard cluster.pools.get(namespace: nil, name: pool) != nil else {
            throw LabAPIError(.badRequest, "field \"pool\": no lab pool \"\(pool)\"")
        }
        if let scenario = request.scenarioId, cluster.scenarios.get(namespace: nil, name: scenario) == nil {
            throw LabAPIError(.badRequest, "field \"scenarioId\": no scenario \"\(scenario)\"")
        }
        let name = "session-" + String(BearerToken.generate().prefix(10))
        let session = LabSessionObject(
            name: name, namespace: configuration.namespace, pool: pool,
            scenario: request.scenarioId, user: request.userId, requestedAt: Date())
        // Listening before the create, so no change of the new session is missed.
        let settled = SessionStartWait(cluster: cluster, namespace: configuration.namespace, name: name) { [self] in
            token(of: $0)
        }
        defer { settled.stop() }
        let created: JSONValue
        do {
            created = try await cluster.api.create(.labSessions, namespace: configuration.namespace, object: session.object)
        } catch {
            throw LabAPIError(.failed, "could not create the session: \(error)")
        }
        // A free cluster is leased within milliseconds; wait a little so the answer is usable.
        await settled.wait(upTo: configuration.startWait)
        // Under load the cache may not hold it yet: the session as created, Pending.
        var answer: JSONValue
        if cluster.sessions.get(namespace: configuration.namespace, name: name) != nil {
            answer = try sessionJSON(name)
        } else {
            answer = Self.render(created, token: nil, access: access)
        }
        // cks-backend's CreateSessionResponse names the session `sessionId`.
        answer["sessionId"] = .string(name)
        return answer
    }

    func session(_ id: String) throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
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

    func allSessions() throws(LabAPIError) -> [JSONValue] {
        let cluster = try attachment.connected()
        return cluster.sessions.list(namespace: configuration.namespace)
            .sorted { LabSessionObject($0).requestedAt < LabSessionObject($1).requestedAt }
            .map { Self.render($0, token: token(of: $0), access: access) }
    }

    /// Ends the session: its token stops working on its cluster before this returns, the
    /// session becomes Completed (kept readable for the pool's `sessionRetention`), and the
    /// controller releases its cluster to a reset at once. Ending an ended session is a no-op.
    func endSession(_ id: String) async throws(LabAPIError) -> String {
        let cluster = try attachment.connected()
        let current = try session(id)
        let view = LabSessionObject(current)
        if let phase = view.phase, phase.isOver {
            return "session already \(phase.rawValue.lowercased())"
        }
        if let clusterID = view.cluster, let token = token(of: current) {
            await access.revoke(token: token, clusterID: clusterID)
        }
        // A merge patch, not a versioned write: it must win over whatever the controllers are
        // writing. Their versioned writes that race it fail and read the ended session again.
        var ended = LabSessionObject([:])
        ended.end(.completed, message: "The session ended")
        // `null` in a merge patch removes the field.
        ended.object[field: LabSessionObject.Field.queuePosition] = .null
        do {
            _ = try await cluster.api.patch(
                .labSessions, namespace: configuration.namespace, name: id, patch: ended.object,
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
        let cluster = try attachment.connected()
        _ = try session(id)
        // Concurrent extends of one session (and the controller's status writes) conflict;
        // each round one of them wins, so the last of n may need n rounds: retry with jitter.
        for attempt in 0..<50 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 1...10))) }
            let fresh: LabSessionObject
            do {
                fresh = LabSessionObject(try await cluster.api.get(.labSessions, namespace: configuration.namespace, name: id))
            } catch {
                if error.isNotFound { throw LabAPIError.sessionNotFound(id) }
                throw LabAPIError(.failed, "could not read the session: \(error)")
            }
            guard fresh.phase == .running, let startTime = fresh.startTimeText else {
                throw LabAPIError(.badRequest, "only a running session can be extended")
            }
            let pool = cluster.pools.get(namespace: nil, name: fresh.pool).map(LabPoolObject.init)
            let maximum = pool?.maxExtension ?? .seconds(3600)
            let already = fresh.extension
            guard already + extra <= maximum else {
                throw LabAPIError(
                    .badRequest,
                    "the session may be extended by \(GoDuration.format(maximum)) in all; "
                        + "\(GoDuration.format(already)) used")
            }
            var extended = fresh
            extended.extension = already + extra
            let written: JSONValue
            do {
                written = try await cluster.api.update(.labSessions, namespace: configuration.namespace, object: extended.object)
            } catch {
                if error.isConflict { continue }
                if error.isNotFound { throw LabAPIError.sessionNotFound(id) }
                throw LabAPIError(.failed, "could not extend the session: \(error)")
            }
            let expiresAt = LabSessionReconciler.expiry(
                startTime: startTime,
                timeout: LabSessionReconciler.timeout(LabSessionObject(written), pool: pool))
            var result = written
            do {
                result = try await cluster.api.patch(
                    .labSessions, namespace: configuration.namespace, name: id,
                    patch: ["status": ["expiresAt": .string(expiresAt)]], type: .merge,
                    subresource: "status", options: .default)
            } catch {
                // The extension is written; the controller moves expiresAt from it in any case.
                logger.warning("could not write a session's new expiry", metadata: ["session": "\(id)", "error": "\(error)"])
                result[field: LabSessionObject.Field.expiresAt] = .string(expiresAt)
            }
            var json = Self.render(result, token: token(of: result), access: access)
            json["tasks"] = .array(tasks(of: result))
            return json
        }
        throw LabAPIError(.conflict, "the session kept changing while it was extended; try again")
    }

    func kubeconfig(_ id: String) throws(LabAPIError) -> String {
        let current = try session(id)
        let view = LabSessionObject(current)
        guard view.phase == .running, let clusterID = view.cluster, let token = token(of: current),
            let text = access.kubeconfig(clusterID: clusterID, token: token, sessionName: id)
        else {
            let phase = current[field: LabSessionObject.Field.phase]?.stringValue ?? Lab.SessionPhase.pending.rawValue
            throw LabAPIError(.conflict, "the session has no cluster yet (\(phase))")
        }
        return text
    }

    /// The session a bearer token belongs to, if it is the token of a session that has not
    /// ended: one look-up in the token index, the match confirmed in constant time. The
    /// platform's authentication middleware asks it (``SessionTokenLookup``).
    public func session(forToken token: String) -> String? {
        guard let cluster = connected else { return nil }
        for secret in cluster.secrets.byIndex(Self.tokenIndex, token) where secret.namespace == configuration.namespace {
            guard let stored = SessionTokens.token(in: secret), ConstantTime.equals(stored, token),
                let id = secret.labels[SessionTokens.label],
                let session = cluster.sessions.get(namespace: configuration.namespace, name: id),
                !LabSessionObject(session).isOver
            else { continue }
            return id
        }
        return nil
    }

    /// Tokens are known once the service is attached (on every replica: its informers follow
    /// the cluster whether or not this replica leads); before that, "not known yet".
    public var canVerify: Bool { connected != nil }

    func token(of session: JSONValue) -> String? {
        guard let cluster = connected, let name = session.name else { return nil }
        let secret = cluster.secrets.get(namespace: session.namespace, name: SessionTokens.secretName(session: name))
        return SessionTokens.token(in: secret)
    }

    // MARK: - Pool

    func pool() throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let clusters = cluster.clusters.list().map(LabClusterObject.init).sorted { ($0.pool ?? "", $0.index) < ($1.pool ?? "", $1.index) }
        return ["clusters": .array(clusters.map(Self.renderCluster))]
    }

    func bootstrapPool(size: Int?) async throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let wanted = size ?? cluster.pools.get(namespace: nil, name: Lab.defaultPool).flatMap { LabPoolObject($0).sizeIfSet } ?? 3
        do {
            try await DefaultPool.apply(size: wanted, api: cluster.api)
        } catch {
            throw LabAPIError(.failed, "could not create the pool: \(error)")
        }
        return ["pool": .string(Lab.defaultPool), "size": .int(Int64(wanted))]
    }

    /// Ends the session holding the cluster (if any) and resets it.
    func resetCluster(_ id: String) async throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        guard cluster.clusters.get(namespace: id, name: id) != nil else { throw LabAPIError(.notFound, "cluster \(id) not found") }
        let answer: JSONValue = ["clusterId": .string(id), "status": "resetting"]
        // Read fresh and written conditionally: the cluster's controller writes it too, and a
        // conflict means "read again", not a failure.
        for _ in 0..<10 {
            let member: LabClusterObject
            do {
                member = LabClusterObject(try await cluster.api.get(.labClusters, namespace: id, name: id))
            } catch {
                if error.isNotFound { throw LabAPIError(.notFound, "cluster \(id) not found") }
                throw LabAPIError(.failed, "could not read \(id): \(error)")
            }
            if let holder = member.assignedSession,
                let session = cluster.sessions.get(namespace: configuration.namespace, name: holder),
                !LabSessionObject(session).isOver
            {
                // Ending the session releases the cluster to a reset.
                _ = try await endSession(holder)
                return answer
            }
            // A reset under way is the reset asked for.
            if member.phase == .resetting { return answer }
            var resetting = member
            resetting.releaseToReset(message: "Reset asked for by an administrator")
            do {
                _ = try await cluster.api.updateStatus(.labClusters, namespace: id, object: resetting.object)
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
        let cluster = try attachment.connected()
        var released: [JSONValue] = []
        for member in cluster.clusters.list().map(LabClusterObject.init) where member.phase == .locked {
            guard let id = member.object.name else { continue }
            _ = try await resetCluster(id)
            released.append(.string(id))
        }
        return ["released": .array(released)]
    }

    // MARK: - JSON, in cks-backend's field names

    /// A session as the API shows it; stored values are passed on as they are.
    static func render(_ object: JSONValue, token: String?, access: any SessionAccess) -> JSONValue {
        typealias Field = LabSessionObject.Field
        let session = LabSessionObject(object)
        let stored = { (field: FieldPath) in object[field: field] ?? .null }
        let phase = object[field: Field.phase]?.stringValue ?? Lab.SessionPhase.pending.rawValue
        var json: JSONValue = [
            "id": .string(session.name),
            "userId": stored(Field.user),
            "scenarioId": stored(Field.scenario),
            "pool": .string(session.pool),
            "status": .string(phase.lowercased()),
            "requestTime": session.annotations[Lab.requestedAtAnnotation].map(JSONValue.string) ?? .null,
            "startTime": stored(Field.startTime),
            "expirationTime": stored(Field.expiresAt),
            "endTime": stored(Field.endTime),
            "assignedCluster": stored(Field.cluster),
            "clusterLockTime": stored(Field.clusterLockTime),
            "controlPlaneVM": stored(Field.controlPlaneVM),
            "workerNodeVM": stored(Field.workerNodeVM),
            "queuePosition": stored(Field.queuePosition),
            "message": stored(Field.message),
            "tasks": [],
        ]
        // An ended session's token may linger in the cache until its Secret is gone; it is
        // revoked already, and never shown again.
        let live = phase == Lab.SessionPhase.running.rawValue || phase == Lab.SessionPhase.pending.rawValue
        if live, let token { json["token"] = .string(token) }
        if phase == Lab.SessionPhase.running.rawValue, let token, let id = session.cluster,
            let kubeconfig = access.kubeconfig(clusterID: id, token: token, sessionName: session.name)
        {
            json["kubeconfig"] = .string(kubeconfig)
        }
        return json
    }

    /// A lab cluster as the API shows it; stored values are passed on as they are.
    static func renderCluster(_ cluster: LabClusterObject) -> JSONValue {
        typealias Field = LabClusterObject.Field
        let stored = { (field: FieldPath) in cluster.object[field: field] ?? .null }
        let id = cluster.name
        let phase = cluster.object[field: Field.phase]?.stringValue ?? Lab.Phase.creating.rawValue
        return [
            "clusterId": .string(id),
            "namespace": .string(cluster.object.namespace ?? id),
            "pool": stored(Field.pool),
            "status": .string(phase.lowercased()),
            "assignedSession": stored(Field.assignedSession),
            "lockTime": stored(Field.lockTime),
            "lastReset": stored(Field.lastReset),
            "controlPlaneVM": .string(Lab.controlPlaneVM(id)),
            "workerNodeVM": .string(Lab.workerVM(id)),
        ]
    }
}
