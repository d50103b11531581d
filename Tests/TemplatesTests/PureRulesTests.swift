import KubeClient
import KubeModel
import Testing

@testable import Templates

@Suite struct PureRulesTests {
    @Test func readinessOfDeploymentsStatefulSetsAndJobs() {
        let progressing: JSONValue = ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"]
        let available: JSONValue = ["type": "Available", "status": "True"]
        var deployment: JSONValue = [
            "metadata": ["generation": 2], "status": ["observedGeneration": 2, "conditions": [progressing, available]],
        ]
        #expect(Readiness.deployment(deployment) == .init(ready: true, failed: false))
        deployment[path: ["status", "observedGeneration"]] = 1
        #expect(Readiness.deployment(deployment) == .init(ready: false, failed: false))
        deployment[path: ["status", "observedGeneration"]] = 2
        deployment[path: ["status", "conditions"]] = [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"]]
        #expect(Readiness.deployment(deployment) == .init(ready: false, failed: true))

        #expect(Readiness.statefulSet(["spec": ["replicas": 2], "status": ["readyReplicas": 2, "observedGeneration": 0]]).ready)
        #expect(!Readiness.statefulSet(["spec": ["replicas": 2], "status": ["readyReplicas": 1]]).ready)
        #expect(Readiness.job(["status": ["failed": 1]]) == .init(ready: false, failed: true))
        #expect(Readiness.job(["status": ["completionTime": "2026-01-01T00:00:00Z"]]) == .init(ready: true, failed: false))
        #expect(Readiness.canCheck(group: "apps", kind: "Deployment"))
        #expect(!Readiness.canCheck(group: "kubevirt.io", kind: "VirtualMachine"))
        #expect(Readiness.isWaitedFor(["metadata": ["annotations": [TemplateNames.waitForReadyAnnotation: "TRUE"]]]))
    }

    @Test func placementKeepsObjectsInTheInstanceNamespace() {
        let configMaps = ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true)
        let roles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true)
        let namespaces = ResourceType(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
        let here: JSONValue = ["metadata": ["name": "a", "namespace": "ns"]]
        #expect(PlacementPolicy.refusal(for: here, resource: configMaps, instanceNamespace: "ns") == nil)
        #expect(
            PlacementPolicy.refusal(for: here, resource: configMaps, instanceNamespace: "other")?.contains(
                "not the TemplateInstance's namespace") == true)
        #expect(PlacementPolicy.refusal(for: here, resource: roles, instanceNamespace: "ns") != nil)
        #expect(PlacementPolicy.refusal(for: ["metadata": ["name": "n"]], resource: namespaces, instanceNamespace: "ns") != nil)
    }

    @Test func resolvesBuiltinAndCustomKinds() {
        #expect(BuiltinKinds.resource(group: "apps", version: "v1", kind: "Deployment")?.resource == "deployments")
        #expect(BuiltinKinds.resource(group: "", version: "v1", kind: "Gadget") == nil)
        let crd: JSONValue = [
            "spec": [
                "group": "kubevirt.io", "scope": "Namespaced",
                "names": ["kind": "VirtualMachine", "plural": "virtualmachines"],
                "versions": [["name": "v1", "served": true], ["name": "v1alpha3", "served": false]],
            ]
        ]
        let vm = ClusterResourceResolver.resource(of: crd, group: "kubevirt.io", version: "v1", kind: "VirtualMachine")
        #expect(
            vm == ResourceType(group: "kubevirt.io", version: "v1", resource: "virtualmachines", kind: "VirtualMachine", namespaced: true))
        #expect(ClusterResourceResolver.resource(of: crd, group: "kubevirt.io", version: "v1alpha3", kind: "VirtualMachine") == nil)
        #expect(ClusterResourceResolver.split("apps/v1") == ("apps", "v1"))
        #expect(ClusterResourceResolver.split("v1") == ("", "v1"))
    }

    @Test func substitutionFindsReferences() {
        #expect(ParameterSubstitution.references(in: "a${X}b${Y_1}${}${bad-name}$") == ["X", "Y_1"])
        #expect(ParameterSubstitution.exactNonStringReference("${{N}}") == "N")
        #expect(ParameterSubstitution.exactNonStringReference("${{N}} ") == nil)
        #expect(ParameterSubstitution.exactNonStringReference("${{}}") == nil)
    }
}

@Suite struct FailureMessageTests {
    @Test func errorsAreListedOnceAndBounded() {
        #expect(TemplateInstanceReconciler.message(["a", "b", "a"]) == "a\nb")
        let many = (0..<25).map { "error \($0)" }
        let message = TemplateInstanceReconciler.message(many)
        #expect(message.split(separator: "\n").count == 21)
        #expect(message.hasSuffix("… and 5 more"))
    }

    @Test func onlyAPIFailuresAreRetried() {
        let unavailable = KubeClientError(code: 503, reason: "ServiceUnavailable", message: "", request: "GET /")
        let unreachable = KubeClientError(code: 0, reason: "", message: "connection refused", request: "GET /")
        let invalid = KubeClientError(code: 422, reason: "Invalid", message: "", request: "POST /")
        #expect(TemplateInstanceReconciler.isTransient(unavailable))
        #expect(TemplateInstanceReconciler.isTransient(unreachable))
        #expect(!TemplateInstanceReconciler.isTransient(invalid))
        #expect(TemplateInstanceReconciler.isTransient(ResolveError.lookupFailed("x")))
        #expect(!TemplateInstanceReconciler.isTransient(ResolveError.noMatch(apiVersion: "v1", kind: "X")))
    }
}
