import Foundation
import KubeModel

/// How the embedded mode's simulated infrastructure behaves (`virtyard serve --sim-*`).
public struct SimulationConfiguration: Sendable {
    /// Nodes created at start-up (`kwok-node-1` …); 0 creates none.
    public var nodeCount: Int
    public var nodeCPU: Quantity
    public var nodeMemory: Quantity
    public var nodePods: Int64
    public var nodeNamePrefix: String
    /// vCPUs per requested CPU of a launcher pod (KubeVirt's `cpuAllocationRatio`, default 10).
    public var cpuAllocationRatio: Int
    /// How long a `VirtualMachineSnapshot` stays InProgress.
    public var snapshotDuration: Duration
    /// How long a `VirtualMachineRestore` takes once the target is stopped.
    public var restoreDuration: Duration
    /// How long a live migration copies memory once the target pod runs.
    public var migrationDuration: Duration
    /// A migration whose target pod stays unschedulable this long fails.
    public var migrationSchedulingTimeout: Duration
    /// Node Lease renewal interval (kubelet's default is 10 s for a 40 s lease).
    public var heartbeatInterval: Duration
    public var scheduler: Scheduler.Configuration
    /// The image launcher pods name (never pulled: the pods are simulated).
    public var launcherImage: String
    /// Where the embedded CDI keeps volume and snapshot data; nil runs no CDI.
    public var storageDirectory: URL?
    /// One byte rate shared by all imports (`--sim-import-bandwidth`); nil is unlimited.
    public var importBandwidth: Int64?
    /// Broken transfers continue with a Range request (false restarts them from zero, as CDI does).
    public var importResume: Bool
    /// Hosts the guests of VMs that carry something real (virtual clusters); nil hosts none.
    public var guests: (any GuestHost)?

    public init(
        nodeCount: Int = 3, nodeCPU: Quantity = Quantity(32), nodeMemory: Quantity = Quantity(128 << 30),
        nodePods: Int64 = 110, nodeNamePrefix: String = "kwok-node-", cpuAllocationRatio: Int = 10,
        snapshotDuration: Duration = .seconds(2), restoreDuration: Duration = .seconds(2),
        migrationDuration: Duration = .seconds(1), migrationSchedulingTimeout: Duration = .seconds(60),
        heartbeatInterval: Duration = .seconds(10), scheduler: Scheduler.Configuration = .init(),
        launcherImage: String = "quay.io/kubevirt/virt-launcher:v1.5.0", storageDirectory: URL? = nil,
        importBandwidth: Int64? = nil, importResume: Bool = true, guests: (any GuestHost)? = nil
    ) {
        self.nodeCount = nodeCount
        self.nodeCPU = nodeCPU
        self.nodeMemory = nodeMemory
        self.nodePods = nodePods
        self.nodeNamePrefix = nodeNamePrefix
        self.cpuAllocationRatio = cpuAllocationRatio
        self.snapshotDuration = snapshotDuration
        self.restoreDuration = restoreDuration
        self.migrationDuration = migrationDuration
        self.migrationSchedulingTimeout = migrationSchedulingTimeout
        self.heartbeatInterval = heartbeatInterval
        self.scheduler = scheduler
        self.launcherImage = launcherImage
        self.storageDirectory = storageDirectory
        self.importBandwidth = importBandwidth
        self.importResume = importResume
        self.guests = guests
    }
}
