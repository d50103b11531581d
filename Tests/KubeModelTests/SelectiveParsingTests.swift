import Testing

@testable import KubeModel

@Suite struct SelectiveParsingTests {
    static let pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": [
            "name": "web-0", "namespace": "shop", "labels": ["app": "web", "tier": "front"],
            "annotations": ["note": "braces } ] { [ and \"quotes\" and \\ backslashes, commas"],
            "ownerReferences": [["uid": "u1", "kind": "ReplicaSet", "name": "web", "apiVersion": "apps/v1"]],
        ],
        "spec": [
            "nodeName": "node-3", "hostNetwork": false, "restartPolicy": "Always",
            "containers": [["name": "app", "image": "nginx", "args": ["-c", "{", "]"], "ports": [["containerPort": 80]]]],
            "tolerations": [],
        ],
        "status": ["phase": "Running", "podIPs": [["ip": "10.0.0.3"]], "restartCount": 3, "ratio": 0.5, "gone": .null],
    ]

    static let paths: [[[String]]] = [
        [["metadata", "labels"]],
        [["spec", "nodeName"]],
        [["metadata", "labels"], ["spec", "nodeName"], ["status", "phase"]],
        [["status", "podIPs"], ["spec", "hostNetwork"], ["status", "gone"]],
        [["metadata", "name"], ["metadata", "namespace"], ["spec", "nodeName", "deeper"]],
        [["spec", "missing"], ["nothing"]],
        [["spec"]],
        [[]],
    ]

    /// The partial tree holds exactly what lies on the paths, as the full parse has it.
    @Test(arguments: paths)
    func keepsWhatLiesOnThePathsAndNothingElse(_ paths: [[String]]) throws {
        let bytes = Self.pod.serialized()
        let partial = try JSONValue(parsing: bytes, keeping: JSONPathSet(paths))
        for path in paths {
            #expect(partial[path: path] == Self.pod[path: path], "\(path)")
        }
        if paths != [[]] {
            #expect(partial["kind"] == nil)
            #expect(partial[path: ["metadata", "annotations"]] == nil)
        } else {
            #expect(partial == Self.pod)
        }
    }

    @Test func selectorsReadThePartialTreeAsTheWholeOne() throws {
        let bytes = Self.pod.serialized()
        let field = try FieldSelector(parsing: "spec.nodeName=node-3,status.phase!=Pending,metadata.namespace=shop")
        let labels = try LabelSelector(parsing: "app=web,tier in (front,back)")
        let paths = JSONPathSet([["metadata", "labels"], ["spec", "nodeName"], ["status", "phase"], ["metadata", "namespace"]])
        let partial = try JSONValue(parsing: bytes, keeping: paths)
        #expect(field.matches(partial) && field.matches(Self.pod))
        #expect(labels.matches(partial.labels) && labels.matches(Self.pod.labels))
        let unscheduled = try FieldSelector(parsing: "spec.nodeName=")
        #expect(!unscheduled.matches(partial))
    }

    /// Cut anywhere, or broken, a document fails with an error and never traps.
    @Test func brokenDocumentsFailCleanly() {
        let bytes = Self.pod.serialized()
        let paths = JSONPathSet([["status", "phase"], ["metadata", "labels"]])
        for end in stride(from: 0, to: bytes.count - 1, by: 7) {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(bytes[..<end]), keeping: paths) }
        }
        for text in ["{\"a\":\"unterminated", "{\"a\" 1}", "{1:2}", "{\"a\":\"x\\", "{\"status\":{\"phase\":}"] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(text.utf8), keeping: paths) }
        }
    }
}
