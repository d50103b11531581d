import KubeClient
import KubeModel
import Testing

@testable import ControllerKit

/// Two replicas, each with an informer (always running) and a controller that runs only
/// while the replica leads: the deployment shape of `virtyard serve` with two replicas.
@Suite("LeaderElectedServices")
struct LeaderElectedServicesTests {
    private let widgets = Fixtures.widgets
    private let fast = InformerConfiguration(backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(20), jitter: 0))

    private struct Replica {
        let informer: Informer
        let controller: Controller<ScriptedReconciler>
        let reconciler: ScriptedReconciler
        let services: LeaderElectedServices

        init(_ identity: String, api: FakeKubernetesAPI, informerConfiguration: InformerConfiguration) {
            informer = Informer(api: api, resource: Fixtures.widgets, configuration: informerConfiguration)
            reconciler = ScriptedReconciler()
            controller = Controller(name: "widgets", reconciler: reconciler, for: informer)
            let elector = LeaderElector(
                api: api,
                configuration: LeaderElectionConfiguration(
                    identity: identity, leaseDuration: .seconds(1), renewDeadline: .milliseconds(600),
                    retryPeriod: .milliseconds(100)))
            services = LeaderElectedServices(elector: elector, services: [controller])
        }

        func run() async {
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                group.addTask { try await services.run() }
                try? await group.next()
                group.cancelAll()
            }
        }
    }

    @Test func onlyTheLeaderReconcilesAndTheFollowerTakesOver() async throws {
        let api = FakeKubernetesAPI()
        for name in ["a", "b"] { await api.put(widgets, Fixtures.object(widgets, "ns", name)) }
        let first = Replica("first", api: api, informerConfiguration: fast)
        let second = Replica("second", api: api, informerConfiguration: fast)
        let allKeys: Set<ObjectKey> = [ObjectKey(namespace: "ns", name: "a"), ObjectKey(namespace: "ns", name: "b")]

        await withTaskGroup(of: Void.self) { followers in
            await withTaskGroup(of: Void.self) { leaders in
                leaders.addTask { await first.run() }
                #expect(await eventually { first.services.isLeader && first.reconciler.keys == allKeys })
                followers.addTask { await second.run() }
                #expect(await eventually { second.informer.hasSynced })
                await api.put(widgets, Fixtures.object(widgets, "ns", "c"))
                #expect(await eventually { first.reconciler.keys.count == 3 })
                try? await Task.sleep(for: .milliseconds(200))
                // The follower caches everything but reconciles nothing.
                #expect(second.informer.list().count == 3)
                #expect(second.reconciler.calls.count == 0)
                #expect(!second.controller.isRunning)
                leaders.cancelAll()
            }
            #expect(!first.controller.isRunning)
            // The new leader starts its controller, which reconciles every object once.
            #expect(await eventually(timeout: .seconds(3)) { second.services.isLeader })
            #expect(await eventually { second.reconciler.keys.count == 3 })
            #expect(second.controller.isRunning)
            followers.cancelAll()
        }
    }

    @Test func gracefulShutdownStopsTheServicesAndReleasesTheLease() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "a"))
        let replica = Replica("only", api: api, informerConfiguration: fast)
        let stopped = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await replica.informer.run() }
            group.addTask {
                try? await replica.services.run()
                stopped.withLock { $0 = true }
            }
            #expect(await eventually { replica.controller.isRunning && replica.reconciler.calls.count == 1 })
            replica.services.shutDownGracefully()
            #expect(await eventually { stopped.value })
            #expect(!replica.controller.isRunning)
            #expect(!replica.services.isLeader)
            group.cancelAll()
        }
        let spec = api.object(Fixtures.leases, namespace: "virtyard-system", name: "virtyard-controller")?["spec"]
        #expect(spec?["holderIdentity"] == nil)
        #expect(spec?["leaseDurationSeconds"] == .int(1))
    }

    @Test func gracefulShutdownWhileFollowingStopsContending() async throws {
        let api = FakeKubernetesAPI()
        let leader = LeaderElector(
            api: api,
            configuration: LeaderElectionConfiguration(
                identity: "leader", leaseDuration: .seconds(1), renewDeadline: .milliseconds(600),
                retryPeriod: .milliseconds(100)))
        let follower = Replica("follower", api: api, informerConfiguration: fast)
        let stopped = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await leader.run { try await Task.sleep(for: .seconds(3600)) } }
            #expect(await eventually { leader.isLeader })
            group.addTask {
                try? await follower.services.run()
                stopped.withLock { $0 = true }
            }
            try? await Task.sleep(for: .milliseconds(150))
            follower.services.shutDownGracefully()
            #expect(await eventually { stopped.value })
            #expect(leader.isLeader)
            group.cancelAll()
        }
    }
}
