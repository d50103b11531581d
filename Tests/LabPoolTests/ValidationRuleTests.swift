import Foundation
import KubeClient
import KubeModel
import Testing

@testable import LabPool

/// Rules run against the session's cluster: field checks reach into lists, conditions
/// compare as cks-backend's do, and command, script and file rules are reported as not
/// runnable — failed, never passed.
@Suite struct ValidationRuleTests {
    static let pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": "secure-pod", "namespace": "default", "labels": ["app.kubernetes.io/name": "web"]],
        "spec": [
            "securityContext": ["runAsUser": 1000],
            "containers": [
                [
                    "name": "nginx", "image": "nginx:1.25", "securityContext": ["allowPrivilegeEscalation": false],
                    "resources": ["limits": ["memory": "512Mi"]],
                ],
                ["name": "sidecar", "image": "busybox:1.36", "securityContext": ["capabilities": ["drop": ["ALL"]]]],
            ],
        ],
    ]
    static let api = ObjectsAPI(objects: [
        "pods/default/secure-pod": pod,
        "namespaces//team-a": ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]],
    ])

    private func rule(_ yaml: String) throws -> ValidationRule {
        let file = try #require(try ScenarioYAML.documents(text: yaml, file: "t.yaml", limits: ScenarioLimits()).first)
        return try ValidationRule(file, position: 0, file: "t.yaml", field: "validation[0]")
    }

    private func run(_ yaml: String) async throws -> RuleResult {
        try await rule(yaml).run(against: Self.api)
    }

    private func property(_ path: String, _ condition: String, _ value: String? = nil, kind: String = "Pod", name: String = "secure-pod")
        -> String
    {
        "{id: r, type: resource_property, resource: {kind: \(kind), name: \(name), namespace: default, property: \"\(path)\"}, condition: \(condition)"
            + (value.map { ", value: \($0)" } ?? "") + "}"
    }

    @Test func propertyPathsParseCKSBackendsSyntax() throws {
        #expect(
            try PropertyPath(parsing: ".spec.containers[0].securityContext.allowPrivilegeEscalation").steps
                == [.key("spec"), .key("containers"), .index(0), .key("securityContext"), .key("allowPrivilegeEscalation")])
        #expect(
            try PropertyPath(parsing: "spec.containers[*].image").steps == [.key("spec"), .key("containers"), .everyItem, .key("image")])
        #expect(
            try PropertyPath(parsing: #".metadata.labels.pod-security\.kubernetes\.io/enforce"#).steps
                == [.key("metadata"), .key("labels"), .key("pod-security.kubernetes.io/enforce")])
        #expect(
            try PropertyPath(parsing: #"metadata.labels["app.kubernetes.io/name"]"#).steps == [
                .key("metadata"), .key("labels"), .key("app.kubernetes.io/name"),
            ])
        for bad in ["", ".", "spec..x", "spec.", "spec[", "spec[x]", "spec[-1]", "spec[0]x", "a\\"] {
            #expect(throws: PropertyPath.ParseError.self, "\(bad)") { try PropertyPath(parsing: bad) }
        }
    }

    @Test func fieldChecksReachIntoLists() async throws {
        #expect(try await run(property(".spec.containers[0].securityContext.allowPrivilegeEscalation", "equals", "\"false\"")).passed)
        #expect(try await run(property(".spec.containers[1].image", "equals", "busybox:1.36")).passed)
        #expect(try await run(property(".spec.securityContext.runAsUser", "equals", "\"1000\"")).passed)
        #expect(try await run(property(".spec.securityContext.runAsUser", "equals", "1000")).passed)
        // [*]: every item must hold, and there must be one.
        #expect(try await run(property(".spec.containers[*].image", "matches_regex", "\"^(nginx|busybox):\"")).passed)
        let some = try await run(property(".spec.containers[*].image", "matches_regex", "\"^nginx:\""))
        #expect(!some.passed && some.actual == ["nginx:1.25", "busybox:1.36"] && some.errorCode == "PROPERTY_MISMATCH")
        #expect(try await run(property(".spec.containers[1].securityContext.capabilities.drop", "contains", "ALL")).passed)
        #expect(try await run(property(".spec.containers[0].resources.limits.memory", "less_than", "1Gi")).passed)
        #expect(try await run(property(".spec.containers[0].resources.limits.memory", "greater_than", "1Gi")).passed == false)
        #expect(try await run(property(".metadata.labels[\\\"app.kubernetes.io/name\\\"]", "equals", "web")).passed)
        #expect(try await run(property(".spec.hostNetwork", "not_exists")).passed)
        #expect(try await run(property(".spec.containers[5].image", "exists")).passed == false)
        let wrong = try await run(property(".spec.containers[0].image", "equals", "nginx:1.20"))
        #expect(
            !wrong.passed && wrong.message.contains("spec.containers[0].image is nginx:1.25; wanted equals nginx:1.20"), "\(wrong.message)")
        // Two strings compare as text, not as numbers.
        #expect(ValidationRule.holds(.equals, found: ["1.20"], wanted: "1.2") == false)
    }

    @Test func resourceRulesFindTheObjectOrSayWhy() async throws {
        #expect(try await run("{id: r, type: resource_exists, resource: {kind: Pod, name: secure-pod, namespace: default}}").passed)
        // Namespace "" (cks-backend's way) for a cluster-scoped kind.
        #expect(try await run("{id: r, type: resource_exists, resource: {kind: Namespace, name: team-a, namespace: \"\"}}").passed)
        let missing = try await run(
            "{id: r, type: resource_exists, resource: {kind: Pod, name: gone}, errorMessage: \"Pod 'gone' does not exist\"}")
        #expect(!missing.passed && missing.runnable && missing.errorCode == "RESOURCE_NOT_FOUND")
        #expect(missing.message == "Pod 'gone' does not exist (Pod 'gone' does not exist in namespace 'default')")
        let unknown = try await run("{id: r, type: resource_exists, resource: {kind: Widget, name: w}}")
        #expect(!unknown.passed && unknown.errorCode == "UNKNOWN_KIND")
    }

    @Test(arguments: [
        (
            "{id: c, type: command, command: {command: 'systemctl is-active falco', target: worker}, condition: output_equals, value: active}",
            "command checks need the lab terminal's sandbox"
        ),
        (
            "{id: s, type: script, script: {script: 'exit 0', target: control-plane, successCode: 0}}",
            "script checks need the lab terminal's sandbox"
        ),
        ("{id: f, type: file_exists, file: {path: /etc/passwd, target: worker}}", "file checks need the lab terminal's sandbox"),
        (
            "{id: f, type: file_content, file: {path: /etc/passwd}, condition: contains, value: root}",
            "file checks need the lab terminal's sandbox"
        ),
    ])
    func rulesNeedingAMachineAreNotRunnableAndNeverPass(yaml: String, message: String) async throws {
        let result = try await run(yaml)
        #expect(!result.passed && !result.runnable && result.errorCode == "NOT_RUNNABLE")
        #expect(result.message.contains(message), "\(result.message)")
        #expect(result.json["runnable"] == false)
    }

    @Test func theValidationAnswerHasCKSBackendsFieldsAndVirtyardsOwn() async throws {
        let rules = [
            try rule("{id: ok, type: resource_exists, resource: {kind: Pod, name: secure-pod}}"),
            try rule("{id: sh, type: command, command: {command: id -u}, condition: output_equals, value: 1000}"),
        ]
        let task = Scenario.Task(id: "01", title: "T", description: "", objective: nil, steps: [], hints: [], rules: rules)
        let results = await Scenario.run(task, against: Self.api)
        let answer = LabService.validationAnswer(taskID: "01", task: task, results: results, at: Date(timeIntervalSince1970: 0))
        #expect(answer["success"] == false && answer["passed"] == false && answer["status"] == "failed")
        #expect(answer["timestamp"] == "1970-01-01T00:00:00Z")
        #expect(answer["message"]?.stringValue?.contains("1 of 2 need the lab terminal's sandbox") == true)
        let listed = try #require(answer["results"]?.arrayValue)
        #expect(listed.map { $0["ruleId"] } == ["ok", "sh"])
        #expect(listed.map { $0["passed"] } == [true, false])
        #expect(listed.map { $0["runnable"] } == [true, false])
        #expect(answer["checks"]?.arrayValue?.count == 2)
        // No rules: cks-backend's answer, a success.
        let empty = Scenario.Task(id: "02", title: "T", description: "", objective: nil, steps: [], hints: [], rules: [])
        let none = LabService.validationAnswer(taskID: "02", task: empty, results: [], at: Date())
        #expect(none["success"] == true && none["results"] == [] && none["message"] == "No validation rules defined for this task")
    }

    @Test func virtyardChecksBecomeRulesWithTheirOldMeaning() async throws {
        let object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "LabScenario", "metadata": ["name": "s"],
            "spec": [
                "tasks": [
                    [
                        "id": "t1",
                        "checks": [
                            ["type": "exists", "kind": "Pod", "namespace": "default", "name": "secure-pod"],
                            [
                                "type": "field", "kind": "Pod", "namespace": "default", "name": "secure-pod",
                                "path": "spec.containers[0].image", "value": "nginx:1.25",
                            ],
                            [
                                "type": "label", "kind": "Pod", "namespace": "default", "name": "secure-pod",
                                "path": "app.kubernetes.io/name",
                            ],
                            ["type": "label", "kind": "Pod", "namespace": "default", "name": "secure-pod", "path": "team", "value": "a"],
                        ],
                    ]
                ]
            ],
        ]
        let task = try #require(try Scenario(object).tasks.first)
        let results = await Scenario.run(task, against: Self.api)
        #expect(results.map(\.passed) == [true, true, true, false])
        #expect(task.rules[3].description == "Pod default/secure-pod has label team=a")
    }

    @Test func taskMarkdownIgnoresHeadingsInCode() {
        let markdown = TaskMarkdown(
            """
            # Task 2: Monitor

            ## Description

            Watch the logs.

            ```bash
            # Monitor Falco logs
            ## not a section
            ```

            ## Objectives

            1. One
            2. Two
            """)
        #expect(markdown.title == "Task 2: Monitor")
        #expect(markdown.description.hasPrefix("Watch the logs.") && markdown.description.contains("# Monitor Falco logs"))
        #expect(markdown.objective == "1. One\n2. Two")
    }
}

/// A cluster of fixed objects, keyed `resource/namespace/name`, that only reads.
struct ObjectsAPI: KubernetesAPI {
    let objects: [String: JSONValue]

    private func refused(_ what: String) -> KubeClientError {
        KubeClientError(code: 405, reason: "MethodNotAllowed", message: "\(what) is not served by this test cluster", request: what)
    }

    func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError) -> JSONValue {
        guard let object = objects["\(resource.resource)/\(namespace ?? "")/\(name)"] else {
            throw KubeClientError(code: 404, reason: "NotFound", message: "\(resource.resource) \"\(name)\" not found", request: "GET")
        }
        return object
    }

    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        throw refused("LIST")
    }

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        throw refused("POST")
    }

    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        throw refused("POST")
    }

    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        throw refused("PUT")
    }

    func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        throw refused("PATCH")
    }

    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        throw refused("DELETE")
    }

    func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError)
        -> AsyncThrowingStream<WatchEventObject, any Error>
    {
        throw refused("WATCH")
    }
}
