import ControllerKit
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Templates

@Suite struct TemplateInstanceReconcilerTests {
    @Test func instantiatesWithParametersLabelsAndOwnership() async throws {
        try await TemplateHarness.run { harness in
            let created = try await harness.createInstance("one", template: configMapTemplate, secret: ["COLOR": "blue"])
            let uid = try #require(created.uid)
            #expect(try await harness.reconcile("one") == .done)

            let ready = try await harness.condition("one", TemplateNames.readyCondition)
            #expect(ready?.status == .true && ready?.reason == "Created")
            let instance = try await harness.instance("one")
            #expect(instance.finalizers == [TemplateNames.finalizer])
            let objects = try await harness.configMaps(ownedBy: uid)
            #expect(objects.count == 2)
            let generated = try #require(objects.first { $0.name?.hasPrefix("cm-") == true })
            #expect(generated["data"] == ["color": "blue"])
            #expect(generated.labels["app"] == "pair")
            #expect(generated.ownerReferences.map(\.uid) == [uid])
            #expect(generated.ownerReferences.first?.kind == "TemplateInstance")
            let fixed = try await harness.api.get(.configMaps, namespace: "default", name: "fixed-blue")
            #expect(fixed["data"] == ["count": "3"])

            // status.objects names both, in template order, with their uids.
            let refs = instance[path: ["status", "objects"]]?.arrayValue?.compactMap { $0["ref"] } ?? []
            #expect(refs.map { $0["name"]?.stringValue } == [generated.name, "fixed-blue"])
            #expect(refs.map { $0["uid"]?.stringValue } == [generated.uid, fixed.uid])
            #expect(refs.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" && $0["namespace"] == "default" })

            // Reconciling again changes nothing and creates nothing.
            let before = try await harness.instance("one").resourceVersion
            #expect(try await harness.reconcile("one") == .done)
            #expect(try await harness.instance("one").resourceVersion == before)
            #expect(try await harness.configMaps(ownedBy: uid).count == 2)
        }
    }

    @Test func missingRequiredParameterFailsAndCreatesNothing() async throws {
        try await TemplateHarness.run { harness in
            let created = try await harness.createInstance("nocolor", template: configMapTemplate, secret: [:])
            #expect(try await harness.reconcile("nocolor") == .done)
            let failure = try await harness.condition("nocolor", TemplateNames.instantiateFailureCondition)
            #expect(failure?.status == .true && failure?.reason == "Failed")
            #expect(failure?.message?.contains("parameter COLOR is required and must be specified") == true)
            #expect(try await harness.configMaps(ownedBy: try #require(created.uid)).isEmpty)
            // Final: the next pass leaves it alone.
            let before = try await harness.instance("nocolor").resourceVersion
            #expect(try await harness.reconcile("nocolor") == .done)
            #expect(try await harness.instance("nocolor").resourceVersion == before)
        }
    }

    @Test func unknownKindFailsBeforeAnythingIsCreated() async throws {
        try await TemplateHarness.run { harness in
            var template = configMapTemplate
            var objects = template["objects"]?.arrayValue ?? []
            objects.append(["apiVersion": "example.com/v1", "kind": "Gadget", "metadata": ["name": "g"]])
            template["objects"] = .array(objects)
            let created = try await harness.createInstance("gadget", template: template, secret: ["COLOR": "red"])
            try await harness.reconcile("gadget")
            let failure = try await harness.condition("gadget", TemplateNames.instantiateFailureCondition)
            #expect(failure?.status == .true)
            #expect(failure?.message?.contains("no matches for kind \"Gadget\" in version \"example.com/v1\"") == true)
            #expect(try await harness.configMaps(ownedBy: try #require(created.uid)).isEmpty)
        }
    }

