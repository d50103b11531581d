import Capacity
import KubeModel
import Testing

/// Reading a VM's load from its launcher pod, and a node's figures from its VMs.
@Suite struct UtilizationModelTests {
    @Test func readsTheScenarioAnnotationsOfALauncher() throws {
        let pod = CapacityFixtures.launcher(
            "web-1",
            annotations: CapacityFixtures.load(cores: 8, bytes: 16 << 30, cpu: 0.9, memory: 0.7)
                .merging([CapacityAnnotations.vmID: "WEB_1"]) { _, new in new })
        let load = try #require(VMLoad(pod: pod))
        #expect(load.vmName == "web-1")
        #expect(load.vmID == "WEB_1")
        #expect(load.podName == "virt-launcher-web-1-abcde")
        #expect(load.cpuCores == 8)
        #expect(load.memoryBytes == 16 << 30)
        #expect(load.cpuUtilization == 0.9)
        #expect(load.memoryUtilization == 0.7)
        // 8 cores at 90 % of a 32-core node; 16 GiB at 70 % of 128 GiB.
        #expect(abs(load.cpuConsumption(nodeCores: 32) - 0.225) < 1e-12)
        #expect(abs(load.memoryConsumption(nodeMemory: Double(128 << 30)) - 0.0875) < 1e-12)
        #expect(load.cpuConsumption(nodeCores: 0) == 0)
    }

    @Test func podsThatAreNotLaunchersCarryNoLoad() {
        var pod = CapacityFixtures.launcher("x", annotations: CapacityFixtures.load(cores: 4, bytes: 1 << 30, cpu: 1, memory: 1))
        pod.labels = ["app": "nginx"]
        pod.object.name = "nginx-7c5d"
        #expect(VMLoad(pod: pod) == nil)
    }

    @Test func aLauncherIsKnownByItsNameWhenItHasNoLabels() throws {
        var pod = CapacityFixtures.launcher("db-1")
        pod.labels = [:]
        let load = try #require(VMLoad(pod: pod))
        // The VM's name then comes from the domain annotation.
        #expect(load.vmName == "db-1")
        #expect(load.vmID == "db-1")
    }

    @Test func aLauncherWithoutLoadAnnotationsIsAnIdleOneCoreVM() throws {
        var pod = CapacityFixtures.launcher("idle")
        pod.annotations = [:]
        let load = try #require(VMLoad(pod: pod))
        #expect(load.vmName == "idle")
        #expect(load.cpuCores == 1)
        #expect(load.memoryBytes == 0)
        #expect(load.cpuUtilization == 0)
        #expect(load.memoryUtilization == 0)
    }

    @Test func theSeedDocumentsShareFormIsAShareOfA32CoreNode() throws {
        let pod = CapacityFixtures.launcher(
            "legacy",
            annotations: [
                CapacityAnnotations.cpuConsumption: "0.25",
                CapacityAnnotations.memoryConsumption: "0.5",
            ])
        let load = try #require(VMLoad(pod: pod))
        #expect(load.cpuCores == 8)
        #expect(load.cpuUtilization == 1)
        #expect(load.memoryBytes == 64 << 30)
        #expect(load.memoryUtilization == 1)
    }

    @Test func theResourceFormWinsOverTheShareForm() throws {
        var annotations = CapacityFixtures.load(cores: 2, bytes: 4 << 30, cpu: 0.5, memory: 0.5)
        annotations[CapacityAnnotations.cpuConsumption] = "0.9"
        annotations[CapacityAnnotations.memoryConsumption] = "0.9"
        let load = try #require(VMLoad(pod: CapacityFixtures.launcher("both", annotations: annotations)))
        #expect(load.cpuCores == 2)
        #expect(load.memoryBytes == 4 << 30)
        #expect(load.cpuUtilization == 0.5)
    }

    /// Annotations are anyone's to write: figures that are no numbers, or no byte counts, must
    /// not stop the exporter.
    @Test func hostileAnnotationsAreIgnoredNotFatal() throws {
        let pod = CapacityFixtures.launcher(
            "odd",
            annotations: [
                CapacityAnnotations.cpuCores: "lots", CapacityAnnotations.memoryBytes: "nan",
                CapacityAnnotations.cpuUtilization: "", CapacityAnnotations.memoryUtilization: "1e999",
            ])
        let load = try #require(VMLoad(pod: pod))
        #expect(load.cpuCores == 1)
        #expect(load.memoryBytes == 0)
        #expect(load.cpuUtilization == 0)
        let huge = CapacityFixtures.launcher(
            "huge",
            annotations: [
                CapacityAnnotations.memoryBytes: "1e30",
                CapacityAnnotations.memoryConsumption: "1e300",
            ])
        #expect(try #require(VMLoad(pod: huge)).memoryBytes == 0)
        let share = CapacityFixtures.launcher("share", annotations: [CapacityAnnotations.memoryConsumption: "inf"])
        #expect(try #require(VMLoad(pod: share)).memoryBytes == 0)
    }

    @Test func aNodesFiguresAddUpItsVMs() {
        let vms = [
            CapacityFixtures.vm("a", cores: 16, bytes: 64 << 30, cpu: 1, memory: 0.5),
            CapacityFixtures.vm("b", cores: 8, bytes: 32 << 30, cpu: 1, memory: 1),
        ]
        let node = NodeUtilization(node: "n", cpuCores: 32, memoryBytes: Double(128 << 30), vms: vms, baseline: nil)
        #expect(node.cpuUsage == 0.75)
        #expect(node.memoryUsage == 0.5)
        #expect(node.cpuPressure == PressureCurve.pressure(usage: 0.75))
        #expect(node.memoryPressure == PressureCurve.pressure(usage: 0.5))
        #expect(abs(node.score - (0.75 + 0.5 + node.cpuPressure + node.memoryPressure) / 4) < 1e-12)
    }

    @Test func overcommittedCPUSaturatesUsageButKeepsAddingPressure() {
        let vms = (0..<3).map { CapacityFixtures.vm("v\($0)", cores: 16, cpu: 1) }
        let node = NodeUtilization(node: "n", cpuCores: 32, memoryBytes: Double(128 << 30), vms: vms, baseline: nil)
        #expect(node.cpuDemand == 1.5)
        #expect(node.cpuUsage == 1)
        #expect(node.cpuPressure == PressureCurve.cpuPressure(demand: 1.5))
    }

    @Test func aBaselineNodeKeepsItsFiguresUntilAVMLands() {
        let figures = NodeUsageFigures(cpuUsage: 0.35, cpuPressure: 0.02, memoryUsage: 0.4, memoryPressure: 0.01)
        let empty = NodeUtilization(node: "infra", cpuCores: 32, memoryBytes: Double(128 << 30), vms: [], baseline: figures)
        #expect(empty.cpuUsage == 0.35)
        #expect(empty.cpuPressure == 0.02)
        #expect(empty.memoryPressure == 0.01)
        let busy = NodeUtilization(
            node: "infra", cpuCores: 32, memoryBytes: Double(128 << 30),
            vms: [CapacityFixtures.vm("a", cores: 16, cpu: 1)], baseline: figures)
        #expect(abs(busy.cpuUsage - 0.85) < 1e-12)
        // With a VM there, pressure follows the curve of the summed usage.
        #expect(busy.cpuPressure == PressureCurve.cpuPressure(demand: busy.cpuUsage))
    }
}
