import KubeModel
import Testing

@testable import KubeServer

/// Server-side apply without I/O: field sets, merging, removal of dropped fields, conflicts.
@Suite struct ServerSideApplyTests {
    private func deployment(replicas: Int64, image: String = "nginx:1", sidecar: Bool = false) -> JSONValue {
        var containers: [JSONValue] = [
            ["name": "web", "image": .string(image), "ports": [["containerPort": 80]]]
        ]
        if sidecar { containers.append(["name": "log", "image": "busybox"]) }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "d", "namespace": "ns", "labels": ["app": "d"]],
            "spec": [
                "replicas": .int(replicas), "template": ["spec": ["containers": .array(containers)]],
            ],
        ]
    }

    private func apply(_ config: JSONValue, to live: JSONValue?, as manager: String, force: Bool = false) throws(APIError)
        -> JSONValue
    {
        try ServerSideApply(manager: manager, force: force, apiVersion: "apps/v1", now: "2026-12-05T00:00:00Z")
            .apply(config, to: live)
    }

    @Test func fieldSetOfAConfigurationUsesMergeKeysAndLeavesServerMetadataOut() {
        let set = FieldSet(applied: deployment(replicas: 2))
        let container = ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#]
        #expect(set.members.contains(container + ["."]))
        #expect(set.members.contains(container + ["f:image"]))
        #expect(set.members.contains(container + ["f:ports", #"k:{"containerPort":80,"protocol":"TCP"}"#, "f:containerPort"]))
        #expect(set.members.contains(["f:metadata", "f:labels", "f:app"]))
        #expect(!set.members.contains(["f:metadata", "f:name"]))
        #expect(!set.members.contains { $0.first == "f:apiVersion" || $0.first == "f:kind" })
        // Round trip through fieldsV1.
        #expect(FieldSet(fieldsV1: set.fieldsV1) == set)
    }

    @Test func applyRecordsTheManagerAndIsIdempotent() throws {
        let first = try apply(deployment(replicas: 2), to: nil, as: "kubectl")
        let entries = first[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        #expect(entries.count == 1)
        #expect(entries.first?["operation"] == "Apply")
        #expect(entries.first?["fieldsType"] == "FieldsV1")
        let again = try apply(deployment(replicas: 2), to: first, as: "kubectl")
        #expect(again == first)
    }

    @Test func keyedListsMergeAndDroppedFieldsGo() throws {
        let live = try apply(deployment(replicas: 2, sidecar: true), to: nil, as: "a")
        let dropped = try apply(deployment(replicas: 3), to: live, as: "a")
        let names = (dropped[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == ["web"])
        #expect(dropped[path: ["spec", "replicas"]] == 3)
    }

    @Test func anotherManagersFieldIsAConflictUnlessForced() throws {
        let live = try apply(deployment(replicas: 2), to: nil, as: "alice")
        #expect(throws: APIError.self) { try apply(deployment(replicas: 5), to: live, as: "bob") }
        do {
            _ = try apply(deployment(replicas: 5), to: live, as: "bob")
        } catch {
            #expect(error.code == 409)
            #expect(error.message == #"Apply failed with 1 conflict: conflict with "alice": .spec.replicas"#)
            #expect(error.causes == [.init(reason: "FieldManagerConflict", message: #"conflict with "alice""#, field: ".spec.replicas")])
        }
        // The same value is shared ownership, not a conflict.
        _ = try apply(deployment(replicas: 2), to: live, as: "bob")
        let forced = try apply(deployment(replicas: 5), to: live, as: "bob", force: true)
        #expect(forced[path: ["spec", "replicas"]] == 5)
        let alice = forced[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "alice" }
        #expect(alice?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)
    }

    @Test func conflictPathsPrintAsStructuredMergeDiffPrintsThem() {
        #expect(FieldSet.display(["f:spec", "f:containers", #"k:{"name":"web"}"#, "f:image"]) == #".spec.containers[name="web"].image"#)
        #expect(FieldSet.display(["f:metadata", "f:finalizers", #"v:"a""#]) == #".metadata.finalizers[="a"]"#)
    }

    @Test func applyBodiesAreBounded() {
        #expect(throws: APIError.self) { try ApplyBody.parse(Array(String(repeating: "[", count: 10_000).utf8)) }
        #expect(throws: APIError.self) { try ApplyBody.parse([]) }
        let deepYAML = (0..<300).map { String(repeating: " ", count: $0 * 2) + "k:" }.joined(separator: "\n")
        #expect(throws: APIError.self) { try ApplyBody.parse(Array(deepYAML.utf8)) }
        #expect((try? ApplyBody.parse(Array("a: 1\nb: [x, true, null]\n".utf8))) == ["a": 1, "b": ["x", true, nil]])
    }
}

/// `Status` bodies byte for byte as kube-apiserver writes them.
@Suite struct StatusEncodingTests {
    @Test func errorStatusHasGoFieldOrderAndTrailingNewline() {
        let error = APIError.alreadyExists("deployments", group: "apps", name: "triple-nginx")
        #expect(
            String(decoding: error.wireBytes, as: UTF8.self)
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"triple-nginx\" already exists","reason":"AlreadyExists","details":{"name":"triple-nginx","group":"apps","kind":"deployments"},"code":409}"#
                + "\n")
        let core = APIError.alreadyExists("services", group: "", name: "mock-2")
        #expect(
            String(decoding: core.wireBytes, as: UTF8.self)
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \"mock-2\" already exists","reason":"AlreadyExists","details":{"name":"mock-2","kind":"services"},"code":409}"#
                + "\n")
    }

    @Test func goEscapesHTMLCharacters() {
        let error = APIError.badRequest("a <b> & c")
        #expect(String(decoding: error.wireBytes, as: UTF8.self).contains(#""message":"a \u003cb\u003e \u0026 c""#))
    }

    @Test func successStatusHasNoCode() {
        let bytes = ResourceHandler.successStatus(resource: BuiltinResources.pods, name: "p", uid: "u")
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"p","kind":"pods","uid":"u"}}"#
                + "\n")
    }
}

