import ArgumentParser
import Capacity
import Foundation
import KubeModel
import Simulation
import VirtyardServer

/// `serve`'s options for the simulated infrastructure and the capacity capability.
struct SimulationOptions: ParsableArguments {
    @Option(
        name: .customLong("sim-nodes"),
        help:
            "Simulated (KWOK) nodes created at start-up in embedded mode or with --sim-cluster (default: 3, or as many as --lab-pool-size needs)."
    )
    var nodes: Int?

    /// Memory one lab cluster takes on the nodes: its two VMs (4Gi + 2Gi of guest memory)
    /// and their virt-launcher overhead, rounded up.
    static let labClusterMemoryBytes: Int64 = 7 * 1024 * 1024 * 1024

    @Option(name: .customLong("sim-node-cpu"), help: "CPU of each simulated node (a Kubernetes quantity).")
    var nodeCPU = "32"

    @Option(name: .customLong("sim-node-memory"), help: "Memory of each simulated node (a Kubernetes quantity).")
    var nodeMemory = "128Gi"

    @Option(
        name: .customLong("sim-cpu-allocation-ratio"), help: "vCPUs per requested CPU of a virt-launcher pod (KubeVirt's default is 10).")
    var cpuAllocationRatio = 10

    @Option(name: .customLong("sim-snapshot-duration"), help: "How long a VirtualMachineSnapshot takes (Go duration).")
    var snapshotDuration = "2s"

    @Option(name: .customLong("sim-restore-duration"), help: "How long a VirtualMachineRestore takes once its VM is stopped.")
    var restoreDuration = "2s"

    @Option(name: .customLong("sim-migration-duration"), help: "How long a live migration copies memory once its target runs.")
    var migrationDuration = "1s"

    @Option(name: .customLong("scheduler-scoring"), help: "NodeResourcesFit scoring: LeastAllocated (spread) or MostAllocated (pack).")
    var scoring = "LeastAllocated"

    @Option(
        name: .customLong("percentage-of-nodes-to-score"),
        help: "Stop filtering once this share of nodes is feasible (default: kube-scheduler's adaptive rule).")
    var percentageOfNodesToScore: Int?

    @Option(
        name: .customLong("sim-import-bandwidth"),
        help: "Total bytes per second all embedded CDI imports may read together (a Kubernetes quantity, e.g. 100Mi); unlimited by default."
    )
    var importBandwidth: String?

    @Flag(
        name: .customLong("sim-import-restart-from-zero"),
        help: "Restart a broken import from zero as CDI does, instead of resuming it with a Range request (for comparisons).")
    var importRestartFromZero = false

    @Flag(
        name: .customLong("sim-kubevirt"),
        help:
            "Run the simulated KubeVirt, CDI and snapshot controllers against an external cluster too (e.g. kind + KWOK without KubeVirt), and host the lab VMs' guest APIs at --guest-listen."
    )
    var kubeVirtOnExternal = false

    @Flag(
        name: .customLong("sim-cluster"),
        help:
            "With --sim-kubevirt: also simulate the nodes, kubelets, scheduler and workload controllers, for an API server with nothing behind it (virtyard apiserver)."
    )
    var clusterOnExternal = false

    @Option(
        name: .customLong("guest-listen"),
        help: "With --sim-kubevirt: where the simulated lab VMs' own Kubernetes APIs listen (:0 picks a free port).")
    var guestListen = ListenAddress(host: "127.0.0.1", port: 0)

    @Option(name: .customLong("capacity-namespace"), help: "Namespace of the VMs capacity scenarios create.")
    var capacityNamespace = "default"

    @Option(
        name: .customLong("capacity-thresholds"),
        help: "Classification preset: Low, Medium, High, AsymmetricLow, AsymmetricMedium, AsymmetricHigh.")
    var thresholds = "AsymmetricLow"

