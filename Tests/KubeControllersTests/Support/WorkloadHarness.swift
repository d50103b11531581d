import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import VirtyardTesting

@testable import KubeControllers

/// The workload controllers running against a real embedded API server, with a stand-in
/// kubelet, for one test.
struct WorkloadHarness {
    let api: HTTPKubernetesClient
    let informers: SharedInformerFactory

    /// Annotation on a pod template that makes the stand-in kubelet fail the pod.
    static let failAnnotation = "test.virtyard.io/fail"
    /// Annotation on a pod template that keeps a pod that would end running.
    static let runForeverAnnotation = "test.virtyard.io/run-forever"

    /// Runs `body` with the controllers; `now` is the CronJob controller's clock.
    static func run(
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: (WorkloadHarness) async throws -> Void
    ) async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            var quiet = Logger(label: "test.workloads")
            quiet.logLevel = .critical
            let informers = SharedInformerFactory(api: api, logger: quiet)
            let services = WorkloadControllers.services(
                api: api, informers: informers, configuration: .init(),
                logger: quiet, now: now)
            let pods = informers.informer(for: .pods)
            let kubelet = Controller(
                name: "test-kubelet", reconciler: StandInKubelet(api: api, pods: pods), for: pods,
                configuration: ControllerConfiguration(workers: 4), logger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informers.run() }
                for service in services { group.addTask { try await service.run() } }
                group.addTask { try await kubelet.run() }
                defer { group.cancelAll() }
                try await body(WorkloadHarness(api: api, informers: informers))
            }
        }
    }

    /// Polls `condition` until it holds or a generous limit passes; the caller `#expect`s the
    /// result, so a controller that never converges fails the test instead of hanging it.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    func get(_ resource: ResourceType, _ name: String) async throws -> JSONValue {
        try await api.get(resource, namespace: "default", name: name)
    }

    func list(_ resource: ResourceType, selector: String? = nil) async throws -> [JSONValue] {
        try await api.list(resource, namespace: "default", options: ListOptions(labelSelector: selector)).items
    }

    /// Reads, changes and writes an object, retrying on conflicts with the controllers.
    func modify(_ resource: ResourceType, _ name: String, _ change: (inout JSONValue) -> Void) async throws {
        for _ in 0..<20 {
            var object = try await get(resource, name)
            change(&object)
            // `tolerating` rather than `catch … where`, which crashes the Swift 6.3 compiler here.
            let stored = try await tolerating({ $0.isConflict }) { () async throws(KubeClientError) in
                try await api.update(resource, namespace: "default", object: object)
            }
            if stored != nil { return }
        }
    }
}

/// Plays kubelet without nodes: a pod that restarts `Always` becomes Running and Ready; a pod
/// that does not (a Job's) runs to `Succeeded`, or `Failed` or on for ever when its template
/// asks.
struct StandInKubelet: Reconciler {
    let api: any KubernetesAPI
    let pods: Informer

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = pods.get(key), object.deletionTimestamp == nil, (Pod(object).phase ?? .pending) == .pending
        else { return .done }
        let now = Timestamp.now()
        let status: JSONValue
        if Pod(object).restartPolicy == "Always" || object.annotations[WorkloadHarness.runForeverAnnotation] != nil {
            status = ["phase": "Running", "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(now)]]]
        } else {
            let fails = object.annotations[WorkloadHarness.failAnnotation] != nil
            status = [
                "phase": fails ? "Failed" : "Succeeded",
                "conditions": [["type": "Ready", "status": "False", "lastTransitionTime": .string(now)]],
            ]
        }
        _ = try await api.patch(
            .pods, namespace: key.namespace, name: key.name, patch: ["status": status], type: .merge,
            subresource: "status", options: .default)
        return .done
    }
}

extension JSONValue {
    static func deployment(
        _ name: String, replicas: Int64, image: String, maxSurge: JSONValue = 1,
        maxUnavailable: JSONValue = 0
    ) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "strategy": [
                    "type": "RollingUpdate",
                    "rollingUpdate": ["maxSurge": maxSurge, "maxUnavailable": maxUnavailable],
                ],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "main", "image": .string(image)]]],
                ],
            ],
        ]
    }

    static func job(
        _ name: String, completions: Int64, parallelism: Int64, backoffLimit: Int64 = 6,
        failing: Bool = false
    ) -> JSONValue {
        var template: JSONValue = [
            "spec": [
                "restartPolicy": "Never",
                "containers": [["name": "main", "image": "busybox", "command": ["true"]]],
            ]
        ]
        if failing { template.annotations = [WorkloadHarness.failAnnotation: "yes"] }
        return [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "completions": .int(completions), "parallelism": .int(parallelism),
                "backoffLimit": .int(backoffLimit), "template": template,
            ],
        ]
    }

    var image: String? { self[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue }
}
