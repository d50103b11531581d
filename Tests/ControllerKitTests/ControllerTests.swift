import KubeClient
import KubeModel
import Testing

@testable import ControllerKit

/// A reconciler whose behaviour each test scripts, recording every call.
struct ScriptedReconciler: Reconciler {
    struct Call: Sendable {
        var key: ObjectKey
        var at: ContinuousClock.Instant
    }

    let calls = Recorder<Call>()
    let inFlight = Locked<Set<ObjectKey>>([])
    let overlaps = Locked(0)
    let behaviour: @Sendable (ObjectKey, Int) async throws -> ReconcileResult

    init(_ behaviour: @escaping @Sendable (ObjectKey, Int) async throws -> ReconcileResult = { _, _ in .done }) {
        self.behaviour = behaviour
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let clash = inFlight.withLock { !$0.insert(key).inserted }
        if clash { overlaps.withLock { $0 += 1 } }
        defer { inFlight.withLock { _ = $0.remove(key) } }
        let attempt = calls.all.filter { $0.key == key }.count
        calls.append(Call(key: key, at: .now))
        return try await behaviour(key, attempt)
    }

    func attempts(_ key: ObjectKey) -> [ContinuousClock.Instant] {
        calls.all.filter { $0.key == key }.map(\.at)
    }

    var keys: Set<ObjectKey> { Set(calls.all.map(\.key)) }
}

struct InjectedFailure: Error {}

