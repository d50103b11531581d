import Capacity
import Foundation
import KubeModel
import Testing

@testable import WebConsole

@Suite struct CapacityViewModelTests {
    static func node(_ name: String, cpuDemand: Double) -> NodeUtilization {
        // A baseline with no VMs gives the node exactly these figures.
        NodeUtilization(
            node: name, cpuCores: 32, memoryBytes: 128 * 1024 * 1024 * 1024, vms: [],
            baseline: NodeUsageFigures(cpuUsage: cpuDemand, cpuPressure: 0, memoryUsage: cpuDemand, memoryPressure: 0))
    }

    @Test func overUtilisedNodesComeFirstWithWordsAndColour() {
        let classification = Classification(
            [Self.node("a-idle", cpuDemand: 0.05), Self.node("b-busy", cpuDemand: 0.9), Self.node("c-mid", cpuDemand: 0.5)],
            preset: .asymmetricLow)
        let rows = CapacityViewModel.nodes(classification)
        #expect(rows.map { $0["node"] as? String } == ["b-busy", "c-mid", "a-idle"])
        #expect(rows[0]["classText"] as? String == "over-utilised")
        #expect(rows[0]["classColour"] as? String == "bad")
        #expect(rows[2]["classText"] as? String == "under-utilised")
        #expect(rows[0]["cpuUsage"] as? String == "90.0 %")
        #expect(rows[0]["vmCount"] as? Int == 0)
        let summary = CapacityViewModel.summary(classification)
        #expect(summary["overCount"] as? Int == 1)
        #expect(summary["underCount"] as? Int == 1)
        #expect(summary["preset"] as? String == "AsymmetricLow")
    }

    @Test func samplesCarryTheFourFigures() {
        let sample = CapacityViewModel.sample(Self.node("n", cpuDemand: 0.4), at: Date(timeIntervalSince1970: 7))
        #expect(sample.cpuUsage == 0.4)
        #expect(sample.memoryUsage == 0.4)
        #expect(sample.time == Date(timeIntervalSince1970: 7))
    }

    @Test func roundsAreNewestFirstWithTheirMoves() {
        let round = RebalanceRound(
            at: Date(timeIntervalSince1970: 1000), spreadBefore: 0.4662, spreadAfter: 0.1036,
            migrations: [["vm_id": "api-1", "from_node": "node-c", "landed_node": "node-a", "phase": "Succeeded"]])
        let later = RebalanceRound(at: Date(timeIntervalSince1970: 2000), spreadBefore: 0.2, spreadAfter: 0.1, migrations: [])
        let rows = CapacityViewModel.rounds([round, later], now: Date(timeIntervalSince1970: 2030))
        #expect(rows.count == 2)
        #expect(rows[0]["age"] as? String == "30 s ago")
        #expect(rows[1]["moves"] as? [String] == ["api-1: node-c → node-a (Succeeded)"])
        #expect(rows[1]["spreadBefore"] as? String == "0.466")
    }

    @Test func scenarioFormChecksBeforeLoading() {
        var empty = ScenarioUpload(form: FormData(fields: [("scenario", "  ")]))
        let emptyBody = empty.parse()
        #expect(emptyBody == nil)
        #expect(empty.errors["scenario"] != nil)

        var broken = ScenarioUpload(form: FormData(fields: [("scenario", "{\"nodes\": [")]))
        let brokenBody = broken.parse()
        #expect(brokenBody == nil)
        #expect(broken.errors["scenario"]?.contains("not JSON") == true)

        var list = ScenarioUpload(form: FormData(fields: [("scenario", "[1, 2]")]))
        let listBody = list.parse()
        #expect(listBody == nil)
        #expect(list.errors["scenario"]?.contains("object") == true)

        let huge = "{\"nodes\": [], \"pad\": \"" + String(repeating: "x", count: ScenarioUpload.maximumBytes) + "\"}"
        var tooBig = ScenarioUpload(form: FormData(fields: [("scenario", huge)]))
        let tooBigBody = tooBig.parse()
        #expect(tooBigBody == nil)
        #expect(tooBig.errors["scenario"]?.contains("1 MiB") == true)

        var good = ScenarioUpload(form: FormData(fields: [("scenario", "{\"nodes\": []}"), ("name", "mixed")]))
        let goodBody = good.parse()
        #expect(goodBody != nil)
        #expect(good.choose == "mixed")
    }

    @Test func serviceRefusalsGoBesideTheirField() {
        var upload = ScenarioUpload(form: FormData(fields: [("scenario", "{}"), ("name", "nope")]))
        upload.take(CapacityError(.badRequest, "no scenario named \"nope\"; the body has a, b"))
        #expect(upload.errors["name"] != nil)
        var other = ScenarioUpload(form: FormData(fields: [("scenario", "{}")]))
        other.take(CapacityError(.badRequest, "nodes[0].name: required, a DNS subdomain name"))
        #expect(other.errors["scenario"] == "nodes[0].name: required, a DNS subdomain name")
        let model = other.model(csrf: nil)
        #expect(model["scenarioDescribedBy"] as? String == "scenario-json-hint scenario-json-error")
        #expect(
            ScenarioUpload.summary(["scenario": "mixed", "nodes_loaded": 4, "placed": 5, "total_vms": 5, "seconds": 0.5])
                == "Loaded mixed: 4 nodes, 5 of 5 VMs placed (0.5 s).")
    }
}
