import ControllerKit
import Foundation
import KubeModel
import PlatformHTTP

/// The lab pool as the web console uses it: the same calls as the platform API (one set of
/// rules for both), in the API's JSON shapes, reachable from the `WebConsole` module of this
/// package without making the service's methods public.
extension LabService {
    /// The console's way in: `lab.console.pool()`, `lab.console.startSession(…)`, ….
    package var console: LabConsoleCalls { LabConsoleCalls(service: self) }
}

/// The lab API's calls for the web console. Each answers as its `/api/v1/…` route does (the
/// route is named on each), and throws the same ``PlatformError``s.
package struct LabConsoleCalls: Sendable {
    let service: LabService

    /// `GET /api/v1/pool`: `{"clusters": [...]}`.
    package func pool() throws(PlatformError) -> JSONValue {
        try service.pool()
    }

    /// The pools' names, sorted (the default pool first): the start form's choice of pool.
    package func poolNames() throws(PlatformError) -> [String] {
        let cluster = try service.attachment.connected()
        let names = cluster.pools.list().compactMap(\.name)
        return names.sorted { ($0 == Lab.defaultPool ? 0 : 1, $0) < ($1 == Lab.defaultPool ? 0 : 1, $1) }
    }

    /// Where a running session's terminal is: the serial console of its lab cluster's
    /// control-plane VM (in the cluster's own namespace). A session that is not running has
    /// none: a 409 saying so.
    package func consoleVM(ofSession id: String) throws(PlatformError) -> (namespace: String, name: String, cluster: String) {
        let session = try service.sessionJSON(id)
        guard session["status"]?.stringValue == "running", let cluster = session["assignedCluster"]?.stringValue else {
            let status = session["status"]?.stringValue ?? "unknown"
            throw PlatformError(.conflict, "The lab session is not running (\(status)); the terminal opens once it is.")
        }
        return (cluster, Lab.controlPlaneVM(cluster), cluster)
    }

    /// The session whose terminal a control-plane VM's console is (the reverse of
    /// ``consoleVM(ofSession:)``); nil for any other VM, or a cluster no session holds.
    package func session(consoleOf namespace: String, vm name: String) throws(PlatformError) -> String? {
        guard name == Lab.controlPlaneVM(namespace) else { return nil }
        let cluster = try service.attachment.connected()
        return cluster.clusters.get(namespace: namespace, name: namespace).flatMap { LabClusterObject($0).assignedSession }
    }

    /// `GET /api/v1/sessions` as the admin sees it.
    package func allSessions() throws(PlatformError) -> [JSONValue] {
        try service.allSessions()
    }

    /// `GET /api/v1/sessions/{id}`, with its tasks.
    package func session(_ id: String) throws(PlatformError) -> JSONValue {
        try service.sessionJSON(id)
    }

    /// `POST /api/v1/sessions`: the new session (its id under `id` and `sessionId`).
    package func startSession(scenario: String?, pool: String?, user: String?) async throws(PlatformError) -> JSONValue {
        try await service.startSession(StartSessionRequest(pool: pool, scenarioId: scenario, userId: user))
    }

    /// `DELETE /api/v1/sessions/{id}`, then a short wait until this replica's cache shows the
    /// session ended: the page shown next (and the sign-in check of the session's own
    /// browser, which reads that cache) must not see it running still.
    package func endSession(_ id: String, settle: Duration = .seconds(2)) async throws(PlatformError) -> String {
        let message = try await service.endSession(id)
        if let cluster = service.connected {
            await CacheWait(informer: cluster.sessions, namespace: service.configuration.namespace, name: id)
                .wait(upTo: settle) { object in object.map { LabSessionObject($0).isOver } ?? true }
        }
        return message
    }

    /// `PUT /api/v1/sessions/{id}/extend`: the session with its new `expirationTime`.
    package func extendSession(_ id: String, minutes: Int) async throws(PlatformError) -> JSONValue {
        guard (1...24 * 60).contains(minutes) else {
            throw PlatformError(.badRequest, "field \"minutes\": must be between 1 and 1440")
        }
        return try await service.extendSession(id, by: .seconds(minutes * 60))
    }

    /// `GET /api/v1/sessions/{id}/kubeconfig`.
    package func kubeconfig(_ id: String) throws(PlatformError) -> String {
        try service.kubeconfig(id)
    }

    /// `GET /api/v1/sessions/{id}/tasks`.
    package func tasks(_ id: String) throws(PlatformError) -> JSONValue {
        try service.tasks(id)
    }

    /// `POST /api/v1/sessions/{id}/tasks/{task}/validate`.
    package func validate(_ id: String, task: String) async throws(PlatformError) -> JSONValue {
        try await service.validate(id, task: task)
    }

    /// `GET /api/v1/scenarios`.
    package func scenarioList() throws(PlatformError) -> JSONValue {
        try service.scenarioList()
    }

    /// `GET /api/v1/scenarios/{id}`.
    package func scenario(_ id: String) throws(PlatformError) -> JSONValue {
        try service.scenarioDetail(id)
    }

    /// `POST /api/v1/admin/clusters/{id}/reset`.
    package func resetCluster(_ id: String) async throws(PlatformError) -> JSONValue {
        try await service.resetCluster(id)
    }

    /// `POST /api/v1/admin/release-all-clusters`.
    package func releaseAll() async throws(PlatformError) -> JSONValue {
        try await service.releaseAll()
    }
}

/// Waits for one object in an informer's cache to satisfy a condition, woken by the
/// informer's events for it (no polling), for at most a given time.
struct CacheWait {
    let informer: Informer
    let namespace: String?
    let name: String

    func wait(upTo limit: Duration, until done: @escaping @Sendable (JSONValue?) -> Bool) async {
        let (informer, namespace, name) = (self.informer, self.namespace, self.name)
        let current = { @Sendable in done(informer.get(namespace: namespace, name: name)) }
        guard !current() else { return }
        let (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let registration = informer.addEventHandler { event in
            if event.object.name == name, event.object.namespace == namespace { continuation.yield() }
        }
        defer {
            informer.removeEventHandler(registration)
            continuation.finish()
        }
        // Changed between the first look and the handler's registration.
        guard !current() else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in wakeups where current() { return }
            }
            group.addTask { try? await Task.sleep(for: limit) }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
