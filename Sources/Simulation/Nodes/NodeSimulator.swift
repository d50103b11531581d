import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// Plays kubelet and the node IPAM controller for simulated (KWOK) nodes: creates the
/// configured nodes, gives each a pod range and an address, reports it Ready, and renews its
/// Lease in `kube-node-lease` as a kubelet heartbeat.
struct NodeReconciler: Reconciler {
    let api: any KubernetesAPI
    let nodes: Informer
    let configuration: SimulationConfiguration
    /// Ranges this process gave out, node by node: the cache may not show the last one yet
    /// when the next node is reconciled, and two nodes must never share a range.
    let assigned = AssignedRanges()

    final class AssignedRanges: Sendable {
        private let ranges = Mutex<[String: Int]>([:])

        /// Picks the lowest range free in `used` and in what was given out, for `node`.
        func assign(to node: String, used: Set<Int>) -> Int {
            ranges.withLock { ranges in
                if let existing = ranges[node] { return existing }
                let taken = used.union(ranges.values)
                let free = (1...).first { !taken.contains($0) } ?? 1
                ranges[node] = free
                return free
            }
        }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let node = nodes.get(key), KWOKNode.isSimulated(node), node.deletionTimestamp == nil else { return .done }
        var index = Node(node).podCIDR.flatMap(SimulatedNode.index(ofPodCIDR:))
        if index == nil {
            // The node IPAM controller's job: the lowest free range. One worker, so no race.
            let used = Set(
                nodes.list().compactMap { Node($0).podCIDR }
                    .compactMap(SimulatedNode.index(ofPodCIDR:)))
            let free = assigned.assign(to: key.name, used: used)
            let cidr = SimulatedNode.podCIDR(index: free)
            _ = try await api.patch(
                .nodes, name: key.name,
                patch: [
                    "spec": [
                        "podCIDR": .string(cidr),
                        "podCIDRs": [.string(cidr)],
                    ]
                ], type: .merge)
            index = free
        }
        if !Self.isReady(node) {
            _ = try await api.patch(
                .nodes, namespace: nil, name: key.name,
                patch: ["status": Self.readyStatus(node, index: index ?? 0, configuration: configuration)],
                type: .merge, subresource: "status", options: .default)
        }
        return .done
    }

    static func isReady(_ node: JSONValue) -> Bool {
        let view = Node(node)
        return view.isReady && node[field: Node.Field.addresses] != nil && view.allocatable != nil
    }

    /// What a healthy kubelet reports, with KWOK's `fake` versions.
    static func readyStatus(
        _ node: JSONValue, index: Int, configuration: SimulationConfiguration,
        heartbeat: String = Timestamp.now()
    ) -> JSONValue {
        let name = node.name ?? ""
        let fallback: JSONValue = [
            "cpu": configuration.nodeCPU.json, "memory": configuration.nodeMemory.json,
            "pods": Quantity(configuration.nodePods).json,
        ]
        let view = Node(node)
        let capacity = view.capacity ?? view.allocatable ?? fallback
        let allocatable = view.allocatable ?? capacity
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                "lastHeartbeatTime": .string(heartbeat), "lastTransitionTime": .string(heartbeat),
            ]
        }
        return [
            "phase": "Running",
            "capacity": capacity, "allocatable": allocatable,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                ["type": "InternalIP", "address": .string(SimulatedNode.nodeIP(index: index))],
                ["type": "Hostname", "address": .string(name)],
            ],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "kwok", "kernelVersion": "",
                "kubeProxyVersion": "fake", "kubeletVersion": "fake", "machineID": "", "operatingSystem": "linux",
                "osImage": "", "systemUUID": "",
            ],
        ]
    }
}

/// Creates the start-up nodes, runs the node reconciler, and sends heartbeats.
public struct NodeSimulator: Service {
    let api: any KubernetesAPI
    let nodes: Informer
    let configuration: SimulationConfiguration
    let logger: Logger

