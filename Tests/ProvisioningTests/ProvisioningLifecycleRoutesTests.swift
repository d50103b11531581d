import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Provisioning

/// Scale, upgrade, validate, kubeconfig and decommission through the REST API.
@Suite struct ProvisioningLifecycleRoutesTests {
    typealias H = ProvisioningRouteHarness

    @Test func scaleChecksTheRequestThenPatchesTheSpec() async throws {
        try await H.run { harness, client in
            let first = try await harness.provision(client, "grow")
            let uri = "/api/v1/clusters/grow/scale"
            // Busy: the provision is still running.
            let busy = try await H.send(client, .put, uri, json: ["nodeGroup": "work", "targetCount": 4])
            #expect(H.moxxieError(busy, .conflict) == "RESOURCE_CONFLICT")
            try await harness.finish(first)
            for (body, code) in [
                (["nodeGroup": "nope", "targetCount": 2] as JSONValue, "VALIDATION_ERROR"),
                (["nodeGroup": "cp", "targetCount": 0], "VALIDATION_ERROR"),
                (["nodeGroup": "work", "targetCount": 0], "VALIDATION_ERROR"),
                (["nodeGroup": "work", "targetCount": 2], "VALIDATION_ERROR"),
                (["nodeGroup": "work", "targetCount": 101], "BAD_REQUEST"),
                (["nodeGroup": "work", "targetCount": "3"], "BAD_REQUEST"),
                (["nodeGroup": "work"], "BAD_REQUEST"),
                (["nodeGroup": "work", "targetCount": 3, "replicas": 3], "BAD_REQUEST"),
                (["nodeGroup": "work", "targetCount": 3, "drainTimeout": "soon"], "BAD_REQUEST"),
                (["nodeGroup": "work", "targetCount": 3, "strategy": "YOLO"], "BAD_REQUEST"),
            ] {
                let response = try await H.send(client, .put, uri, json: body)
                #expect(H.moxxieError(response, .badRequest) == code, "\(body.serializedString())")
            }
            let controlPlane = try await H.send(client, .put, uri, json: ["nodeGroup": "cp", "targetCount": 0])
            #expect(H.json(controlPlane)?["message"]?.stringValue?.contains("control plane") == true)

            let scaled = try await H.send(
                client, .put, uri,
                json: ["nodeGroup": "work", "targetCount": 4, "strategy": "ROLLING", "maxSurge": 1, "drainTimeout": "5m"])
            #expect(scaled.status == .accepted, "\(H.text(scaled))")
            let id = try #require(H.json(scaled)?["operationId"]?.stringValue)
            #expect(H.json(scaled)?["type"] == "SCALE" && H.json(scaled)?["totalNodes"] == 2)
            #expect(scaled.headers[.location] == "/api/v1/clusters/operations/\(id)")
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "grow")
            #expect(definition[path: ["spec", "nodeGroups"]]?.arrayValue?.last?["count"] == 4)
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == id)
            let operation = try await harness.api.get(.clusterOperations, namespace: H.namespace, name: id)
            #expect(operation[path: ["spec", "request", "drainTimeout"]] == "5m")
            #expect(try await H.audit(client).last?["operation"] == "SCALE")
            // More than 200 nodes in all: the spec's own rules apply to the scaled spec.
            try await harness.finish(id)
            var big = H.spec("big", workers: 100)
            big[path: ["nodeGroups"]] = .array(
                (big["nodeGroups"]?.arrayValue ?? [])
                    + [
                        [
                            "name": "more", "role": "WORKER", "count": 99,
                            "template": [
                                "cores": 1, "memoryMB": 512,
                                "imageSource": ["containerDisk": ["image": "quay.io/containerdisks/ubuntu:24.04"]],
                            ],
                        ]
                    ])
            let created = try await H.send(client, .post, "/api/v1/clusters/provision", json: big)
            #expect(created.status == .accepted, "\(H.text(created))")
            try await harness.finish(try #require(H.json(created)?["operationId"]?.stringValue))
            let over = try await H.send(client, .put, "/api/v1/clusters/big/scale", json: ["nodeGroup": "more", "targetCount": 100])
            #expect(over.status == .badRequest && H.json(over)?["title"] == "Constraint Violation")
        }
    }

    @Test func upgradeRefusesDowngradesSkipsAndBadFormats() async throws {
        try await H.run { harness, client in
            try await harness.finish(try await harness.provision(client, "up"))
            let uri = "/api/v1/clusters/up/upgrade"
            for (version, says) in [
                ("v1.31.0+k3s1", "older"), ("v1.34.0+k3s1", "skips a minor"), ("v1.33.0", "K3S version"),
                ("v1.32.0+k3s1", "already runs"),
            ] {
                let response = try await H.send(client, .put, uri, json: ["version": .string(version)])
                #expect(H.moxxieError(response, .badRequest) == "VALIDATION_ERROR", "\(version)")
                #expect(H.json(response)?["message"]?.stringValue?.contains(says) == true, "\(H.text(response))")
            }
            let zero = try await H.send(client, .put, uri, json: ["version": "v1.33.0+k3s1", "maxSurge": 0, "maxUnavailable": 0])
            #expect(H.moxxieError(zero, .badRequest) == "BAD_REQUEST")
            let upgraded = try await H.send(client, .put, uri, json: ["version": "v1.33.0+k3s1", "maxSurge": 1])
            #expect(upgraded.status == .accepted, "\(H.text(upgraded))")
            #expect(H.json(upgraded)?["type"] == "UPGRADE")
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "up")
            #expect(definition[path: ["spec", "version"]] == "v1.33.0+k3s1")
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == H.json(upgraded)?["operationId"]?.stringValue)
        }
    }

    @Test func validateNamesEveryNodeThatIsNotReady() async throws {
        let access = StubClusterAccess(registered: [
            ProvisionedNode(name: "check-cp-01", ready: true, kubeletVersion: "v1.32.0+k3s1", controlPlane: true),
            ProvisionedNode(name: "check-work-01", ready: false, kubeletVersion: "v1.32.0+k3s1", controlPlane: false),
        ])
        try await H.run(access: access) { harness, client in
            _ = try await harness.provision(client, "check")
            let labels = [ProvisioningLabels.cluster: "check", ProvisioningLabels.managedBy: ProvisioningLabels.managedByValue]
            try await harness.virtualMachine("check-cp-01", labels: labels, vmiPhase: "Running")
            try await harness.virtualMachine("check-work-01", labels: labels, vmiPhase: "Running")
            try await harness.virtualMachine("check-work-02", labels: labels)
            let response = try await H.send(client, .post, "/api/v1/clusters/check/validate")
            #expect(response.status == .ok, "\(H.text(response))")
            let body = try #require(H.json(response))
            #expect(body["clusterName"] == "check" && body["status"] == "FAILED")
            let checks = body["checks"]?.arrayValue ?? []
            func check(_ name: String) -> JSONValue? { checks.first { $0["name"]?.stringValue == name } }
            #expect(check("node/check-cp-01")?["status"] == "PASSED")
            #expect(check("node/check-work-01")?["status"] == "FAILED")
            #expect(check("node/check-work-01")?["message"] == "node check-work-01 is not Ready")
            #expect(check("node/check-work-02")?["message"]?.stringValue?.contains("has not joined") == true)
            #expect(check("vmi/check-work-02")?["status"] == "FAILED" && check("vm/check-work-02")?["status"] == "PASSED")
            #expect(check("cluster-phase")?["status"] == "WARNING")
            for check in checks {
                #expect(Set(check.objectValue?.keys.map { $0 } ?? []) == ["name", "category", "status", "message"])
            }
        }
    }

    @Test func validatePassesWhenEverythingRuns() async throws {
        let access = StubClusterAccess(registered: [
            ProvisionedNode(name: "ok-cp-01", ready: true, kubeletVersion: "v1.32.0+k3s1", controlPlane: true)
        ])
        try await H.run(access: access) { harness, client in
            var spec = H.spec("ok")
            spec[path: ["nodeGroups"]] = .array([spec["nodeGroups"]?.arrayValue?.first ?? [:]])
            let created = try await H.send(client, .post, "/api/v1/clusters/provision", json: spec)
            #expect(created.status == .accepted, "\(H.text(created))")
            var definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "ok")
            definition["status"] = ["phase": "COMPLETED"]
            _ = try await harness.api.updateStatus(.clusterDefinitions, namespace: H.namespace, object: definition)
            try await harness.virtualMachine(
                "ok-cp-01", labels: [ProvisioningLabels.cluster: "ok", ProvisioningLabels.managedBy: "provisioning"], vmiPhase: "Running")
            let response = try await H.send(client, .post, "/api/v1/clusters/ok/validate")
            #expect(H.json(response)?["status"] == "PASSED", "\(H.text(response))")
        }
    }

    @Test func kubeconfigIs404UntilTheSecretExistsThenYAML() async throws {
        try await H.run { harness, client in
            _ = try await harness.provision(client, "kc")
            let early = try await H.send(client, .get, "/api/v1/clusters/kc/kubeconfig")
            #expect(H.moxxieError(early, .notFound) == "RESOURCE_NOT_FOUND")
            #expect(H.json(early)?["message"]?.stringValue?.contains("not there yet") == true)
            let yaml = "apiVersion: v1\nkind: Config\nclusters: []\n"
            _ = try await harness.api.create(
                .secrets, namespace: H.namespace,
                object: [
                    "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "kc-kubeconfig", "namespace": .string(H.namespace)],
                    "data": ["value": .string(Data(yaml.utf8).base64EncodedString())],
                ])
            let ready = try await H.send(client, .get, "/api/v1/clusters/kc/kubeconfig")
            #expect(ready.status == .ok && H.text(ready) == yaml)
            #expect(ready.headers[.contentType] == "application/yaml")
        }
        // The provisioned cluster's own kubeconfig wins when the access has one.
        try await H.run(access: StubClusterAccess(registered: [], kubeconfigText: "kind: Config\n")) { harness, client in
            _ = try await harness.provision(client, "kc")
            let response = try await H.send(client, .get, "/api/v1/clusters/kc/kubeconfig")
            #expect(response.status == .ok && H.text(response) == "kind: Config\n")
        }
    }

    @Test func decommissionMakesAnOperationAndDeletesTheDefinition() async throws {
        try await H.run { harness, client in
            try await harness.finish(try await harness.provision(client, "gone"))
            let response = try await H.send(client, .delete, "/api/v1/clusters/gone")
            #expect(response.status == .accepted, "\(H.text(response))")
            let id = try #require(H.json(response)?["operationId"]?.stringValue)
            #expect(H.json(response)?["type"] == "DECOMMISSION")
            #expect(response.headers[.location] == "/api/v1/clusters/operations/\(id)")
            // The finalizer holds it until the controller is done.
            let held = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "gone")
            #expect(held.deletionTimestamp != nil && held.annotations[ProvisioningObjects.operationAnnotation] == id)
            let shown = try await H.send(client, .get, "/api/v1/clusters/gone")
            #expect(H.json(shown)?["decommissioning"] == true)
            let again = try await H.send(client, .delete, "/api/v1/clusters/gone")
            #expect(H.moxxieError(again, .conflict) == "RESOURCE_CONFLICT")
            let scale = try await H.send(client, .put, "/api/v1/clusters/gone/scale", json: ["nodeGroup": "work", "targetCount": 3])
            #expect(H.moxxieError(scale, .conflict) == "RESOURCE_CONFLICT")
            // The controller's last step: the finalizer goes, and so does the cluster.
            var released = held
            released.finalizers = []
            _ = try await harness.api.update(.clusterDefinitions, namespace: H.namespace, object: released)
            let after = try await H.send(client, .get, "/api/v1/clusters/gone")
            #expect(H.moxxieError(after, .notFound) == "RESOURCE_NOT_FOUND")
            let missing = try await H.send(client, .delete, "/api/v1/clusters/never")
            #expect(H.moxxieError(missing, .notFound) == "RESOURCE_NOT_FOUND")
            #expect(try await H.audit(client).map { $0["operation"]?.stringValue ?? "" } == ["PROVISION", "DECOMMISSION"])
        }
    }

    // MARK: - A change accepted between the check and the write

    /// Another request (another replica) hands the cluster to its own operation between this
    /// request's busy check and its patch.
    static func concurrentChange(_ api: any KubernetesAPI) async throws {
        _ = try await api.patch(
            .clusterDefinitions, namespace: H.namespace, name: "race",
            patch: ProvisioningService.operationPatch(id: "op-0000beef", user: "other-replica"))
    }

    @Test(arguments: ["scale", "upgrade"])
    func aChangeAcceptedMeanwhileIs409AndLeavesNoOperation(route: String) async throws {
        let uri = "/api/v1/clusters/race/\(route)"
        let body: JSONValue = route == "scale" ? ["nodeGroup": "work", "targetCount": 4] : ["version": "v1.33.0+k3s1"]
        try await H.run(serviceAPI: { InterleavingKubernetesAPI($0, beforeFirstDefinitionPatch: Self.concurrentChange) }) {
            harness, client in
            try await harness.finish(try await harness.provision(client, "race"))
            let response = try await H.send(client, .put, uri, json: body)
            #expect(H.moxxieError(response, .conflict) == "RESOURCE_CONFLICT")
            #expect(H.json(response)?["message"]?.stringValue?.contains("changed while") == true, "\(H.text(response))")
            // The other request's change stands, and this one left no PENDING operation behind.
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "race")
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == "op-0000beef")
            #expect(definition[path: ["spec", "version"]] == "v1.32.0+k3s1")
            #expect(definition[path: ["spec", "nodeGroups"]]?.arrayValue?.last?["count"] == 2)
            let types = try await harness.operations().compactMap { $0[path: ["spec", "type"]]?.stringValue }
            #expect(types == ["PROVISION"])
        }
    }

    @Test func aDecommissionRacingAChangeIs409AndDeletesNothing() async throws {
        try await H.run(serviceAPI: { InterleavingKubernetesAPI($0, beforeFirstDefinitionPatch: Self.concurrentChange) }) {
            harness, client in
            try await harness.finish(try await harness.provision(client, "race"))
            let response = try await H.send(client, .delete, "/api/v1/clusters/race")
            #expect(H.moxxieError(response, .conflict) == "RESOURCE_CONFLICT")
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "race")
            #expect(definition.deletionTimestamp == nil)
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == "op-0000beef")
            let types = try await harness.operations().compactMap { $0[path: ["spec", "type"]]?.stringValue }
            #expect(types == ["PROVISION"])
        }
    }

    /// The controller writing the cluster's status meanwhile changes nothing the request
    /// checked: the change is retried on the new resourceVersion and accepted.
    @Test func aStatusWriteMeanwhileDoesNotRefuseTheChange() async throws {
        let statusWrite: @Sendable (any KubernetesAPI) async throws -> Void = { api in
            var definition = try await api.get(.clusterDefinitions, namespace: H.namespace, name: "busy", subresource: nil)
            definition["status"] = ["phase": "COMPLETED", "version": "v1.32.0+k3s1"]
            _ = try await api.updateStatus(.clusterDefinitions, namespace: H.namespace, object: definition)
        }
        try await H.run(serviceAPI: { InterleavingKubernetesAPI($0, beforeFirstDefinitionPatch: statusWrite) }) { harness, client in
            try await harness.finish(try await harness.provision(client, "busy"))
            let scaled = try await H.send(client, .put, "/api/v1/clusters/busy/scale", json: ["nodeGroup": "work", "targetCount": 3])
            #expect(scaled.status == .accepted, "\(H.text(scaled))")
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "busy")
            #expect(definition[path: ["status", "phase"]] == "COMPLETED")
            #expect(definition[path: ["spec", "nodeGroups"]]?.arrayValue?.last?["count"] == 3)
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == H.json(scaled)?["operationId"]?.stringValue)
        }
    }

    /// After an upgrade failed and rolled back, the spec asks for a version the nodes do not
    /// run: the next upgrade is checked against what runs (`status.version`).
    @Test func upgradeIsCheckedAgainstTheRunningVersion() async throws {
        try await H.run { harness, client in
            let id = try await harness.provision(client, "half")
            try await harness.finish(id)
            let first = try await H.send(client, .put, "/api/v1/clusters/half/upgrade", json: ["version": "v1.33.0+k3s1"])
            #expect(first.status == .accepted, "\(H.text(first))")
            try await harness.finish(try #require(H.json(first)?["operationId"]?.stringValue), .failed)
            var definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "half")
            definition["status"] = ["phase": "FAILED", "version": "v1.32.0+k3s1"]
            _ = try await harness.api.updateStatus(.clusterDefinitions, namespace: H.namespace, object: definition)

            // From the spec's v1.33 this would be one minor; from the running v1.32 it skips one.
            let skip = try await H.send(client, .put, "/api/v1/clusters/half/upgrade", json: ["version": "v1.34.0+k3s1"])
            #expect(H.moxxieError(skip, .badRequest) == "VALIDATION_ERROR")
            #expect(H.json(skip)?["message"]?.stringValue?.contains("skips a minor") == true, "\(H.text(skip))")
            // The spec already says v1.33, but the nodes do not run it: a retry is accepted.
            let retry = try await H.send(client, .put, "/api/v1/clusters/half/upgrade", json: ["version": "v1.33.0+k3s1"])
            #expect(retry.status == .accepted, "\(H.text(retry))")
        }
    }

    /// An encoding failure is a 500, never an empty spec written in place of the real one.
    @Test func aSpecThatCannotBeEncodedIs500() throws {
        var spec = try ClusterSpec.decode(from: H.spec("nan").serializedData())
        spec.validation = .double(.nan)
        #expect(throws: ProvisioningAPIError.self) { try ProvisioningService.specJSON(spec) }
        do {
            _ = try ProvisioningService.specJSON(spec)
        } catch {
            #expect(error.status == .internalServerError && error.body["error"] == "INTERNAL_ERROR")
        }
        #expect(try ProvisioningService.specJSON(try ClusterSpec.decode(from: H.spec("ok").serializedData()))["name"] == "ok")
    }
}
