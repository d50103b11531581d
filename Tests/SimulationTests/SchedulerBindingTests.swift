import ControllerKit
import KubeClient
import KubeModel
import Logging
import Simulation
import Synchronization
import Testing
import VirtyardTesting

/// Holds each binding a moment so that they overlap, and counts how many are in flight.
final class SlowBindings: ForwardingKubernetesAPI, @unchecked Sendable {
    private let counts = Mutex((inFlight: 0, most: 0, total: 0))
    var most: Int { counts.withLock { $0.most } }
    var total: Int { counts.withLock { $0.total } }

    override func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        guard subresource == "binding" else {
            return try await super.post(
                resource, namespace: namespace, name: name, subresource: subresource, body: body, options: options)
        }
        counts.withLock { counts in
            counts.inFlight += 1
            counts.total += 1
            counts.most = max(counts.most, counts.inFlight)
        }
        defer { counts.withLock { $0.inFlight -= 1 } }
        try? await Task.sleep(for: .milliseconds(20))
        return try await super.post(
            resource, namespace: namespace, name: name, subresource: subresource, body: body, options: options)
    }
}

@Suite struct SchedulerBindingTests {
    /// The loop waits for slots to free up in groups (three quarters of the bound) rather than
    /// one at a time; neither way may exceed the bound, strand a pod, or bind one twice.
    @Test func bindingsInFlightStayWithinTheBoundAndEveryPodIsPlacedOnce() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            for index in 0..<3 {
                _ = try await client.create(
                    .nodes, object: KWOKNode.make(name: "node-\(index)", cpu: Quantity(32), memory: Quantity(128 << 30)))
            }
            let pods = 40
            for index in 0..<pods {
                let pod: JSONValue = [
                    "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string("pod-\(index)")],
                    "spec": [
                        "containers": [["name": "c", "image": "busybox"]],
                        "tolerations": [["operator": "Exists"]],
                    ],
                ]
                _ = try await client.create(.pods, namespace: "default", object: pod)
            }
            var quiet = Logger(label: "test.scheduler")
            quiet.logLevel = .critical
            let bindings = SlowBindings(client)
            let informers = SharedInformerFactory(api: client, logger: quiet)
            let scheduler = Scheduler(
                api: bindings, informers: informers, configuration: .init(bindConcurrency: 4, recordEvents: false),
                logger: quiet)
            let placed = try await withRunningServices(informers: informers, services: [scheduler]) {
                try await eventually(timeout: .seconds(30)) {
                    let items = try await client.list(.pods, namespace: "default").items
                    return items.filter { !($0[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty }.count == pods
                }
            }
            #expect(placed)
            #expect(bindings.total == pods)
            #expect(bindings.most == 4)
            #expect(scheduler.currentStatistics.bindFailures == 0)
        }
    }
}
