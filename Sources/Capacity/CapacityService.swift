import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import PlatformHTTP
import ServiceLifecycle
import Synchronization

/// The capacity capability: scenarios become nodes and VirtualMachines, metrics and
/// classifications are read back from where the scheduler actually placed the launchers, and
/// migration requests become live migrations.
///
/// The HTTP routes exist from start-up; the service answers once ``attach(api:informers:)``
/// has given it the cluster (503 until then).
public final class CapacityService: Sendable {
    public struct Configuration: Sendable {
        /// Namespace of the scenario VMs (node-classifier-sim uses `default`).
        public var namespace: String
        /// Size of the nodes a scenario creates; also the size assumed for nodes that report none.
        public var nodeCPU: Quantity
        public var nodeMemory: Quantity
        public var preset: ThresholdPreset
        /// Create and remove simulated nodes for scenarios (embedded mode, or KWOK on a real
        /// cluster); false leaves nodes alone.
        public var manageNodes: Bool
        public var placementTimeout: Duration
        public var migrationTimeout: Duration
        public var rebalancer: Rebalancer.Configuration?

        public init(
            namespace: String = "default", nodeCPU: Quantity = Quantity(32), nodeMemory: Quantity = Quantity(128 << 30),
            preset: ThresholdPreset = .asymmetricLow, manageNodes: Bool = true,
            placementTimeout: Duration = .seconds(30), migrationTimeout: Duration = .seconds(90),
            rebalancer: Rebalancer.Configuration? = nil
        ) {
            self.namespace = namespace
            self.nodeCPU = nodeCPU
            self.nodeMemory = nodeMemory
            self.preset = preset
            self.manageNodes = manageNodes
            self.placementTimeout = placementTimeout
            self.migrationTimeout = migrationTimeout
            self.rebalancer = rebalancer
        }
    }

    struct Cluster: Sendable {
        let api: any KubernetesAPI
        let nodes: Informer
        let pods: Informer
        let vms: Informer
        let vmis: Informer
        let migrations: Informer
        /// The load index's feed from the pod informer.
        let loadFeed: EventHandlerRegistration
        /// The node figures' feed from the node informer.
        let nodeFeed: EventHandlerRegistration
    }

    public let configuration: Configuration
    let logger: Logger
    /// The cluster, once attached on the leader.
    private let attachment = LeaderAttachment<Cluster>(unavailable: "the capacity service is still connecting to the cluster")
    let counters = Mutex<[String: NodeCounters]>([:])
    let loads = VMLoadIndex()
    let nodeFigures = NodeFiguresIndex()
    let rebalanceHistory = Mutex<[RebalanceRound]>([])

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "virtyard.capacity")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects the service to the cluster; returns the services to run on the leader (the
    /// rebalancer, when enabled).
    public func attach(api: any KubernetesAPI, informers: SharedInformerFactory) -> [any Service] {
        let pods = informers.informer(for: .pods)
        pods.indexPodsByNode()
        let loads = self.loads
        let feed = pods.addEventHandler { event in loads.handle(event) }
        let nodes = informers.informer(for: .nodes)
        let nodeFigures = self.nodeFigures
        let nodeFeed = nodes.addEventHandler { event in nodeFigures.handle(event) }
        let attached = Cluster(
            api: api, nodes: nodes, pods: pods,
            vms: informers.informer(for: .virtualMachines, namespace: configuration.namespace),
            vmis: informers.informer(for: .virtualMachineInstances, namespace: configuration.namespace),
            migrations: informers.informer(
                for: .virtualMachineInstanceMigrations,
                namespace: configuration.namespace),
            loadFeed: feed, nodeFeed: nodeFeed)
        attachment.attach(attached)
        guard let rebalancer = configuration.rebalancer else { return [] }
        return [Rebalancer(service: self, configuration: rebalancer, logger: logger)]
    }

    var connected: Cluster? { attachment.current }

    /// Whether the caches hold the cluster yet.
    public var isReady: Bool {
        guard let cluster = connected else { return false }
        return cluster.nodes.hasSynced && cluster.pods.hasSynced && cluster.loadFeed.hasSynced && cluster.nodeFeed.hasSynced
    }

    // MARK: Reading the cluster

    /// Every node with the VMs placed on it, by name.
    public func utilization() -> [NodeUtilization] {
        guard connected != nil else { return [] }
        let defaultCores = configuration.nodeCPU.doubleValue
        let defaultMemory = Double(configuration.nodeMemory.value)
        let loadsByNode = loads.loadsByNode()
        return nodeFigures.sorted().map { name, figures in
            let cores = figures.cpuCores ?? defaultCores
            let memory = figures.memoryBytes ?? defaultMemory
            return NodeUtilization(
                node: name, cpuCores: cores > 0 ? cores : defaultCores,
                memoryBytes: memory > 0 ? memory : defaultMemory, vms: loadsByNode[name] ?? [],
                baseline: figures.baseline)
        }
    }

    public func classification(preset: ThresholdPreset? = nil) -> Classification {
        Classification(utilization(), preset: preset ?? configuration.preset)
    }

    /// The scenario as placed now, in node-classifier-sim's `GET /scenario` shape.
    public func placedScenario() -> JSONValue {
        let utilization = utilization()
        let name = connected?.vms.list(namespace: configuration.namespace)
            .compactMap { $0.labels[CapacityAnnotations.scenarioLabel] }.first
        return ["scenario": name.map(JSONValue.string) ?? .null, "nodes": .array(utilization.map(Self.nodeJSON))]
    }

    static func nodeJSON(_ node: NodeUtilization) -> JSONValue {
        [
            "name": .string(node.node), "cpu_usage": .double(node.cpuUsage), "cpu_pressure": .double(node.cpuPressure),
            "memory_usage": .double(node.memoryUsage), "memory_pressure": .double(node.memoryPressure),
            "vm_count": .int(Int64(node.vms.count)), "score": .double(node.score),
            "vms": .array(
                node.vms.map { vm in
                    [
                        "id": .string(vm.vmID), "vm_name": .string(vm.vmName), "pod_name": .string(vm.podName),
                        "scheduled_node": .string(node.node),
                        "cpu_consumption": .double(vm.cpuConsumption(nodeCores: node.cpuCores)),
                        "memory_consumption": .double(vm.memoryConsumption(nodeMemory: node.memoryBytes)),
                        "cpu_cores": .double(vm.cpuCores), "memory_bytes": .int(vm.memoryBytes),
                        "cpu_utilization": .double(vm.cpuUtilization), "memory_utilization": .double(vm.memoryUtilization),
                    ]
                }),
        ]
    }
}

/// Why a capacity request could not be served.
public struct CapacityError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest = "BadRequest"
        case notFound = "NotFound"
        case unavailable = "ServiceUnavailable"
        case failed = "InternalError"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
    static let notConnected = CapacityError(.unavailable, "the capacity service is still connecting to the cluster")
}