    @Flag(name: .customLong("rebalance"), help: "Migrate VMs away from over-utilised nodes in a closed loop.")
    var rebalance = false

    @Option(name: .customLong("rebalance-interval"), help: "Time between rebalancing rounds (Go duration).")
    var rebalanceInterval = "30s"

    /// - Parameter storageDirectory: where the embedded CDI keeps volume data.
    /// The nodes to create: as asked, else three, or more when a lab pool of `labPoolSize`
    /// would not fit on three.
    func nodeCount(labPoolSize: Int?) throws -> Int {
        if let nodes { return nodes }
        guard let labPoolSize, labPoolSize > 0 else { return 3 }
        let perNode = max(1, Int(try quantity(nodeMemory, "--sim-node-memory").value / Self.labClusterMemoryBytes))
        return max(3, (labPoolSize + perNode - 1) / perNode)
    }

    /// - Parameters:
    ///   - storageDirectory: where the embedded CDI keeps volume data.
    ///   - labPoolSize: the default lab pool's size, which the default number of nodes makes room for.
    func simulation(storageDirectory: URL? = nil, labPoolSize: Int? = nil) throws -> SimulationConfiguration {
        if let nodes, nodes < 0 { throw ValidationError("--sim-nodes must be 0 or more") }
        guard cpuAllocationRatio >= 1 else { throw ValidationError("--sim-cpu-allocation-ratio must be at least 1") }
        guard let strategy = ResourceScoringStrategy(rawValue: scoring) else {
            throw ValidationError("--scheduler-scoring must be LeastAllocated or MostAllocated, not \(scoring)")
        }
        if let percentage = percentageOfNodesToScore, !(1...100).contains(percentage) {
            throw ValidationError("--percentage-of-nodes-to-score must be from 1 to 100")
        }
        return SimulationConfiguration(
            nodeCount: try nodeCount(labPoolSize: labPoolSize), nodeCPU: try quantity(nodeCPU, "--sim-node-cpu"),
            nodeMemory: try quantity(nodeMemory, "--sim-node-memory"), cpuAllocationRatio: cpuAllocationRatio,
            snapshotDuration: try duration(snapshotDuration, "--sim-snapshot-duration"),
            restoreDuration: try duration(restoreDuration, "--sim-restore-duration"),
            migrationDuration: try duration(migrationDuration, "--sim-migration-duration"),
            scheduler: Scheduler.Configuration(strategy: strategy, percentageOfNodesToScore: percentageOfNodesToScore),
            storageDirectory: storageDirectory,
            importBandwidth: try importBandwidth.map { try quantity($0, "--sim-import-bandwidth").value },
            importResume: !importRestartFromZero)
    }

    func capacity(embedded: Bool) throws -> CapacityService.Configuration {
        guard let preset = ThresholdPreset(rawValue: thresholds) else {
            throw ValidationError(
                "--capacity-thresholds must be one of \(ThresholdPreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return CapacityService.Configuration(
            namespace: capacityNamespace, nodeCPU: try quantity(nodeCPU, "--sim-node-cpu"),
            nodeMemory: try quantity(nodeMemory, "--sim-node-memory"), preset: preset,
            manageNodes: embedded || kubeVirtOnExternal,
            rebalancer: rebalance ? Rebalancer.Configuration(interval: try duration(rebalanceInterval, "--rebalance-interval")) : nil)
    }

    private func quantity(_ text: String, _ flag: String) throws -> Quantity {
        guard let value = try? Quantity(parsing: text), value > .zero else {
            throw ValidationError("\(flag) must be a positive Kubernetes quantity such as 32 or 128Gi, not \(text)")
        }
        return value
    }

    private func duration(_ text: String, _ flag: String) throws -> Duration {
        guard let value = try? GoDuration.parse(text), value >= .zero else {
            throw ValidationError("\(flag) must be a Go duration such as 2s or 1m30s, not \(text)")
        }
        return value
    }
}
