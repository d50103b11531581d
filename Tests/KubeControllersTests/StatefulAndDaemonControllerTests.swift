import KubeClient
import KubeModel
import Testing

@testable import KubeControllers

/// StatefulSets, DaemonSets, ReplicationControllers, budgets and autoscalers run by the
/// controllers against the real embedded API server, with the stand-in kubelet.
@Suite(.timeLimit(.minutes(3)))
struct StatefulAndDaemonControllerTests {
    static func template(_ app: String, cpu: String? = nil, utilization: String? = nil) -> JSONValue {
        var container: JSONValue = ["name": "main", "image": "nginx"]
        if let cpu { container[path: ["resources", "requests", "cpu"]] = .string(cpu) }
        var template: JSONValue = ["metadata": ["labels": ["app": .string(app)]], "spec": ["containers": [container]]]
        if let utilization { template.annotations = [SimulatedMetrics.cpuUtilizationAnnotation: utilization] }
        return template
    }

    @Test func aStatefulSetMakesItsOrdinalsInOrderAndRemovesTheHighestFirst() async throws {
        try await WorkloadHarness.run { harness in
            let set: JSONValue = [
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": "default"],
                "spec": [
                    "replicas": 3, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                    "template": Self.template("db"),
                ],
            ]
            _ = try await harness.api.create(WorkloadResources.statefulSets, namespace: "default", object: set)
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(WorkloadResources.statefulSets, "db")["status"]
                    return status?["readyReplicas"]?.intValue == 3 && status?["currentRevision"] == status?["updateRevision"]
                })
            let pods = try await harness.list(.pods, selector: "app=db")
            #expect(Set(pods.compactMap(\.name)) == ["db-0", "db-1", "db-2"])
            #expect(pods.allSatisfy { $0[path: ["spec", "subdomain"]] == "db" && $0[path: ["spec", "hostname"]]?.stringValue == $0.name })
            let revisions = try await harness.list(WorkloadResources.controllerRevisions)
            #expect(revisions.count == 1)

            try await harness.modify(WorkloadResources.statefulSets, "db") { $0[path: ["spec", "replicas"]] = 1 }
            #expect(
                try await harness.eventually {
                    try await harness.list(.pods, selector: "app=db").filter { Pod($0).isActive }.compactMap(\.name) == ["db-0"]
                })
        }
    }

    @Test func aReplicationControllerKeepsItsReplicas() async throws {
        try await WorkloadHarness.run { harness in
            let controller: JSONValue = [
                "apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "rc", "namespace": "default"],
                "spec": ["replicas": 2, "selector": ["app": "rc"], "template": Self.template("rc")],
            ]
            _ = try await harness.api.create(WorkloadResources.replicationControllers, namespace: "default", object: controller)
            #expect(
                try await harness.eventually {
                    try await harness.get(WorkloadResources.replicationControllers, "rc")["status"]?["readyReplicas"]?.intValue == 2
                })
            let pods = try await harness.list(.pods, selector: "app=rc")
            #expect(pods.count == 2)
            #expect(pods.allSatisfy { $0.controllerReference?.kind == "ReplicationController" })
        }
    }

    @Test func budgetsAndAutoscalersReadTheDeploymentsPods() async throws {
        try await WorkloadHarness.run { harness in
            var deployment = JSONValue.deployment("web", replicas: 2, image: "nginx")
            deployment[path: ["spec", "template"]] = Self.template("web", cpu: "100m", utilization: "100")
            _ = try await harness.api.create(WorkloadResources.deployments, namespace: "default", object: deployment)
            let budget: JSONValue = [
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "web", "namespace": "default"],
                "spec": ["selector": ["matchLabels": ["app": "web"]], "maxUnavailable": 1],
            ]
            _ = try await harness.api.create(WorkloadResources.podDisruptionBudgets, namespace: "default", object: budget)
            let autoscaler: JSONValue = [
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": ["name": "web", "namespace": "default"],
                "spec": [
                    "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
                    "minReplicas": 1, "maxReplicas": 3,
                    "metrics": [
                        ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]]
                    ],
                ],
            ]
            _ = try await harness.api.create(WorkloadResources.horizontalPodAutoscalers, namespace: "default", object: autoscaler)
            // Two pods at 100% against 50% want four; maxReplicas holds it at three.
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(WorkloadResources.horizontalPodAutoscalers, "web")["status"]
                    return status?["desiredReplicas"]?.intValue == 3
                })
            #expect(
                try await harness.eventually {
                    try await harness.get(WorkloadResources.deployments, "web")[path: ["spec", "replicas"]]?.intValue == 3
                })
            // A Deployment of three with one unavailable allowed: two must stay, one may go.
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(WorkloadResources.podDisruptionBudgets, "web")["status"]
                    return status?["currentHealthy"]?.intValue == 3 && status?["expectedPods"]?.intValue == 3
                        && status?["desiredHealthy"]?.intValue == 2 && status?["disruptionsAllowed"]?.intValue == 1
                })
        }
    }

    @Test func aDaemonSetPinsOnePodToEachNodeItTolerates() async throws {
        try await WorkloadHarness.run { harness in
            for (name, taints) in [("n1", [] as [JSONValue]), ("n2", [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]])] {
                let node: JSONValue = [
                    "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)], "spec": ["taints": .array(taints)],
                ]
                _ = try await harness.api.create(.nodes, namespace: nil, object: node)
            }
            let set: JSONValue = [
                "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "namespace": "default"],
                "spec": ["selector": ["matchLabels": ["app": "agent"]], "template": Self.template("agent")],
            ]
            _ = try await harness.api.create(WorkloadResources.daemonSets, namespace: "default", object: set)
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(WorkloadResources.daemonSets, "agent")["status"]
                    return status?["desiredNumberScheduled"]?.intValue == 1 && status?["numberReady"]?.intValue == 1
                })
            let pods = try await harness.list(.pods, selector: "app=agent")
            #expect(pods.count == 1)
            #expect(pods.first.flatMap(DaemonPlacement.targetNode(of:)) == "n1")
        }
    }
}
