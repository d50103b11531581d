import KubeModel
import Testing

@testable import WebConsole

/// The clusters page's model and templates from the REST API's JSON alone.
@Suite struct ClusterViewModelTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    static let cluster = #"""
        {"name":"demo","type":"K3S","version":"v1.32.0+k3s1","phase":"COMPLETED","endpoint":"https://10.0.0.1:6443",
         "decommissioning":false,"nodeGroups":[
           {"name":"cp","role":"CONTROL_PLANE","replicas":1,"readyReplicas":1,"targetCount":1},
           {"name":"work","role":"WORKER","replicas":2,"readyReplicas":1,"targetCount":3}]}
        """#

    static func operation(_ id: String, status: String, percent: Int) -> String {
        #"{"operationId":"\#(id)","clusterName":"demo","type":"SCALE","status":"\#(status)","progressPercentage":\#(percent),"totalNodes":2,"successfulNodes":1}"#
    }

    @Test func clustersShowTheirNodeGroupsAndTheScaleFormsFirstChoice() throws {
        let model = ClusterViewModel.build(clusters: [try Self.json(Self.cluster)], operations: [])
        let clusters = try #require(model["clusters"] as? [[String: Any]])
        let demo = try #require(clusters.first)
        #expect(demo["phaseLevel"] as? String == "ok")
        let groups = try #require(demo["nodeGroups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["cp", "work"])
        #expect(groups[1]["ready"] as? Int == 1 && groups[1]["replicas"] as? Int == 2 && groups[1]["target"] as? String == "3")
        #expect(groups[0]["role"] as? String == "Control plane")
        #expect(demo["count"] as? String == "1")
        #expect(demo["endpoint"] as? String == "https://10.0.0.1:6443")
        #expect(model["hasOperations"] as? Bool == false)
    }

    @Test func operationsAreNewestFirstWithProgressClampedAndOldFinishedOnesDropped() throws {
        var operations = (0..<30).map { Self.operation("op-done\($0)", status: "COMPLETED", percent: 100) }
        operations.append(Self.operation("op-running", status: "IN_PROGRESS", percent: 140))
        let model = ClusterViewModel.build(clusters: [], operations: try operations.map(Self.json))
        let shown = try #require(model["operations"] as? [[String: Any]])
        #expect(shown.count == ClusterViewModel.finishedOperationsShown + 1)
        #expect(shown.first?["id"] as? String == "op-running")
        #expect(shown.first?["percent"] as? Int == 100)
        #expect(shown.first?["nodes"] as? String == "1 of 2")
        #expect(shown[1]["id"] as? String == "op-done29")
    }

    @Test func theValidateReportListsEveryCheck() throws {
        let report = ClusterViewModel.report(
            try Self.json(
                #"{"clusterName":"demo","status":"FAILED","summary":"1 of 2 checks failed","checks":[{"name":"cluster-phase","category":"cluster","status":"PASSED","message":"ok"},{"name":"vm/demo-cp-01","category":"infrastructure","status":"FAILED","message":"gone"}]}"#
            ))
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.map { $0["statusLevel"] as? String } == ["ok", "bad"])
        #expect(report["statusLevel"] as? String == "bad")
    }

    @Test func templatesCarryProgressbarsAndTheErrorBesideTheField() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let model = ClusterViewModel.build(
            clusters: [try Self.json(Self.cluster)],
            operations: [try Self.json(Self.operation("op-1a2b3c4d", status: "IN_PROGRESS", percent: 40))])
        let live = renderer.html(ConsoleView(template: "clusters/live", title: "Clusters", model: model))
        #expect(live.hasPrefix("<div id=\"live-clusters\">"))
        #expect(live.contains(#"role="progressbar""#) && live.contains(#"aria-valuenow="40""#))
        let form = renderer.html(
            ConsoleView(
                template: "clusters/scale-form", title: "Scale",
                model: ScaleForm.model(
                    cluster: "demo", nodeGroups: ["cp", "work"], chosen: "work", count: "0", error: "The provisioner answered 400: no",
                    field: "targetCount")))
        #expect(form.contains(#"aria-describedby="scale-demo-count-error""#))
        #expect(form.contains(#"<p class="field-error" id="scale-demo-count-error">The provisioner answered 400: no</p>"#))
        #expect(form.contains(#"<option value="work" selected>"#))
    }

    @Test func aClusterWithoutAnEndpointSaysSo() async throws {
        let bare = try Self.json(#"{"name":"vms","type":"GENERIC","phase":"PROVISIONING","endpoint":null,"nodeGroups":[]}"#)
        let model = ClusterViewModel.build(clusters: [bare], operations: [])
        let cluster = try #require((model["clusters"] as? [[String: Any]])?.first)
        #expect(cluster["endpoint"] == nil)
        #expect(cluster["phaseLevel"] as? String == "warn")
        let renderer = try await ConsoleRenderer.bundled()
        #expect(renderer.html(ConsoleView(template: "clusters/live", title: "Clusters", model: model)).contains("none yet"))
    }

    @Test func noClustersSaysWhatToDo() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let html = renderer.html(
            ConsoleView(template: "clusters/live", title: "Clusters", model: ClusterViewModel.build(clusters: [], operations: [])))
        #expect(html.contains("No clusters yet"))
        #expect(html.contains("No operations yet"))
    }
}