@Suite("Controller")
struct ControllerTests {
    private let widgets = Fixtures.widgets
    private let fast = InformerConfiguration(backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(20), jitter: 0))

    private func key(_ name: String) -> ObjectKey { ObjectKey(namespace: "ns", name: name) }

    /// Runs the informers and the controller for the duration of `body`.
    private func running<R: Reconciler>(
        _ informers: [Informer], _ controller: Controller<R>,
        _ body: () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { try await informer.run() } }
            group.addTask { try await controller.run() }
            try await body()
            group.cancelAll()
        }
    }

    @Test func reconcilesEveryExistingAndNewKey() async throws {
        let api = FakeKubernetesAPI()
        for name in ["a", "b", "c"] { await api.put(widgets, Fixtures.object(widgets, "ns", name)) }
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler()
        let controller = Controller(
            name: "widgets", reconciler: reconciler, for: informer,
            configuration: ControllerConfiguration(workers: 3))
        try await running([informer], controller) {
            #expect(await eventually { reconciler.keys == [key("a"), key("b"), key("c")] })
            await api.put(widgets, Fixtures.object(widgets, "ns", "d"))
            #expect(await eventually { reconciler.keys.contains(key("d")) })
            _ = try await api.delete(widgets, namespace: "ns", name: "a")
            // Deletion is a state to reconcile too.
            #expect(await eventually { reconciler.attempts(key("a")).count == 2 })
        }
        #expect(reconciler.overlaps.value == 0)
    }

    @Test func keysEnqueuedFromOutsideAreReconciledWhileRunning() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "a"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler()
        let controller = Controller(name: "widgets", reconciler: reconciler, for: informer)
        // Before it runs there is no queue: nothing happens, nothing is kept for later.
        controller.enqueue(key("early"))
        try await running([informer], controller) {
            #expect(await eventually { reconciler.keys == [key("a")] })
            controller.enqueue(key("a"))
            controller.enqueue(key("no-object"))
            #expect(await eventually { reconciler.attempts(key("a")).count == 2 && reconciler.keys.contains(key("no-object")) })
        }
        #expect(!reconciler.keys.contains(key("early")))
    }

    @Test func sameKeyIsNeverReconciledConcurrently() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "hot"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler { _, _ in
            try await Task.sleep(for: .milliseconds(2))
            return .done
        }
        let controller = Controller(
            name: "widgets", reconciler: reconciler, for: informer,
            configuration: ControllerConfiguration(workers: 4))
        try await running([informer], controller) {
            #expect(await eventually { reconciler.calls.count >= 1 })
            for version in 1...30 {
                await api.put(widgets, Fixtures.object(widgets, "ns", "hot", data: ["v": .int(Int64(version))]))
                if version % 5 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            let last = api.object(widgets, namespace: "ns", name: "hot")
            // Level-triggered: the final state is reconciled after the last change arrived.
            #expect(await eventually { informer.get(key("hot")) == last && reconciler.attempts(key("hot")).count >= 2 })
        }
        #expect(reconciler.overlaps.value == 0)
        // Thirty updates collapse into far fewer reconciles.
        #expect(reconciler.calls.count < 31)
    }

    @Test func errorsAreRetriedWithGrowingBackoffUntilSuccess() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "flaky"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler { _, attempt in
            if attempt < 3 { throw InjectedFailure() }
            return .done
        }
        let controller = Controller(
            name: "widgets", reconciler: reconciler, for: informer,
            configuration: ControllerConfiguration(backoff: FailureBackoff(base: .milliseconds(20), cap: .seconds(1))))
        try await running([informer], controller) {
            #expect(await eventually { reconciler.attempts(key("flaky")).count == 4 })
            // No fifth attempt: success forgets the key.
            try await Task.sleep(for: .milliseconds(200))
        }
        let times = reconciler.attempts(key("flaky"))
        #expect(times.count == 4)
        guard times.count == 4 else { return }
        // Backoff 20 ms, 40 ms, 80 ms: each gap at least its backoff, so they grow.
        #expect(times[0].duration(to: times[1]) >= .milliseconds(20))
        #expect(times[1].duration(to: times[2]) >= .milliseconds(40))
        #expect(times[2].duration(to: times[3]) >= .milliseconds(80))
    }

    @Test func requeueAfterComesBackAfterTheDuration() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "poll"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler { _, attempt in attempt == 0 ? .requeueAfter(.milliseconds(80)) : .done }
        let controller = Controller(name: "widgets", reconciler: reconciler, for: informer)
        try await running([informer], controller) {
            #expect(await eventually { reconciler.attempts(key("poll")).count == 2 })
            try await Task.sleep(for: .milliseconds(100))
        }
        let times = reconciler.attempts(key("poll"))
        #expect(times.count == 2)
        guard times.count == 2 else { return }
        #expect(times[0].duration(to: times[1]) >= .milliseconds(80))
    }

    @Test func requeueUsesTheBackoff() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "waiting"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler { _, attempt in attempt < 2 ? .requeue : .done }
        let controller = Controller(
            name: "widgets", reconciler: reconciler, for: informer,
            configuration: ControllerConfiguration(backoff: FailureBackoff(base: .milliseconds(30), cap: .seconds(1))))
        try await running([informer], controller) {
            #expect(await eventually { reconciler.attempts(key("waiting")).count == 3 })
        }
        let times = reconciler.attempts(key("waiting"))
        guard times.count == 3 else { return }
        #expect(times[0].duration(to: times[1]) >= .milliseconds(30))
        #expect(times[1].duration(to: times[2]) >= .milliseconds(60))
    }

    @Test func gracefulShutdownFinishesInFlightWorkAndTakesNoNewKeys() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "slow"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let gate = Gate()
        let finished = Recorder<ObjectKey>()
        let reconciler = ScriptedReconciler { key, _ in
            if key.name == "slow" { await gate.wait() }
            // Not cancelled: graceful shutdown lets the reconcile run to its end.
            try Task.checkCancellation()
            finished.append(key)
            return .done
        }
        let controller = Controller(
            name: "widgets", reconciler: reconciler, for: informer,
            configuration: ControllerConfiguration(workers: 2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            try await informer.waitForSync()
            let stopped = Locked(false)
            group.addTask {
                try await controller.run()
                stopped.withLock { $0 = true }
            }
            #expect(await eventually { reconciler.inFlight.value.contains(key("slow")) })

            controller.shutDownGracefully()
            await api.put(widgets, Fixtures.object(widgets, "ns", "late"))
            #expect(await eventually { informer.get(key("late")) != nil })
            try await Task.sleep(for: .milliseconds(30))
            // Still waiting for the reconcile in flight.
            #expect(!stopped.value)
            gate.open()
            #expect(await eventually { stopped.value })
            group.cancelAll()
        }
        #expect(finished.all == [key("slow")])
        #expect(!reconciler.keys.contains(key("late")))
        #expect(!controller.isRunning)
    }

    @Test func controllerCanRunAgainAfterStopping() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "a"))
        let informer = Informer(api: api, resource: widgets, configuration: fast)
        let reconciler = ScriptedReconciler()
        let controller = Controller(name: "widgets", reconciler: reconciler, for: informer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            for run in 1...2 {
                try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { try await controller.run() }
                    #expect(await eventually { reconciler.attempts(key("a")).count == run })
                    controller.shutDownGracefully()
                    try await inner.waitForAll()
                }
            }
            group.cancelAll()
        }
        #expect(reconciler.attempts(key("a")).count == 2)
    }

    @Test func ownedObjectsTriggerTheirControllingOwner() async throws {
        let api = FakeKubernetesAPI()
        await api.put(widgets, Fixtures.object(widgets, "ns", "owner"))
        let widgetInformer = Informer(api: api, resource: widgets, configuration: fast)
        let podInformer = Informer(api: api, resource: Fixtures.pods, configuration: fast)
        let reconciler = ScriptedReconciler()
        let controller = Controller(name: "widgets", reconciler: reconciler, for: widgetInformer, owns: [podInformer])
        try await running([widgetInformer, podInformer], controller) {
            #expect(await eventually { reconciler.attempts(key("owner")).count == 1 })
            await api.put(Fixtures.pods, Fixtures.ownedPod("ns", "child", owner: "owner"))
            #expect(await eventually { reconciler.attempts(key("owner")).count == 2 })
            // A pod without a controlling widget maps to nothing.
            await api.put(Fixtures.pods, Fixtures.object(Fixtures.pods, "ns", "orphan"))
            #expect(await eventually { podInformer.get(key("orphan")) != nil })
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(reconciler.keys == [key("owner")])
    }

    @Test func ownerKeysFollowOnlyTheControllerReference() {
        var pod = Fixtures.object(Fixtures.pods, "ns", "p")
        pod.ownerReferences = [
            OwnerReference(apiVersion: "virtyard.io/v1alpha1", kind: "Widget", name: "boss", uid: "1", controller: true),
            OwnerReference(apiVersion: "virtyard.io/v1alpha1", kind: "Widget", name: "peer", uid: "2"),
            OwnerReference(apiVersion: "other.io/v1", kind: "Widget", name: "foreign", uid: "3", controller: true),
        ]
        #expect(KeySource.controllerOwnerKeys(of: pod, ownerType: widgets) == [key("boss")])
        let clusterOwner = ResourceType(
            group: "virtyard.io", version: "v1alpha1", resource: "widgets", kind: "Widget",
            namespaced: false)
        #expect(KeySource.controllerOwnerKeys(of: pod, ownerType: clusterOwner) == [ObjectKey(namespace: nil, name: "boss")])
    }

    @Test func cacheThatNeverSyncsFailsWithContext() async throws {
        let api = FakeKubernetesAPI()
        let informer = Informer(api: api, resource: widgets)
        let controller = Controller(
            name: "stuck", reconciler: ScriptedReconciler(), for: informer,
            configuration: ControllerConfiguration(cacheSyncTimeout: .milliseconds(30)))
        // The informer is never run.
        await #expect {
            try await controller.run()
        } throws: { error in
            guard case .cacheSyncTimeout(let name, let resources, _)? = error as? ControllerError else { return false }
            return name == "stuck" && resources == [widgets]
        }
    }
}