/// What `kubectl logs` reads from a simulated pod.
@Suite struct PodLogsTests {
    private func pod(_ containers: [JSONValue], running: Bool = true) -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": "p"], "spec": ["nodeName": "n", "containers": .array(containers)]]
        if running {
            pod["status"] = [
                "containerStatuses": .array(
                    containers.map { ["name": $0["name"] ?? "", "state": ["running": ["startedAt": "2026-12-05T00:00:00Z"]]] })
            ]
        }
        return pod
    }

    private func text(_ pod: JSONValue, _ query: [String: String] = [:]) throws(APIError) -> String {
        let options = try PodLogs.Options(query: query, podName: "p")
        return String(decoding: try PodLogs.text(of: pod, options: options) ?? [], as: UTF8.self)
    }

    @Test func echoScriptsPrintTheirText() throws {
        let script: JSONValue = [
            "name": "c", "command": ["/bin/sh", "-c"],
            "args": ["echo 'one two'; while true; do echo \"$GREETING $HOSTNAME\"; sleep 5; done; echo x > /tmp/f"],
            "env": [["name": "GREETING", "value": "hi"]],
        ]
        #expect(try text(pod([script])) == "one two\nhi p\n")
        #expect(try text(pod([script]), ["tailLines": "1", "timestamps": "true"]) == "2026-12-05T00:00:00Z hi p\n")
        #expect(try text(pod([["name": "c", "command": ["echo", "-n", "plain"]]])) == "plain\n")
    }

    @Test func sinceLeavesOutOutputFromBefore() throws {
        let echo: JSONValue = ["name": "c", "command": ["echo", "hi"]]
        // Started 2026-12-05T00:00:00Z: a second ago is later than that.
        #expect(try text(pod([echo]), ["sinceSeconds": "1"]) == "")
        #expect(try text(pod([echo]), ["sinceTime": "2026-01-01T00:00:00Z"]) == "hi\n")
        #expect(throws: APIError.self) { try text(pod([echo]), ["sinceTime": "2026-01-01T00:00:00Z", "sinceSeconds": "5"]) }
    }

    @Test func otherContainersSayTheyAreSimulated() throws {
        let output = try text(pod([["name": "c", "image": "nginx"]]))
        #expect(output.hasPrefix("Virtyard simulates container c (image nginx)"))
    }

    @Test func errorsAreKubernetesOwn() {
        #expect(throws: APIError.badRequest("container x is not valid for pod p")) {
            try text(pod([["name": "c"]]), ["container": "x"])
        }
        #expect(throws: APIError.badRequest("a container name must be specified for pod p, choose one of: [a b]")) {
            try text(pod([["name": "a"], ["name": "b"]]))
        }
        #expect(throws: APIError.badRequest(#"container "c" in pod "p" is waiting to start: ContainerCreating"#)) {
            try text(pod([["name": "c"]], running: false))
        }
        #expect(throws: APIError.badRequest(#"previous terminated container "c" in pod "p" not found"#)) {
            try text(pod([["name": "c"]]), ["previous": "true"])
        }
        #expect(throws: APIError.self) { try text(pod([["name": "c"]]), ["tailLines": "-1"]) }
    }
}