    @Test func refusesObjectsOutsideTheInstanceNamespace() async throws {
        try await TemplateHarness.run { harness in
            let template: JSONValue = [
                "parameters": [["name": "NS", "value": "kube-system"]],
                "objects": [
                    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ok"]],
                    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "away", "namespace": "${NS}"]],
                    ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": "admin-me"]],
                ],
            ]
            let created = try await harness.createInstance("escape", template: template, secret: nil)
            try await harness.reconcile("escape")
            let message = try await harness.condition("escape", TemplateNames.instantiateFailureCondition)?.message ?? ""
            #expect(message.contains("namespace kube-system is not the TemplateInstance's namespace default"))
            #expect(message.contains("ClusterRoleBinding admin-me: cluster-scoped objects are not created"))
            #expect(try await harness.configMaps(ownedBy: try #require(created.uid)).isEmpty)
        }
    }

    @Test func anObjectOfSomeoneElseIsNotTaken() async throws {
        try await TemplateHarness.run { harness in
            _ = try await harness.api.create(.configMaps, object: configMap("fixed-green", data: ["mine": "yes"]))
            try await harness.createInstance("clash", template: configMapTemplate, secret: ["COLOR": "green"])
            try await harness.reconcile("clash")
            let failure = try await harness.condition("clash", TemplateNames.instantiateFailureCondition)
            #expect(failure?.message?.contains("fixed-green already exists and was not created by this TemplateInstance") == true)
            #expect(try await harness.api.get(.configMaps, namespace: "default", name: "fixed-green")["data"] == ["mine": "yes"])
            // The object it did create is listed, so deleting the instance takes it along.
            #expect(try await harness.instance("clash")[path: ["status", "objects"]]?.arrayValue?.count == 1)
        }
    }

    /// A pass cut short after creating objects (a restart, a lost status write) leaves them
    /// unlisted; the next pass generates a new name but takes the leftover instead of making a
    /// second copy.
    @Test func anInterruptedPassLeavesNoDuplicates() async throws {
        try await TemplateHarness.run { harness in
            let created = try await harness.createInstance("again", template: configMapTemplate, secret: ["COLOR": "teal"])
            let uid = try #require(created.uid)
            for name in ["cm-leftover", "fixed-teal"] {
                var object = configMap(name, labels: [TemplateNames.instanceOwnerLabel: uid])
                try OwnerReferences.set(created, .templateInstances, on: &object)
                _ = try await harness.api.create(.configMaps, object: object)
            }
            try await harness.reconcile("again")
            #expect(try await harness.condition("again", TemplateNames.readyCondition)?.status == .true)
            let names = try await harness.configMaps(ownedBy: uid).compactMap(\.name).sorted()
            #expect(names == ["cm-leftover", "fixed-teal"])
        }
    }

    @Test func waitsForObjectsThatAskForIt() async throws {
        try await TemplateHarness.run { harness in
            let template: JSONValue = [
                "objects": [
                    [
                        "apiVersion": "batch/v1", "kind": "Job",
                        "metadata": ["name": "setup", "annotations": [TemplateNames.waitForReadyAnnotation: "true"]],
                        "spec": [
                            "template": [
                                "spec": [
                                    "restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]],
                                ]
                            ]
                        ],
                    ]
                ]
            ]
            try await harness.createInstance("job", template: template, secret: nil)
            #expect(try await harness.reconcile("job") == .requeueAfter(.seconds(5)))
            let waiting = try await harness.condition("job", TemplateNames.readyCondition)
            #expect(waiting?.status == .false && waiting?.reason == "Waiting")
            // The Job completes: the instance is Ready.
            var job = try await harness.api.get(.jobs, namespace: "default", name: "setup")
            job["status"] = ["completionTime": "2026-01-01T00:00:00Z", "succeeded": 1]
            _ = try await harness.api.updateStatus(.jobs, namespace: "default", object: job)
            #expect(try await harness.reconcile("job") == .done)
            #expect(try await harness.condition("job", TemplateNames.readyCondition)?.status == .true)
        }
    }

    @Test func deletingTheInstanceDeletesItsObjects() async throws {
        try await TemplateHarness.run(controllers: true) { harness in
            let created = try await harness.createInstance("gone", template: configMapTemplate, secret: ["COLOR": "black"])
            let uid = try #require(created.uid)
            let ready = try await eventually(timeout: .seconds(30)) {
                try await harness.condition("gone", TemplateNames.readyCondition)?.status == .true
            }
            #expect(ready)
            #expect(try await harness.configMaps(ownedBy: uid).count == 2)
            try await harness.api.delete(.templateInstances, namespace: "default", name: "gone")
            let cleaned = try await eventually(timeout: .seconds(30)) {
                let instanceGone =
                    try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                        try await harness.api.get(.templateInstances, namespace: "default", name: "gone")
                    } == nil
                guard instanceGone else { return false }
                return try await harness.configMaps(ownedBy: uid).isEmpty
            }
            #expect(cleaned)
        }
    }
}

extension ResourceType {
    static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true)
}
