import Foundation
import KubeModel
import Testing

@testable import KubeControllers

struct TemplateAndViewTests {
    let template: JSONValue = [
        "metadata": ["labels": ["app": "web"]],
        "spec": ["containers": [["name": "web", "image": "nginx:1.27"]]],
    ]

    @Test func theTemplateHashIsStableShortAndDNSSafe() {
        let hash = PodTemplate(template).hash()
        #expect(hash == PodTemplate(template).hash())
        #expect(!hash.isEmpty && hash.count <= 10)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test func theHashChangesWithTheTemplateAndTheCollisionCountButNotTheHashLabel() {
        var changed = template
        changed[path: ["spec", "containers"]] = [["name": "web", "image": "nginx:1.28"]]
        #expect(PodTemplate(changed).hash() != PodTemplate(template).hash())
        #expect(PodTemplate(template).hash(collisionCount: 1) != PodTemplate(template).hash())
        var labelled = template
        labelled.labels["pod-template-hash"] = "abc"
        #expect(PodTemplate(labelled).hash() == PodTemplate(template).hash())
        #expect(PodTemplate(labelled).equalIgnoringHash(PodTemplate(template)))
        #expect(!PodTemplate(changed).equalIgnoringHash(PodTemplate(template)))
    }

    @Test func fencepostsFollowTheDeploymentControllersRounding() {
        func deployment(_ replicas: Int64, surge: JSONValue?, unavailable: JSONValue?) -> Deployment {
            var object: JSONValue = ["spec": ["replicas": .int(replicas)]]
            if let surge { object[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] = surge }
            if let unavailable { object[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] = unavailable }
            return Deployment(object)
        }
        // Defaults 25 %: surge rounds up, unavailable down.
        #expect(deployment(10, surge: nil, unavailable: nil).fenceposts == (3, 2))
        #expect(deployment(1, surge: nil, unavailable: nil).fenceposts == (1, 0))
        #expect(deployment(4, surge: 0, unavailable: 0).fenceposts == (0, 1))
        #expect(deployment(4, surge: "50%", unavailable: 1).fenceposts == (2, 1))
        // Text that is no IntOrString falls back to the default rather than trapping.
        #expect(deployment(4, surge: "lots", unavailable: "x%").fenceposts == (1, 1))
    }

    @Test func conditionsKeepTheirTransitionTimeWhileTheStatusHolds() {
        var conditions: [JSONValue] = []
        #expect(
            DeploymentConditions.set(
                &conditions, type: "Progressing", status: true, reason: "A", message: "a",
                now: "2026-01-01T00:00:00Z"))
        #expect(
            !DeploymentConditions.set(
                &conditions, type: "Progressing", status: true, reason: "A", message: "a",
                now: "2026-01-01T00:01:00Z"))
        #expect(
            DeploymentConditions.set(
                &conditions, type: "Progressing", status: true, reason: "B", message: "b",
                now: "2026-01-01T00:02:00Z"))
        #expect(conditions.count == 1)
        #expect(conditions[0]["lastTransitionTime"] == "2026-01-01T00:00:00Z")
        #expect(conditions[0]["lastUpdateTime"] == "2026-01-01T00:02:00Z")
        DeploymentConditions.set(
            &conditions, type: "Progressing", status: false, reason: "C", message: "c",
            now: "2026-01-01T00:03:00Z")
        #expect(conditions[0]["lastTransitionTime"] == "2026-01-01T00:03:00Z")
    }

    @Test func expectationsCoverTheCachesLag() {
        let expectations = PodExpectations()
        let owner = ObjectKey(namespace: "default", name: "web")
        expectations.created("web-a", by: owner)
        expectations.deleted("web-old", by: owner)
        // The cache has neither write yet.
        #expect(expectations.alive(["web-old"], allCached: ["web-old"], owner: owner) == ["web-a"])
        // It shows both: the records go, the cache is the truth again.
        #expect(expectations.alive(["web-a"], allCached: ["web-a"], owner: owner) == ["web-a"])
        #expect(
            expectations.alive(["web-a", "web-old"], allCached: ["web-a", "web-old"], owner: owner)
                == ["web-a", "web-old"])
    }

    @Test func podsNotYetRunningOrReadyAreDeletedFirst() {
        func pod(_ name: String, node: String?, phase: String, ready: Bool, created: String) -> JSONValue {
            var object: JSONValue = [
                "metadata": ["name": .string(name), "creationTimestamp": .string(created)],
                "status": [
                    "phase": .string(phase),
                    "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
                ],
            ]
            if let node { object[path: ["spec", "nodeName"]] = .string(node) }
            return object
        }
        let pods = [
            pod("ready-old", node: "n", phase: "Running", ready: true, created: "2026-01-01T00:00:00Z"),
            pod("ready-young", node: "n", phase: "Running", ready: true, created: "2026-01-01T00:05:00Z"),
            pod("unready", node: "n", phase: "Running", ready: false, created: "2026-01-01T00:00:00Z"),
            pod("pending", node: "n", phase: "Pending", ready: false, created: "2026-01-01T00:00:00Z"),
            pod("unscheduled", node: nil, phase: "Pending", ready: false, created: "2026-01-01T00:00:00Z"),
        ]
        #expect(
            PodDeletionOrder.pick(5, from: pods.shuffled()).compactMap(\.name)
                == ["unscheduled", "pending", "unready", "ready-young", "ready-old"])
    }
}
