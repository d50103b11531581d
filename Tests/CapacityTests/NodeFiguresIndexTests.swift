import ControllerKit
import KubeModel
import Testing

@testable import Capacity

/// The node figures fed by the node informer: sizes and baselines parsed once per update.
@Suite struct NodeFiguresIndexTests {
    private func node(_ name: String, cpu: String? = "16", memory: String? = "64Gi", baseline: String? = nil) -> JSONValue {
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)]]
        if let cpu { node[path: ["status", "allocatable", "cpu"]] = .string(cpu) }
        if let memory { node[path: ["status", "allocatable", "memory"]] = .string(memory) }
        if let baseline { node[path: ["metadata", "annotations", CapacityAnnotations.baseline]] = .string(baseline) }
        return node
    }

    @Test func sizesAndBaselinesAreReadInNameOrder() {
        let index = NodeFiguresIndex()
        index.handle(.added(node("b", cpu: "500m", memory: "1Mi"), isInInitialList: true))
        index.handle(
            .added(
                node("a", baseline: #"{"cpuUsage":0.25,"cpuPressure":0.1,"memoryUsage":0.5,"memoryPressure":0}"#),
                isInInitialList: true))
        let figures = index.sorted()
        #expect(figures.map(\.name) == ["a", "b"])
        #expect(figures[0].figures.cpuCores == 16)
        #expect(figures[0].figures.memoryBytes == Double(64 << 30))
        #expect(figures[0].figures.baseline == NodeUsageFigures(cpuUsage: 0.25, cpuPressure: 0.1, memoryUsage: 0.5, memoryPressure: 0))
        #expect(figures[1].figures.cpuCores == 0.5)
        #expect(figures[1].figures.memoryBytes == Double(1 << 20))
        #expect(figures[1].figures.baseline == nil)
    }

    @Test func aNodeWithoutSizesOrWithABadBaselineStillCounts() {
        let index = NodeFiguresIndex()
        index.handle(.added(node("bare", cpu: nil, memory: nil, baseline: "not json"), isInInitialList: false))
        #expect(index.sorted().first?.figures == NodeFiguresIndex.Figures(cpuCores: nil, memoryBytes: nil, baseline: nil))
    }

    @Test func updatesReplaceAndNodesComeAndGo() {
        let index = NodeFiguresIndex()
        let first = node("m")
        index.handle(.added(first, isInInitialList: false))
        #expect(index.sorted().map(\.name) == ["m"])
        // The order is kept between reads: a node added later must still appear in it.
        index.handle(.added(node("a"), isInInitialList: false))
        #expect(index.sorted().map(\.name) == ["a", "m"])
        let resized = node("m", cpu: "8")
        index.handle(.updated(old: first, new: resized))
        #expect(index.sorted().last?.figures.cpuCores == 8)
        var terminating = resized
        terminating.deletionTimestamp = "2026-12-06T00:00:00Z"
        index.handle(.updated(old: resized, new: terminating))
        #expect(index.sorted().map(\.name) == ["a"])
        index.handle(.deleted(node("a"), finalStateUnknown: true))
        #expect(index.sorted().isEmpty)
    }
}