    public init(
        api: any KubernetesAPI, informers: SharedInformerFactory, configuration: SimulationConfiguration,
        logger: Logger = Logger(label: "virtyard.simulation.nodes")
    ) {
        self.api = api
        self.nodes = informers.informer(for: .nodes)
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await runUntilShutdown()
        } catch is CancellationError {
            // Shutdown interrupted a sleep or a request: a normal end.
        }
    }

    private func runUntilShutdown() async throws {
        try await createConfiguredNodes()
        let controller = Controller(
            name: "simulated-nodes",
            reconciler: NodeReconciler(api: api, nodes: nodes, configuration: configuration),
            for: nodes, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            group.addTask { try await heartbeats() }
            try await group.waitForAll()
        }
    }

    private func createConfiguredNodes() async throws {
        guard configuration.nodeCount > 0 else { return }
        try await ensureNamespace("kube-node-lease")
        for number in 1...configuration.nodeCount {
            let node = KWOKNode.make(
                name: "\(configuration.nodeNamePrefix)\(number)", cpu: configuration.nodeCPU,
                memory: configuration.nodeMemory, pods: configuration.nodePods,
                // Embedded mode: every node is simulated, nothing to keep off them.
                tainted: false)
            if try await tolerating(
                KubeClientError.alreadyExists, { () async throws(KubeClientError) in try await api.create(.nodes, object: node) }) != nil
            {
                logger.info("created simulated node", metadata: ["node": "\(node.name ?? "")"])
            }
        }
    }

    private func ensureNamespace(_ name: String) async throws {
        var namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": [:]]
        namespace.name = name
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.namespaces, object: namespace)
        }
    }

    /// Renews each simulated node's Lease every interval, and its Ready heartbeat every sixth
    /// time, as a kubelet does between status reports.
    private func heartbeats() async throws {
        try await ensureNamespace("kube-node-lease")
        try await cancelWhenGracefulShutdown {
            var beat = 0
            while !Task.isCancelled {
                let simulated = nodes.list().filter(KWOKNode.isSimulated)
                let refreshStatus = beat % 6 == 5
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for node in simulated {
                        guard let name = node.name else { continue }
                        if running >= 8 {
                            await group.next()
                            running -= 1
                        }
                        running += 1
                        group.addTask { await renew(name, node: node, refreshStatus: refreshStatus) }
                    }
                }
                beat += 1
                try await Task.sleep(for: configuration.heartbeatInterval)
            }
        }
    }

    private func renew(_ name: String, node: JSONValue, refreshStatus: Bool) async {
        let now = MicroTime.now()
        do {
            let renewed = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.patch(
                    .leases, namespace: "kube-node-lease", name: name,
                    patch: ["spec": ["renewTime": .string(now.description)]], type: .merge,
                    subresource: nil, options: .default)
            }
            if renewed == nil {
                var lease: JSONValue = [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": [:],
                    "spec": [
                        "holderIdentity": .string(name), "leaseDurationSeconds": 40,
                        "renewTime": .string(now.description),
                    ],
                ]
                lease.name = name
                lease.namespace = "kube-node-lease"
                if node.uid != nil { try OwnerReferences.set(node, .nodes, on: &lease) }
                _ = try await api.create(.leases, namespace: "kube-node-lease", object: lease)
            }
        } catch {
            logger.debug("lease renewal failed", metadata: ["node": "\(name)", "error": "\(error)"])
        }
        guard refreshStatus, NodeReconciler.isReady(node) else { return }
        let heartbeat = Timestamp.now()
        var conditions = Node(node).conditions
        for index in conditions.indices { conditions[index]["lastHeartbeatTime"] = .string(heartbeat) }
        _ = try? await api.patch(
            .nodes, namespace: nil, name: name, patch: ["status": ["conditions": .array(conditions)]],
            type: .strategic, subresource: "status", options: .default)
    }
}
