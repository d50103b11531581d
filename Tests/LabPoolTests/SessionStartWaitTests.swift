import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardServer
import VirtyardTesting

@testable import LabPool

/// `POST /api/v1/sessions` waits for the informers' events of the session it created, not by
/// polling: these waits are given an hour, so only a wake-up by an event lets them return
/// within the suite's time limit.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SessionStartWaitTests {
    static let hour: Duration = .seconds(3600)

    /// Runs the two informers the wait listens to against a fresh server.
    static func withInformers(_ body: @Sendable (HTTPKubernetesClient, LabService.Cluster) async throws -> Void) async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await CRDInstaller.bundled().installMissing(into: client, logger: TestCluster.quietLogger)
            let informers = SharedInformerFactory(api: client, logger: TestCluster.quietLogger)
            let lab = LabService.Cluster(
                api: client, sessions: informers.informer(for: .labSessions),
                clusters: informers.informer(for: .labClusters), pools: informers.informer(for: .labPools),
                secrets: informers.informer(for: .secrets, labelSelector: SessionTokens.label),
                scenarios: informers.informer(for: .labScenarios))
            let running = Task { try await informers.run() }
            defer { running.cancel() }
            try await body(client, lab)
            running.cancel()
            _ = await running.result
        }
    }

    static func session(_ name: String) -> JSONValue {
        LabSessionObject(name: name, namespace: "default", pool: Lab.defaultPool, scenario: nil, user: nil, requestedAt: Date()).object
    }

    static func setStatus(_ client: HTTPKubernetesClient, _ name: String, _ status: JSONValue) async throws {
        _ = try await client.patch(
            .labSessions, namespace: "default", name: name, patch: ["status": status], type: .merge,
            subresource: "status", options: .default)
    }

    @Test func aQueuedSessionEndsTheWait() async throws {
        try await Self.withInformers { client, lab in
            let wait = SessionStartWait(cluster: lab, namespace: "default", name: "queued") { SessionTokens.token(in: $0) }
            defer { wait.stop() }
            _ = try await client.create(.labSessions, namespace: "default", object: Self.session("queued"))
            try await Self.setStatus(client, "queued", ["phase": "Pending", "queuePosition": 3])
            await wait.wait(upTo: Self.hour)
            let cached = try #require(lab.sessions.get(namespace: "default", name: "queued"))
            #expect(LabSessionObject(cached).queuePosition == 3)
        }
    }

    /// A Running session is answered with its token, so its Secret's event ends the wait.
    @Test func aRunningSessionEndsTheWaitOnceItsTokenIsCached() async throws {
        try await Self.withInformers { client, lab in
            let tokenOf: @Sendable (JSONValue) -> String? = { session in
                SessionTokens.token(
                    in: lab.secrets.get(
                        namespace: "default",
                        name: SessionTokens.secretName(session: session.name ?? "")))
            }
            let wait = SessionStartWait(cluster: lab, namespace: "default", name: "running", token: tokenOf)
            defer { wait.stop() }
            let created = try await client.create(.labSessions, namespace: "default", object: Self.session("running"))
            try await Self.setStatus(client, "running", ["phase": "Running"])
            let token = try await SessionTokens(api: client).ensure(for: created)
            await wait.wait(upTo: Self.hour)
            let cached = try #require(lab.sessions.get(namespace: "default", name: "running"))
            #expect(LabSessionObject(cached).phase == .running)
            #expect(tokenOf(cached) == token)
        }
    }
}
