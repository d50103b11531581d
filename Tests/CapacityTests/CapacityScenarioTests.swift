import KubeModel
import Testing

@testable import Capacity

/// Reading scenario bodies: both of node-classifier-sim's forms, and refusing bad ones with a
/// message that names the field.
@Suite struct CapacityScenarioTests {
    private static let cores = 32.0
    private static let memory = Double(128 << 30)

    private func parse(_ text: String, choose: String? = nil) throws(ScenarioError) -> CapacityScenario {
        let body: JSONValue
        do {
            body = try JSONValue(parsing: Array(text.utf8))
        } catch {
            throw ScenarioError("test body is not JSON: \(error)")
        }
        return try CapacityScenario(json: body, choose: choose, nodeCores: Self.cores, nodeMemory: Self.memory)
    }

    /// The message of the error `text` is refused with; nil when it is accepted.
    private func refusal(_ text: String, choose: String? = nil) -> String? {
        do {
            _ = try parse(text, choose: choose)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func readsTheExporterBodyWithDefaults() throws {
        let scenario = try parse(#"{"name": "plain", "nodes": [{"name": "w-1", "vms": [{"id": "a"}, {"id": 7, "cpu_cores": 4}]}]}"#)
        #expect(scenario.name == "plain")
        #expect(scenario.vmCount == 2)
        let vms = try #require(scenario.nodes.first?.vms)
        #expect(vms[0] == ScenarioVM(id: "a", cpuCores: 1, memoryBytes: 1 << 30, cpuUtilization: 0.5, memoryUtilization: 0.8))
        #expect(vms[1].id == "7")
        #expect(vms[1].cpuCores == 4)
    }

    @Test func readsAScenarioFileAndChoosesAmongSeveral() throws {
        let one = try parse(#"{"light": [{"name": "w-1"}]}"#)
        #expect(one.name == "light")
        #expect(one.nodes.map(\.name) == ["w-1"])
        let file = #"{"first": [{"name": "a"}], "second": [{"name": "b"}, {"name": "c"}]}"#
        #expect(try parse(file, choose: "second").nodes.map(\.name) == ["b", "c"])
        #expect(refusal(file)?.contains("choose one with ?name=") == true)
        #expect(refusal(file, choose: "third")?.contains("no scenario named \"third\"") == true)
    }

    @Test func theConsumptionFormBecomesA2Core4GiBVM() throws {
        let scenario = try parse(#"{"s": [{"name": "w", "vms": [{"id": "old", "cpu_consumption": 0.05, "memory_consumption": 0.04}]}]}"#)
        let vm = try #require(scenario.nodes.first?.vms.first)
        #expect(vm.cpuCores == 2)
        #expect(vm.memoryBytes == 4 << 30)
        // The shares of the whole node come back out.
        #expect(abs(vm.cpuConsumption(nodeCores: Self.cores) - 0.05) < 1e-12)
        #expect(abs(vm.memoryConsumption(nodeMemory: Self.memory) - 0.04) < 1e-12)
    }

    @Test func aNodeWithoutVMsKeepsItsFourFigures() throws {
        let figures = #""cpu_usage": 0.35, "cpu_pressure": 0.02, "memory_usage": 0.4, "memory_pressure": 0.01"#
        let scenario = try parse(#"{"s": [{"name": "infra", \#(figures)}]}"#)
        #expect(
            scenario.nodes.first?.baseline
                == NodeUsageFigures(
                    cpuUsage: 0.35, cpuPressure: 0.02, memoryUsage: 0.4,
                    memoryPressure: 0.01))
        // With VMs the figures are checked but not kept.
        let busy = try parse(#"{"s": [{"name": "w", "cpu_usage": 0.5, "vms": [{"id": "a"}]}]}"#)
        #expect(busy.nodes.first?.baseline == nil)
    }

    @Test(arguments: [
        (#"[]"#, "the body must be a JSON object"),
        (#"{}"#, "the body must be a JSON object"),
        (#"{"s": "not a list"}"#, "\"nodes\" must be a list"),
        (#"{"s": [3]}"#, "nodes[0]: must be an object"),
        (#"{"s": [{"name": "Bad_Name"}]}"#, "nodes[0].name: required"),
        (#"{"s": [{"name": "-dash"}]}"#, "nodes[0].name"),
        (#"{"s": [{"vms": []}]}"#, "nodes[0].name: required"),
        (#"{"s": [{"name": "dup"}, {"name": "dup"}]}"#, "nodes[1]: duplicate node \"dup\""),
        (#"{"s": [{"name": "a", "vms": [{"id": "x"}]}, {"name": "b", "vms": [{"id": "x"}]}]}"#, "nodes[1]: duplicate VM id \"x\""),
        (#"{"s": [{"name": "n", "cpu_usage": 0.5}]}"#, "nodes[0]: a node without vms needs all of"),
        (#"{"s": [{"name": "n", "cpu_usage": 1.5, "vms": []}]}"#, "nodes[0].cpu_usage: must be a number from 0 to 1"),
        (#"{"s": [{"name": "n", "cpu_usage": "0.5"}]}"#, "nodes[0].cpu_usage"),
        (#"{"s": [{"name": "n", "vms": {"id": "a"}}]}"#, "nodes[0].vms: must be a list"),
        (#"{"s": [{"name": "n", "vms": [{}]}]}"#, "nodes[0].vms[0].id: required"),
        (#"{"s": [{"name": "n", "vms": [{"id": ""}]}]}"#, "nodes[0].vms[0].id: required"),
        (#"{"s": [{"name": "n", "vms": [{"id": 1.5}]}]}"#, "nodes[0].vms[0].id: required"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_utilization": 1.5}]}]}"#, "nodes[0].vms[0].cpu_utilization"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_cores": -1}]}]}"#, "nodes[0].vms[0].cpu_cores"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_cores": 1e308}]}]}"#, "nodes[0].vms[0].cpu_cores"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_cores": "4"}]}]}"#, "nodes[0].vms[0].cpu_cores"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_cores": true}]}]}"#, "nodes[0].vms[0].cpu_cores"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "memory_bytes": 1}]}]}"#, "nodes[0].vms[0].memory_bytes"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "memory_bytes": 9223372036854775807}]}]}"#, "nodes[0].vms[0].memory_bytes"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_consumption": 0.1}]}]}"#, "go together"),
        (#"{"s": [{"name": "n", "vms": [{"id": "a", "cpu_consumption": 5, "memory_consumption": 0.1}]}]}"#, "cpu_consumption"),
    ])
    func badBodiesAreRefusedWithTheirPath(body: String, message: String) {
        let refused = refusal(body)
        #expect(refused?.contains(message) == true, "\(body) → \(refused ?? "accepted")")
    }

    @Test func aVMIdLongerThanAnAnnotationShouldHoldIsRefused() {
        let long = String(repeating: "x", count: CapacityScenario.maximumIDLength + 1)
        #expect(refusal(#"{"s": [{"name": "n", "vms": [{"id": "\#(long)"}]}]}"#)?.contains("nodes[0].vms[0].id: at most") == true)
        let longest = String(repeating: "x", count: CapacityScenario.maximumIDLength)
        #expect(refusal(#"{"s": [{"name": "n", "vms": [{"id": "\#(longest)"}]}]}"#) == nil)
    }

    @Test func hugeScenariosAreRefusedBeforeAnythingIsMade() {
        let nodes = (0...CapacityScenario.maximumNodes).map { #"{"name": "n\#($0)"}"# }.joined(separator: ",")
        #expect(refusal(#"{"s": [\#(nodes)]}"#)?.contains("a scenario holds at most \(CapacityScenario.maximumNodes)") == true)

        let vms = (0...CapacityScenario.maximumVMs).map { #"{"id": "v\#($0)"}"# }.joined(separator: ",")
        #expect(refusal(#"{"s": [{"name": "n", "vms": [\#(vms)]}]}"#)?.contains("nodes[0].vms: 10001 VMs") == true)

        // The limit is on the whole scenario, not only on one node.
        let half = CapacityScenario.maximumVMs / 2 + 1
        let node = { (name: String) in
            #"{"name": "\#(name)", "vms": ["# + (0..<half).map { #"{"id": "\#(name)-\#($0)"}"# }.joined(separator: ",") + "]}"
        }
        #expect(refusal(#"{"s": [\#(node("a")), \#(node("b"))]}"#)?.contains("nodes[1]: more than") == true)
    }

    @Test func vmNamesAreDNSLabelsMadeFromIDs() {
        #expect(NodeNames.vmName(forID: "VM_1") == "vm-1")
        #expect(NodeNames.vmName(forID: "__") == "vm")
        #expect(NodeNames.vmName(forID: String(repeating: "a", count: 100)).count == 63)
    }
}
