import KubeModel
import Synchronization

/// Names the controller writes on the VMs it makes (annotations, not labels: versions such as
/// `v1.32.0+k3s1` are not label values).
enum ProvisionedVMAnnotations {
    /// The cluster version the VM's boot configuration was rendered for: a rolling upgrade
    /// replaces every VM whose value is not the target version.
    static let version = "virtyard.io/cluster-version"
    /// The operation that made the VM: a rollback removes only what its operation made.
    static let operation = ProvisioningObjects.operationAnnotation
    /// MARK_FAILED: why the VM's node failed (the VM is kept for debugging).
    static let failed = "virtyard.io/provisioning-failed"
}

/// What the controller sees of one planned node, from its VM, its VMI and (when the cluster's
/// API is reachable) its Node: a pure reading, tested without a server.
struct NodeObservation: Hashable, Sendable {
    var name: String
    var group: String
    var status: NodeProvisioningStatus
    /// Ready as the cluster sees it (Node Ready), or as KubeVirt sees it without access.
    var ready: Bool
    /// Rendered for the target version and, when the Node is seen, running it.
    var updated: Bool
    var exists: Bool
    var deleting: Bool
    var errorMessage: String?
    /// Its user stopped it (`runStrategy: Halted`, or `running: false`): the controller does
    /// not wait for it, start it, or replace it until it runs again.
    var halted = false

    /// Done for the operation: Ready on the target version, or halted by its user.
    var settled: Bool { exists && !deleting && (halted || (ready && updated)) }

    /// - Parameters:
    ///   - vm: the VirtualMachine, nil when missing.
    ///   - vmiPhase: `status.phase` of its VirtualMachineInstance, nil when there is none.
    ///   - nodes: the cluster's Nodes when its API is read (nil: readiness from the VM alone).
    ///   - bootFailure: why its guest rejected the configuration, if it did.
    static func observe(
        name: String, group: String, vm: JSONValue?, vmiPhase: String?, nodes: [ProvisionedNode]?, targetVersion: String,
        kubernetesVersion: String?, bootFailure: String?
    ) -> NodeObservation {
        guard let vm else {
            return NodeObservation(
                name: name, group: group, status: bootFailure == nil ? .pending : .failed, ready: false, updated: false,
                exists: false, deleting: false, errorMessage: bootFailure)
        }
        let rendered = vm.annotations[ProvisionedVMAnnotations.version] ?? ""
        var observation = NodeObservation(
            name: name, group: group, status: .creatingVM, ready: false, updated: rendered == targetVersion, exists: true,
            deleting: vm.deletionTimestamp != nil, errorMessage: nil)
        if observation.deleting {
            observation.status = .deleting
            return observation
        }
        observation.halted = isHalted(vm)
        if let bootFailure {
            observation.status = .failed
            observation.errorMessage = bootFailure
            return observation
        }
        let vmReady = VirtualMachine(vm).object[bool: VirtualMachine.LifecycleField.ready] == true || vmiPhase == "Running"
        if let nodes {
            let node = nodes.first { $0.name == name }
            if let node, node.ready {
                observation.ready = true
                observation.status = .ready
                if !targetVersion.isEmpty, observation.updated {
                    observation.updated = node.kubeletVersion == targetVersion || node.kubeletVersion == kubernetesVersion
                }
            } else {
                observation.status = vmReady ? .configuring : (vmiPhase == nil ? .creatingVM : .starting)
            }
        } else if vmReady {
            observation.ready = true
            observation.status = .ready
        } else {
            observation.status = vmiPhase == nil ? .creatingVM : .starting
        }
        if observation.halted, !observation.ready {
            observation.status = .pending
            observation.errorMessage = "halted by its user"
        }
        return observation
    }
}

extension NodeObservation {
    /// Whether its user stopped `vm` (`runStrategy: Halted`, or `running: false`).
    static func isHalted(_ vm: JSONValue) -> Bool {
        let machine = VirtualMachine(vm)
        return machine.runStrategyText == "Halted" || (machine.runStrategyText == nil && machine.running == false)
    }

    /// Whether a node of `role` registers a Node in its cluster. A BASTION boots the GENERIC
    /// configuration and OKD's BOOTSTRAP node only serves the control plane's first boot:
    /// their readiness is their VM's, never a Node that cannot appear.
    static func registersNode(_ role: NodeRole) -> Bool {
        role != .bastion && role != .bootstrap
    }

    static func observe(
        name: String, group: String, vm: JSONValue?, vmiPhase: String?, nodes: [ProvisionedNode]?, target: String,
        spec: ValidatedClusterSpec, bootFailure: String?
    ) -> NodeObservation {
        observe(
            name: name, group: group, vm: vm, vmiPhase: vmiPhase, nodes: nodes, targetVersion: target,
            kubernetesVersion: spec.version?.kubernetesVersion, bootFailure: bootFailure)
    }

    init(
        name: String, group: String, status: NodeProvisioningStatus, ready: Bool, updated: Bool, exists: Bool, deleting: Bool
    ) {
        self.init(
            name: name, group: group, status: status, ready: ready, updated: updated, exists: exists, deleting: deleting, errorMessage: nil)
    }
}

/// A set of node names shared by the passes of one controller.
final class NodeNames: Sendable {
    private let names = Mutex<Set<String>>([])

    func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }

    /// Removes `name`; returns whether it was there.
    func remove(_ name: String) -> Bool { names.withLock { $0.remove(name) != nil } }
}

/// Whether a managed VM's spec has left its plan. The run strategy is the user's to change
/// (halting a node is not drift), so `runStrategy` and `running` are left out; fields the
/// server or KubeVirt add are not drift either, only planned fields that differ.
enum VMDrift {
    static func specWithoutPower(_ spec: JSONValue) -> JSONValue {
        var spec = spec
        spec["runStrategy"] = nil
        spec["running"] = nil
        return spec
    }

    static func hasDrifted(_ vm: JSONValue, planned: JSONValue) -> Bool {
        let current = specWithoutPower(vm["spec"] ?? [:])
        let wanted = specWithoutPower(planned["spec"] ?? [:])
        return MergePatch.apply(wanted, to: current) != current
    }

    /// The merge patch that puts the planned spec back, power state untouched.
    static func repairPatch(planned: JSONValue) -> JSONValue {
        ["spec": specWithoutPower(planned["spec"] ?? [:])]
    }
}
