import Foundation
import KubeModel
import Testing
import VirtyardTesting

@testable import LabPool

/// `--lab-scenarios` reads cks-backend's scenario folders unchanged (the fixture follows its
/// format), keeps reading Virtyard's own manifests, and refuses what is malformed with the
/// file and field named.
@Suite struct ScenarioDirectoryTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cks-scenarios").path

    @Test func theCKSFixtureLoadsWithItsMetadataTasksRulesAndCategories() throws {
        let files = try ScenarioFiles(directory: Self.fixture)
        #expect(files.scenarios.count == 1)
        let object = try #require(files.scenarios.first)
        #expect(object.name == "pod-hardening")
        #expect(LabScenarioObject(object).sourceFile == "pod-hardening/")
        let scenario = try Scenario(object)
        #expect(scenario.title == "Harden a Pod and its Namespace")
        #expect(scenario.details["difficulty"] == "beginner")
        #expect(scenario.details["topics"] == ["pod-security", "rbac"])
        #expect(scenario.details["requirements"]?[path: ["resources", "memory"]] == "2Gi")
        #expect(scenario.tasks.map(\.id) == ["01", "02", "03"])
        #expect(
            scenario.tasks.map(\.title) == [
                "Task 1: Run a Pod as a non-root user", "Task 2: Enforce the restricted Pod Security level",
                "Task 3: A locked-down ServiceAccount for the auditor",
            ])
        #expect(scenario.tasks.map(\.rules.count) == [5, 2, 3])
        let first = scenario.tasks[0]
        #expect(first.description == "Create a Pod that runs as user 1000 and cannot escalate its privileges.")
        #expect(first.hints == ["Where the user ID goes\nThe Pod's securityContext applies to every container."])
        #expect(first.steps.count == 2)
        #expect(first.rules.map(\.kind) == [.resourceExists, .resourceProperty, .resourceProperty, .resourceProperty, .command])
        #expect(
            first.rules[2].resource?.property?.steps
                == [.key("spec"), .key("containers"), .index(0), .key("securityContext"), .key("allowPrivilegeEscalation")])
        #expect(
            scenario.tasks[1].rules[0].resource?.property?.steps
                == [.key("metadata"), .key("labels"), .key("pod-security.kubernetes.io/enforce")])
        #expect(scenario.tasks[2].rules[1].value == .bool(false))
        // The resource setup step is applied; the command step is kept and marked.
        #expect(scenario.setup.map { $0.kind ?? "" } == ["Namespace", "ConfigMap"])
        let steps = try #require(scenario.details["setupSteps"]?.arrayValue)
        #expect(steps.map { $0["runnable"] } == [.bool(true), .bool(false)])
        #expect(files.categories?.categories["rbac"]?.name == "RBAC and Authentication")
        #expect(files.categories?.json == ["pod-security": "Pod Security", "rbac": "RBAC and Authentication"])
        // Kept on the scenario, in the cluster, for the API to answer from.
        #expect(object[path: ["spec", "categories", "rbac", "name"]] == "RBAC and Authentication")
        #expect(ScenarioCategories(stored: LabScenarioObject(object).categories) == files.categories)
    }

    @Test func theAPIShowsAScenarioInCKSBackendsShape() throws {
        let files = try ScenarioFiles(directory: Self.fixture)
        let json = try Scenario(try #require(files.scenarios.first)).json
        #expect(json["id"] == "pod-hardening")
        #expect(json["timeEstimate"] == "20m")
        let rule = try #require(json[path: ["tasks"]]?.arrayValue?.first?["validation"]?.arrayValue?[2])
        #expect(rule["type"] == "resource_property")
        #expect(rule[path: ["resource", "property"]] == ".spec.containers[0].securityContext.allowPrivilegeEscalation")
        #expect(rule["condition"] == "equals")
        #expect(rule["value"] == "false")
    }

    @Test func virtyardManifestsAndCKSFoldersLoadSideBySide() throws {
        let directory = try TemporaryDirectory()
        try copyFixture(into: directory)
        try directory.write(
            "mine.yaml",
            """
            apiVersion: virtyard.io/v1alpha1
            kind: LabScenario
            metadata: {name: mine}
            spec:
              title: Mine
              tasks:
              - id: t1
                checks:
                - {type: field, kind: Pod, name: web, path: "spec.containers[0].image", value: "nginx:1.25"}
                validation:
                - {id: extra, type: resource_exists, resource: {kind: Service, name: web}}
            """)
        try directory.write("notes.txt", "ignored")
        let files = try ScenarioFiles(directory: directory.path)
        #expect(files.scenarios.compactMap(\.name).sorted() == ["mine", "pod-hardening"])
        let mine = try Scenario(try #require(files.scenarios.first { $0.name == "mine" }))
        #expect(mine.tasks[0].rules.map(\.kind) == [.resourceProperty, .resourceExists])
        #expect(mine.tasks[0].rules[0].resource?.property?.steps == [.key("spec"), .key("containers"), .index(0), .key("image")])
        #expect(LabScenarioObject(try #require(files.scenarios.first { $0.name == "mine" })).sourceFile == "mine.yaml")
    }

    @Test func withoutACategoriesFileThereAreNone() throws {
        let directory = try TemporaryDirectory()
        try copyFixture(into: directory)
        try FileManager.default.removeItem(atPath: directory.file("categories.yaml"))
        let files = try ScenarioFiles(directory: directory.path)
        #expect(files.categories == nil)
        #expect(files.scenarios.allSatisfy { LabScenarioObject($0).categories == nil })
    }

    // MARK: - Hostile and malformed directories

    /// The start-up error for the fixture with `file` (relative) replaced by `text`.
    private func refusal(_ file: String, _ text: String, limits: ScenarioLimits = ScenarioLimits()) throws -> String {
        let directory = try TemporaryDirectory()
        try copyFixture(into: directory)
        try directory.write(file, text)
        do {
            _ = try ScenarioFiles(directory: directory.path, limits: limits)
            return ""
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        (
            "pod-hardening/validation/01-validation.yaml", "validation:\n- {id: a, type: resource_exist, resource: {kind: Pod, name: p}}\n",
            "pod-hardening/validation/01-validation.yaml: validation[0].type: \"resource_exist\" is not a rule type"
        ),
        (
            "pod-hardening/validation/01-validation.yaml", "validation:\n- {id: a, type: resource_exists, resource: {name: p}}\n",
            "validation[0].resource.kind: is required"
        ),
        (
            "pod-hardening/validation/01-validation.yaml",
            "validation:\n- {id: a, type: resource_property, resource: {kind: Pod, name: p, property: \"spec.containers[x]\"}, value: 1}\n",
            "validation[0].resource.property: has [x]"
        ),
        (
            "pod-hardening/validation/01-validation.yaml",
            "validation:\n- {id: a, type: resource_property, resource: {kind: Pod, name: p, property: .spec}, condition: equal, value: 1}\n",
            "validation[0].condition: \"equal\" is not a condition of a resource_property rule"
        ),
        (
            "pod-hardening/validation/01-validation.yaml",
            "validation:\n- {id: a, type: resource_property, resource: {kind: Pod, name: p, property: .spec}, condition: matches_regex, value: \"([\"}\n",
            "validation[0].value: \"([\" is not a regular expression"
        ),
        (
            "pod-hardening/validation/01-validation.yaml",
            "validation:\n- {id: a, type: command, command: {command: ls}, conditon: success}\n",
            "validation[0].conditon: is not a known field here"
        ),
        (
            "pod-hardening/validation/01-validation.yaml",
            "validation:\n- {id: a, type: resource_exists, resource: {kind: Pod, name: p}}\n- {id: a, type: resource_exists, resource: {kind: Pod, name: q}}\n",
            "validation[1].id: \"a\" is the id of an earlier rule too"
        ),
        ("pod-hardening/validation/01-validation.yaml", "validation: {id: a}\n", "validation: must be a list of rules, not a object"),
        (
            "pod-hardening/validation/01-validation.yaml", "validation: [\n",
            "pod-hardening/validation/01-validation.yaml: is not valid YAML"
        ),
        ("pod-hardening/validation/09-validation.yaml", "validation: []\n", "09-validation.yaml: has no task (tasks/09-task.md)"),
        (
            "pod-hardening/metadata.yaml", "title: T\ndescription: D\ndifficulty: expert\n",
            "metadata.yaml: difficulty: \"expert\" is not one of"
        ),
        ("pod-hardening/metadata.yaml", "description: D\ndifficulty: beginner\n", "pod-hardening/metadata.yaml: title: is required"),
        (
            "pod-hardening/metadata.yaml", "id: Not_A_Name\ntitle: T\ndescription: D\ndifficulty: beginner\n",
            "metadata.yaml: id: \"Not_A_Name\""
        ),
        (
            "pod-hardening/metadata.yaml", "? [a, b]\n: c\n",
            "pod-hardening/metadata.yaml: document 1, line 1: a mapping key must be a string"
        ),
        ("pod-hardening/metadata.yaml", "- a\n- b\n", "pod-hardening/metadata.yaml: is a YAML array, not a mapping"),
        ("pod-hardening/metadata.yaml", "title: T\n---\ntitle: U\n", "holds 2 YAML documents; one is expected"),
        (
            "pod-hardening/setup/init.yaml", "steps:\n- {id: s, type: resource, resource: \"kind: [\"}\n",
            "pod-hardening/setup/init.yaml: steps[0].resource: is not valid YAML"
        ),
        ("pod-hardening/setup/init.yaml", "steps:\n- {id: s, type: reboot}\n", "steps[0].type: \"reboot\" is not a setup step type"),
        ("categories.yaml", "categories:\n  rbac: {title: RBAC}\n", "categories.yaml: categories.rbac.title: is not a known field here"),
        ("stray/readme.md", "no metadata here", "stray/: a scenario folder needs metadata.yaml"),
        ("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "broken.yaml: not a LabScenario"),
        (
            "broken.yaml",
            "apiVersion: virtyard.io/v1alpha1\nkind: LabScenario\nmetadata: {name: b}\nspec:\n  tasks:\n  - {id: t1, checks: [{type: exists}]}\n",
            "broken.yaml: spec.tasks[0].checks[0]: a check needs type, kind and name"
        ),
        (
            "broken.yaml", "apiVersion: virtyard.io/v1alpha1\nkind: LabScenario\nmetadata: {name: pod-hardening}\nspec: {}\n",
            "scenario pod-hardening is also in"
        ),
    ])
    func malformedFilesAreRefusedWithTheFileAndFieldNamed(file: String, text: String, expected: String) throws {
        let message = try refusal(file, text)
        #expect(message.contains(expected), "got: \(message)")
    }

    @Test func anOversizedFileIsRefusedBeforeItIsRead() throws {
        var limits = ScenarioLimits()
        limits.fileBytes = 4096
        let message = try refusal("pod-hardening/tasks/01-task.md", String(repeating: "x", count: 5000), limits: limits)
        #expect(message.contains("pod-hardening/tasks/01-task.md: is 5000 bytes; a scenario file may have at most 4096"), "\(message)")
        // And at the default bound, 1 MiB.
        let big = try refusal("pod-hardening/metadata.yaml", "title: " + String(repeating: "y", count: 1 << 20))
        #expect(big.contains("pod-hardening/metadata.yaml: is 1048583 bytes"), "\(big)")
    }

    @Test func aYAMLBombAndDeepNestingAreBounded() throws {
        let bomb = """
            a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            """
        #expect(try refusal("pod-hardening/metadata.yaml", bomb).contains("expands to more than 100000 YAML nodes"))
        let deep = "a: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(try refusal("pod-hardening/metadata.yaml", deep).contains("nests deeper than 64 levels"))
    }

    @Test func countsAreBounded() throws {
        var limits = ScenarioLimits()
        limits.tasks = 2
        #expect(
            try refusal("pod-hardening/tasks/04-task.md", "# Four", limits: limits).contains("holds 4 tasks; a scenario may have at most 2")
        )
        limits = ScenarioLimits()
        limits.rules = 5
        let rules = "validation:\n" + (1...6).map { "- {id: r\($0), type: script, script: {script: 'true'}}\n" }.joined()
        #expect(
            try refusal("pod-hardening/validation/02-validation.yaml", rules, limits: limits).contains(
                "02-validation.yaml: validation: has 6 rules; a task may have at most 5"))
        limits = ScenarioLimits()
        limits.scenarios = 1
        #expect(
            try refusal("second/metadata.yaml", "title: T\ndescription: D\ndifficulty: beginner\n", limits: limits).contains(
                "holds more than 1 scenario folders"))
    }

    @Test func aMissingDirectoryOrAFIFOIsAnError() throws {
        #expect(throws: ScenarioFiles.Failure.self) { try ScenarioFiles(directory: "/nonexistent/scenarios") }
        let directory = try TemporaryDirectory()
        try copyFixture(into: directory)
        #expect(mkfifo(directory.file("pod-hardening/tasks/05-task.md"), 0o600) == 0)
        do {
            _ = try ScenarioFiles(directory: directory.path)
            Issue.record("a FIFO was read")
        } catch {
            #expect(error.description.contains("05-task.md: is not a regular file"))
        }
    }

    private func copyFixture(into directory: TemporaryDirectory) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixture) {
            try FileManager.default.copyItem(atPath: "\(Self.fixture)/\(name)", toPath: directory.file(name))
        }
    }
}
