import KubeClient
import KubeModel
import Testing

@testable import KubeControllers

/// Deployments rolled out, updated, rolled back, scaled and trimmed by the controllers,
/// against the real embedded API server.
@Suite(.timeLimit(.minutes(3)))
struct DeploymentControllerTests {
    let deployments = WorkloadResources.deployments
    let replicaSets = WorkloadResources.replicaSets

    func isComplete(_ object: JSONValue, replicas: Int64) -> Bool {
        let status = object["status"]
        return status?["observedGeneration"]?.intValue == object.generation
            && status?["updatedReplicas"]?.intValue == replicas && status?["replicas"]?.intValue == replicas
            && status?["availableReplicas"]?.intValue == replicas
            && (status?["conditions"]?.arrayValue ?? []).condition("Progressing")?.reason == "NewReplicaSetAvailable"
    }

    @Test func rollsOutUpdatesAndRollsBack() async throws {
        try await WorkloadHarness.run { harness in
            _ = try await harness.api.create(
                deployments, namespace: "default",
                object: .deployment("web", replicas: 3, image: "nginx:1.27"))
            #expect(try await harness.eventually { isComplete(try await harness.get(deployments, "web"), replicas: 3) })
            let first = try await harness.list(replicaSets)
            #expect(first.count == 1)
            let firstSet = try #require(first.first)
            let hash = try #require(firstSet.labels[PodTemplate.hashLabel])
            #expect(firstSet.name == "web-\(hash)")
            #expect(firstSet.annotations[Deployment.revisionAnnotation] == "1")
            let pods = try await harness.list(.pods, selector: "app=web")
            #expect(pods.count == 3)
            #expect(pods.allSatisfy { $0.labels[PodTemplate.hashLabel] == hash && $0.isControlled(by: firstSet) })
            #expect(pods.allSatisfy { $0.name?.hasPrefix("web-\(hash)-") == true })
            let available = try await harness.get(deployments, "web")
            #expect(
                (available["status"]?["conditions"]?.arrayValue ?? []).condition("Available")?.reason
                    == "MinimumReplicasAvailable")

            // A new image: a second ReplicaSet, revision 2, the first scaled to zero.
            try await harness.modify(deployments, "web") {
                $0[path: ["spec", "template", "spec", "containers"]] = [["name": "main", "image": "nginx:1.28"]]
            }
            #expect(
                try await harness.eventually {
                    let object = try await harness.get(deployments, "web")
                    let sets = try await harness.list(replicaSets)
                    // Deleted pods may linger with a deletionTimestamp: no kubelet here confirms it.
                    let pods = try await harness.list(.pods, selector: "app=web").filter { Pod($0).isActive }
                    return isComplete(object, replicas: 3) && object.annotations[Deployment.revisionAnnotation] == "2"
                        && sets.count == 2 && sets.contains { $0.uid == firstSet.uid && ReplicaSet($0).replicas == 0 }
                        && pods.count == 3 && pods.allSatisfy { $0.image == "nginx:1.28" }
                })

            // kubectl rollout undo: the old template back into the Deployment. The first
            // ReplicaSet returns as revision 3; no third one is made.
            try await harness.modify(deployments, "web") {
                $0[path: ["spec", "template"]] = PodTemplate(firstSet[path: ["spec", "template"]] ?? [:]).withoutHashLabel.json
            }
            #expect(
                try await harness.eventually {
                    let object = try await harness.get(deployments, "web")
                    let sets = try await harness.list(replicaSets)
                    let restored = sets.first { $0.uid == firstSet.uid }
                    return isComplete(object, replicas: 3) && sets.count == 2
                        && restored.map { ReplicaSet($0).replicas == 3 && ReplicaSet($0).revision == 3 } == true
                        && object.annotations[Deployment.revisionAnnotation] == "3"
                })
        }
    }

    @Test func scalesUpAndDown() async throws {
        try await WorkloadHarness.run { harness in
            _ = try await harness.api.create(
                deployments, namespace: "default",
                object: .deployment("api", replicas: 2, image: "api:1"))
            #expect(try await harness.eventually { isComplete(try await harness.get(deployments, "api"), replicas: 2) })
            try await harness.modify(deployments, "api") { $0[path: ["spec", "replicas"]] = 5 }
            #expect(
                try await harness.eventually {
                    let object = try await harness.get(deployments, "api")
                    let pods = try await harness.list(.pods, selector: "app=api")
                    return isComplete(object, replicas: 5) && pods.count { Pod($0).isActive } == 5
                })
            try await harness.modify(deployments, "api") { $0[path: ["spec", "replicas"]] = 1 }
            #expect(
                try await harness.eventually {
                    let object = try await harness.get(deployments, "api")
                    let pods = try await harness.list(.pods, selector: "app=api")
                    return isComplete(object, replicas: 1) && pods.count { Pod($0).isActive } == 1
                })
        }
    }

    @Test func keepsOnlyRevisionHistoryLimitOldReplicaSets() async throws {
        try await WorkloadHarness.run { harness in
            var object = JSONValue.deployment("trim", replicas: 1, image: "app:1")
            object[path: ["spec", "revisionHistoryLimit"]] = 1
            _ = try await harness.api.create(deployments, namespace: "default", object: object)
            for version in 2...4 {
                #expect(try await harness.eventually { isComplete(try await harness.get(deployments, "trim"), replicas: 1) })
                try await harness.modify(deployments, "trim") {
                    $0[path: ["spec", "template", "spec", "containers"]] = [["name": "main", "image": .string("app:\(version)")]]
                }
            }
            #expect(
                try await harness.eventually {
                    let sets = try await harness.list(replicaSets)
                    let object = try await harness.get(deployments, "trim")
                    return isComplete(object, replicas: 1)
                        && sets.count == 2 && sets.map { ReplicaSet($0).revision }.sorted() == [3, 4]
                })
        }
    }

    @Test func aReplicaSetReplacesADeletedPod() async throws {
        try await WorkloadHarness.run { harness in
            _ = try await harness.api.create(
                deployments, namespace: "default",
                object: .deployment("keep", replicas: 2, image: "keep:1"))
            #expect(try await harness.eventually { isComplete(try await harness.get(deployments, "keep"), replicas: 2) })
            let victim = try #require(try await harness.list(.pods, selector: "app=keep").first)
            _ = try await harness.api.delete(.pods, namespace: "default", name: victim.name ?? "")
            #expect(
                try await harness.eventually {
                    let pods = try await harness.list(.pods, selector: "app=keep").filter { Pod($0).isActive }
                    return pods.count == 2 && !pods.contains { $0.uid == victim.uid }
                        && pods.allSatisfy { Pod($0).isReady }
                })
        }
    }
}
