import Foundation
import KubeClient
import KubeModel

extension CapacityService {
    /// Replaces the running scenario: nodes are created (or kept), the previous scenario's VMs
    /// removed, one VirtualMachine created per scenario VM, and the answer given once the
    /// scheduler has placed them (or found no room).
    public func load(_ scenario: CapacityScenario) async throws(CapacityError) -> JSONValue {
        guard let cluster = connected, isReady else { throw .notConnected }
        let started = ContinuousClock.now
        do {
            if configuration.manageNodes { try await ensureNodes(scenario, cluster: cluster) }
            try await removeScenarioVMs(cluster: cluster)
            if configuration.manageNodes { try await removeOtherNodes(keeping: Set(scenario.nodes.map(\.name)), cluster: cluster) }
            let names = try await createVMs(scenario, cluster: cluster)
            let (placed, unschedulable) = await waitForPlacement(names, cluster: cluster)
            logger.info(
                "scenario loaded",
                metadata: [
                    "scenario": "\(scenario.name)", "vms": "\(names.count)",
                    "placed": "\(placed)", "unschedulable": "\(unschedulable)",
                ])
            return [
                "status": "success", "scenario": .string(scenario.name), "nodes_loaded": .int(Int64(scenario.nodes.count)),
                "total_vms": .int(Int64(names.count)), "placed": .int(Int64(placed)),
                "unschedulable": .int(Int64(unschedulable)),
                "seconds": .double((ContinuousClock.now - started).timeInterval),
            ]
        } catch let error as CapacityError {
            throw error
        } catch {
            throw CapacityError(.failed, "loading scenario \(scenario.name): \(error)")
        }
    }

