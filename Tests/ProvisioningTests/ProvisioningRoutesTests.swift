import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeClient
import KubeModel
import PlatformHTTP
import Testing

@testable import Provisioning

/// `POST /api/v1/clusters/provision` and the operations routes, against a real API server.
@Suite struct ProvisioningRoutesTests {
    typealias H = ProvisioningRouteHarness

    @Test func provisionAnswers202WithTheOperationAndRecordsEverything() async throws {
        try await H.run { harness, client in
            let response = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("demo"))
            #expect(response.status == .accepted, "\(H.text(response))")
            let body = try #require(H.json(response))
            let id = try #require(body["operationId"]?.stringValue)
            #expect(ClusterOperationID.isValid(id))
            #expect(response.headers[.location] == "/api/v1/clusters/operations/\(id)")
            #expect(body["clusterName"] == "demo" && body["status"] == "PENDING" && body["type"] == "PROVISION")
            #expect(body["progressPercentage"] == 0 && body["totalNodes"] == 3 && body["successfulNodes"] == 0)
            #expect(body["failedNodes"] == 0 && body["nodeStates"] == [] && body["startTime"]?.stringValue != nil)
            #expect(body[path: ["links", "status"]] == .string("/api/v1/clusters/operations/\(id)"))
            #expect(body[path: ["links", "cancel"]] == .string("/api/v1/clusters/operations/\(id)/cancel"))

            // The ClusterDefinition: spec = the body, annotated with the operation, held by the finalizer.
            let definition = try await harness.api.get(.clusterDefinitions, namespace: H.namespace, name: "demo")
            #expect(definition.annotations[ProvisioningObjects.operationAnnotation] == id)
            #expect(definition.annotations[ProvisioningObjects.requestedByAnnotation] == "admin")
            #expect(definition.finalizers == [ProvisioningObjects.finalizer])
            #expect(definition[path: ["spec", "type"]] == "K3S" && definition[path: ["spec", "version"]] == "v1.32.0+k3s1")
            let operation = try await harness.api.get(.clusterOperations, namespace: H.namespace, name: id)
            #expect(operation[path: ["spec", "type"]] == "PROVISION" && operation[path: ["spec", "requestedBy"]] == "admin")
            #expect(operation[path: ["status", "status"]] == "PENDING")

            // Read back through the API: one operation, the same answer.
            let one = try await H.send(client, .get, "/api/v1/clusters/operations/\(id)")
            #expect(one.status == .ok && H.json(one)?["operationId"] == .string(id))
            let all = try await H.send(client, .get, "/api/v1/clusters/operations")
            #expect(H.json(all)?.arrayValue?.compactMap { $0["operationId"]?.stringValue } == [id])
            let cluster = try await H.send(client, .get, "/api/v1/clusters/demo")
            #expect(cluster.status == .ok)
            #expect(H.json(cluster)?["phase"] == "PENDING" && H.json(cluster)?["operationId"] == .string(id))
            let clusters = try await H.send(client, .get, "/api/v1/clusters")
            #expect(H.json(clusters)?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["demo"])

            // Audited: who, what, result.
            let entries = try await H.audit(client)
            #expect(entries.count == 1)
            #expect(entries.first?["operation"] == "PROVISION" && entries.first?["decision"] == "ACCEPTED")
            #expect(entries.first?["user"] == "admin" && entries.first?["operationId"] == .string(id))
            #expect(entries.first?["resource"] == .string("\(H.namespace)/demo"))
        }
    }

    @Test func theSameTokenAsXAPIKeyWorksAndNoTokenIs401() async throws {
        try await H.run { harness, client in
            let key: HTTPFields = [
                AuthenticationMiddleware<PlatformRequestContext>.apiKey: H.adminToken, .contentType: "application/json",
            ]
            let accepted = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("keyed"), headers: key)
            #expect(accepted.status == .accepted, "\(H.text(accepted))")
            for (method, uri) in [
                (HTTPRequest.Method.post, "/api/v1/clusters/provision"), (.get, "/api/v1/clusters"),
                (.get, "/api/v1/clusters/operations"), (.delete, "/api/v1/clusters/keyed"), (.get, "/api/v1/safety/audit"),
                (.delete, "/api/v1/vms/default/vm"),
            ] {
                let none = try await H.send(client, method, uri, json: H.spec("other"), headers: [.contentType: "application/json"])
                #expect(H.moxxieError(none, .unauthorized) == "UNAUTHORIZED", "\(uri)")
                let wrong = try await H.send(
                    client, method, uri, headers: [AuthenticationMiddleware<PlatformRequestContext>.apiKey: "nope"])
                #expect(H.moxxieError(wrong, .unauthorized) == "UNAUTHORIZED", "\(uri)")
            }
            // Nothing was made by the refused calls.
            #expect(try await harness.definitions().compactMap(\.name) == ["keyed"])
        }
    }

    @Test func aBadSpecIsTheConstraintViolationBodyAndNothingIsCreated() async throws {
        try await H.run { harness, client in
            var spec = H.spec("bad")
            spec["version"] = "1.32"
            spec[path: ["nodeGroups"]] = [
                ["name": "cp", "role": "CONTROL_PLANE", "count": 0, "template": ["cores": 2, "memoryMB": 256]]
            ]
            let response = try await H.send(client, .post, "/api/v1/clusters/provision", json: spec)
            #expect(response.status == .badRequest)
            let body = try #require(H.json(response))
            #expect(body["title"] == "Constraint Violation" && body["status"] == 400)
            let fields = body["violations"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields.contains("version") && fields.contains("nodeGroups[0].count"))
            #expect(fields.contains("nodeGroups[0].template.memoryMB"))
            let definitions = try await harness.definitions()
            let operations = try await harness.operations()
            #expect(definitions.isEmpty && operations.isEmpty)
            let missing = try await H.send(client, .get, "/api/v1/clusters/bad")
            #expect(H.moxxieError(missing, .notFound) == "RESOURCE_NOT_FOUND")
            // A name the REST paths use for themselves is a violation too.
            let reserved = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("operations"))
            #expect(H.json(reserved)?["violations"]?.arrayValue?.first?["field"] == "name")
        }
    }

    @Test(arguments: [
        ("{\"name\": ", "malformed JSON"), ("[1, 2]", "JSON object"), ("{\"name\": 7}", "malformed JSON at name"),
        ("{\"nodeGroups\": {\"a\": 1}}", "nodeGroups"), (String(repeating: "[", count: 5000), "malformed JSON"),
        ("", "cluster specification"),
    ])
    func malformedBodiesAre400(body: String, says: String) async throws {
        try await H.run { harness, client in
            let response = try await H.send(client, .post, "/api/v1/clusters/provision", body: body)
            #expect(H.moxxieError(response, .badRequest) == "BAD_REQUEST")
            #expect(H.json(response)?["message"]?.stringValue?.contains(says) == true, "\(H.text(response))")
            #expect(try await harness.operations().isEmpty)
        }
    }

    @Test func otherMediaTypesAndHugeBodiesAreRefused() async throws {
        try await H.run { _, client in
            var headers = H.admin
            headers[.contentType] = "text/plain"
            let text = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("x"), headers: headers)
            #expect(H.moxxieError(text, .unsupportedMediaType) == "UNSUPPORTED_MEDIA_TYPE")
            let huge = "{\"name\": \"" + String(repeating: "a", count: JSONBody.maximumSize) + "\"}"
            let tooLarge = try await H.send(client, .post, "/api/v1/clusters/provision", body: huge)
            #expect(H.moxxieError(tooLarge, .contentTooLarge) == "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func anExistingNameIs409AndLeavesNoSecondOperation() async throws {
        try await H.run { harness, client in
            _ = try await harness.provision(client, "twice")
            let again = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("twice"))
            #expect(H.moxxieError(again, .conflict) == "RESOURCE_CONFLICT")
            #expect(try await harness.operations().count == 1)
        }
    }

    @Test func aDryRunAnswersThePlanAndWritesNothing() async throws {
        try await H.run { harness, client in
            let response = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("plan", dryRun: true))
            #expect(response.status == .ok, "\(H.text(response))")
            let body = try #require(H.json(response))
            #expect(body["dryRun"] == true && body["clusterName"] == "plan" && body["totalNodes"] == 3)
            let nodes = body["nodes"]?.arrayValue ?? []
            #expect(nodes.compactMap { $0["name"]?.stringValue } == ["plan-cp-01", "plan-work-01", "plan-work-02"])
            for node in nodes {
                let configuration = node["configuration"]?.stringValue ?? ""
                #expect(configuration.hasPrefix("#cloud-config") && configuration.contains("v1.32.0+k3s1"))
            }
            #expect(body[path: ["objects", "kind"]] == "List")
            let kinds = body[path: ["objects", "items"]]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
            #expect(kinds.filter { $0 == "VirtualMachine" }.count == 3 && kinds.filter { $0 == "Secret" }.count == 6)
            #expect(response.headers[.location] == nil)
            let definitions = try await harness.definitions()
            let operations = try await harness.operations()
            #expect(definitions.isEmpty && operations.isEmpty)
            #expect(try await H.audit(client).isEmpty)
        }
    }

    @Test(arguments: ["op-00000000", "op-XYZ", "..%2F..%2Fsecrets", "op-0000000g", String(repeating: "a", count: 300)])
    func anUnknownOrInvalidOperationIs404(id: String) async throws {
        try await H.run { _, client in
            let read = try await H.send(client, .get, "/api/v1/clusters/operations/\(id)")
            #expect(H.moxxieError(read, .notFound) == "RESOURCE_NOT_FOUND")
            let cancel = try await H.send(client, .post, "/api/v1/clusters/operations/\(id)/cancel")
            #expect(H.moxxieError(cancel, .notFound) == "RESOURCE_NOT_FOUND")
        }
    }

    @Test func cancelAsksTheControllerAndAFinishedOperationIs409() async throws {
        try await H.run { harness, client in
            let id = try await harness.provision(client, "stop")
            let cancel = try await H.send(client, .post, "/api/v1/clusters/operations/\(id)/cancel")
            #expect(cancel.status == .accepted, "\(H.text(cancel))")
            #expect(H.json(cancel)?["operationId"] == .string(id) && H.json(cancel)?["cancelRequested"] == true)
            let operation = try await harness.api.get(.clusterOperations, namespace: H.namespace, name: id)
            #expect(operation[path: ["spec", "cancelRequested"]] == true)
            try await harness.finish(id, .cancelled)
            let again = try await H.send(client, .post, "/api/v1/clusters/operations/\(id)/cancel")
            #expect(H.moxxieError(again, .conflict) == "RESOURCE_CONFLICT")
            #expect(H.json(again)?["message"]?.stringValue?.contains("CANCELLED") == true)
            let entries = try await H.audit(client)
            #expect(entries.map { $0["operation"]?.stringValue ?? "" } == ["PROVISION", "CANCEL"])
            // A body with fields is refused: cancel takes none.
            let fields = try await H.send(client, .post, "/api/v1/clusters/operations/\(id)/cancel", json: ["force": true])
            #expect(H.moxxieError(fields, .badRequest) == "BAD_REQUEST")
        }
    }

    @Test(arguments: ["UPPER", "-dash", "a.b", String(repeating: "x", count: 64)])
    func aClusterPathThatIsNoDNSLabelIs404(name: String) async throws {
        try await H.run { _, client in
            for (method, suffix) in [
                (HTTPRequest.Method.get, ""), (.delete, ""), (.get, "/kubeconfig"), (.post, "/validate"),
            ] {
                let response = try await H.send(client, method, "/api/v1/clusters/\(name)\(suffix)")
                #expect(H.moxxieError(response, .notFound) == "RESOURCE_NOT_FOUND", "\(method) \(suffix)")
            }
        }
    }

    @Test func beforeAttachEveryRouteIs503() async throws {
        let service = ProvisioningService()
        try await H.application(service).test(.router) { client in
            let response = try await H.send(client, .get, "/api/v1/clusters")
            #expect(H.moxxieError(response, .serviceUnavailable) == "SERVICE_UNAVAILABLE")
            // A dry run needs no cluster.
            let plan = try await H.send(client, .post, "/api/v1/clusters/provision", json: H.spec("p", dryRun: true))
            #expect(plan.status == .ok)
        }
    }

    @Test func cancellingADecommissionIs409AndChangesNothing() async throws {
        try await H.run { harness, client in
            try await harness.finish(try await harness.provision(client, "leaving"))
            let decommission = try await H.send(client, .delete, "/api/v1/clusters/leaving")
            let id = try #require(H.json(decommission)?["operationId"]?.stringValue)
            let cancel = try await H.send(client, .post, "/api/v1/clusters/operations/\(id)/cancel")
            #expect(H.moxxieError(cancel, .conflict) == "RESOURCE_CONFLICT")
            #expect(H.json(cancel)?["message"]?.stringValue?.contains("DECOMMISSION cannot be stopped") == true)
            let operation = try await harness.api.get(.clusterOperations, namespace: H.namespace, name: id)
            #expect(operation[path: ["spec", "cancelRequested"]] == nil)
            #expect(try await H.audit(client).map { $0["operation"]?.stringValue ?? "" } == ["PROVISION", "DECOMMISSION"])
        }
    }

    /// Reading operations never writes: an orphaned PENDING PROVISION (its cluster never
    /// created) is shown as stored; the controller's sweep marks it (OrphanedOperationSweepTests).
    @Test func readingOperationsNeverWritesThem() async throws {
        try await H.run { harness, client in
            let old = Date().addingTimeInterval(-(OrphanedOperations.gracePeriod + 60))
            let stored = try await harness.operation("op-0000dead", cluster: "never", state: .pending, started: old)
            let one = try await H.send(client, .get, "/api/v1/clusters/operations/op-0000dead")
            #expect(H.json(one)?["status"] == "PENDING", "\(H.text(one))")
            let all = try await H.send(client, .get, "/api/v1/clusters/operations")
            #expect(H.json(all)?.arrayValue?.first?["status"] == "PENDING")
            let after = try await harness.api.get(.clusterOperations, namespace: H.namespace, name: "op-0000dead")
            #expect(after.resourceVersion == stored.resourceVersion)
        }
    }

    /// The list keeps the newest finished operations (2 here) and every unfinished one.
    @Test func oldFinishedOperationsArePrunedWhenANewOneIsMade() async throws {
        try await H.run(maximumFinishedOperations: 2) { harness, client in
            let start = Date().addingTimeInterval(-3600)
            try await harness.operation("op-00000001", cluster: "a", state: .pending, started: start)
            try await harness.operation("op-00000002", cluster: "b", state: .completed, started: start.addingTimeInterval(1))
            try await harness.operation("op-00000003", cluster: "c", state: .failed, started: start.addingTimeInterval(2))
            try await harness.operation("op-00000004", cluster: "d", state: .cancelled, started: start.addingTimeInterval(3))
            try await harness.operation("op-00000005", cluster: "e", state: .provisioning, started: start.addingTimeInterval(4))
            #expect(try await harness.operations().count == 5)
            let id = try await harness.provision(client, "fresh")
            let kept = Set(try await harness.operations().compactMap(\.name))
            #expect(kept == ["op-00000001", "op-00000003", "op-00000004", "op-00000005", id])
        }
    }
}