    private func ensureNodes(_ scenario: CapacityScenario, cluster: Cluster) async throws {
        for node in scenario.nodes {
            let baseline = try node.baseline.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            if let existing = cluster.nodes.get(namespace: nil, name: node.name) {
                var annotations: JSONValue = [CapacityAnnotations.baseline: baseline.map(JSONValue.string) ?? .null]
                if existing.annotations[CapacityAnnotations.baseline] == baseline { continue }
                annotations = ["metadata": ["annotations": annotations]]
                _ = try await cluster.api.patch(.nodes, name: node.name, patch: annotations)
                continue
            }
            var object = KWOKNode.make(
                name: node.name, cpu: configuration.nodeCPU, memory: configuration.nodeMemory,
                labels: [CapacityAnnotations.scenarioLabel: scenario.name])
            if let baseline {
                var annotations = object.annotations
                annotations[CapacityAnnotations.baseline] = baseline
                object.annotations = annotations
            }
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await cluster.api.create(.nodes, object: object)
            }
        }
    }

    private func removeScenarioVMs(cluster: Cluster) async throws {
        let namespace = configuration.namespace
        let old = try await cluster.api.list(
            .virtualMachines, namespace: namespace,
            options: ListOptions(labelSelector: CapacityAnnotations.scenarioLabel)
        ).items
        guard !old.isEmpty else { return }
        try await forEach(old, concurrency: 16) { vm in
            guard let name = vm.name else { return }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await cluster.api.delete(
                    .virtualMachines, namespace: namespace, name: name,
                    options: DeleteOptions(propagationPolicy: .background))
            }
        }
        // Their launchers must be gone before the new VMs are placed, or the scheduler would
        // count room that is about to free.
        let deadline = ContinuousClock.now + configuration.placementTimeout
        while ContinuousClock.now < deadline {
            let remaining = cluster.pods.list(namespace: namespace).filter { $0.labels[CapacityAnnotations.scenarioLabel] != nil }
            if remaining.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CapacityError(.failed, "the previous scenario's launcher pods did not go away in time")
    }

    /// Simulated nodes outside the scenario go, once nothing runs on them.
    private func removeOtherNodes(keeping names: Set<String>, cluster: Cluster) async throws {
        for node in cluster.nodes.list() where KWOKNode.isSimulated(node) {
            guard let name = node.name, !names.contains(name), cluster.pods.podsOnNode(name).isEmpty else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await cluster.api.delete(.nodes, name: name)
            }
        }
    }

    private func createVMs(_ scenario: CapacityScenario, cluster: Cluster) async throws -> [String] {
        var used = Set<String>()
        var objects: [JSONValue] = []
        let cores = configuration.nodeCPU.doubleValue
        let memory = Double(configuration.nodeMemory.value)
        for node in scenario.nodes {
            for vm in node.vms {
                var name = NodeNames.vmName(forID: vm.id)
                var suffix = 2
                while used.contains(name) {
                    name = "\(NodeNames.vmName(forID: vm.id).prefix(58))-\(suffix)"
                    suffix += 1
                }
                used.insert(name)
                objects.append(
                    Self.virtualMachine(
                        name: name, vm: vm, node: node.name, scenario: scenario.name,
                        namespace: configuration.namespace, nodeCores: cores, nodeMemory: memory))
            }
        }
        let namespace = configuration.namespace
        try await forEach(objects, concurrency: 16) { object in
            _ = try await cluster.api.create(.virtualMachines, namespace: namespace, object: object)
        }
        return objects.compactMap(\.name)
    }

    /// A VirtualMachine for a scenario VM: its size in the domain, its load in annotations on
    /// the template (so KubeVirt copies them to the VMI and its launcher pod).
    static func virtualMachine(
        name: String, vm: ScenarioVM, node: String, scenario: String, namespace: String,
        nodeCores: Double, nodeMemory: Double
    ) -> JSONValue {
        let load: [String: String] = [
            CapacityAnnotations.vmID: vm.id,
            CapacityAnnotations.cpuCores: String(vm.cpuCores),
            CapacityAnnotations.memoryBytes: String(vm.memoryBytes),
            CapacityAnnotations.cpuUtilization: String(vm.cpuUtilization),
            CapacityAnnotations.memoryUtilization: String(vm.memoryUtilization),
        ]
        var object: JSONValue = [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "runStrategy": "Always",
                "template": [
                    "metadata": [:],
                    "spec": [
                        "domain": [
                            "cpu": ["cores": .int(Int64(max(1, vm.cpuCores.rounded(.up))))],
                            "memory": ["guest": .string(String(vm.memoryBytes))],
                            "devices": [:],
                        ],
                        "tolerations": [KWOKNode.toleration],
                        "terminationGracePeriodSeconds": 0,
                    ],
                ],
            ],
        ]
        object.labels = [CapacityAnnotations.scenarioLabel: scenario, "app.kubernetes.io/managed-by": "virtyard"]
        object.annotations = [CapacityAnnotations.vmID: vm.id, "virtyard.io/scenario-node": node]
        var templateAnnotations = load
        templateAnnotations[CapacityAnnotations.cpuConsumption] = String(vm.cpuConsumption(nodeCores: nodeCores))
        templateAnnotations[CapacityAnnotations.memoryConsumption] = String(vm.memoryConsumption(nodeMemory: nodeMemory))
        object[field: VirtualMachine.LifecycleField.templateAnnotations] = .object(templateAnnotations.mapValues(JSONValue.string))
        object[field: VirtualMachine.LifecycleField.templateLabels] = [
            "kubevirt.io/domain": .string(name), .init(stringLiteral: CapacityAnnotations.scenarioLabel): .string(scenario),
        ]
        return object
    }

    /// Waits until every VM runs or is known not to fit; counts both.
    private func waitForPlacement(_ names: [String], cluster: Cluster) async -> (placed: Int, unschedulable: Int) {
        let deadline = ContinuousClock.now + configuration.placementTimeout
        var placed = 0
        var unschedulable = 0
        while ContinuousClock.now < deadline {
            placed = 0
            unschedulable = 0
            for name in names {
                guard
                    let vmi = cluster.vmis.get(namespace: configuration.namespace, name: name)
                        .map(VirtualMachineInstance.init)
                else { continue }
                if vmi.phase == .running {
                    placed += 1
                } else if vmi.conditions.condition("PodScheduled")?.status == .false {
                    // The scheduler found no node with room: it will not be placed.
                    unschedulable += 1
                }
            }
            if placed + unschedulable == names.count { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (placed, unschedulable)
    }
}

/// Runs `body` for every element, at most `concurrency` at once; the first error stops the rest.
func forEach<T: Sendable>(_ items: [T], concurrency: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var running = 0
        for item in items {
            if running >= concurrency {
                try await group.next()
                running -= 1
            }
            running += 1
            group.addTask { try await body(item) }
        }
        try await group.waitForAll()
    }
}
