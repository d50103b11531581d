import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// A VirtualMachine's run strategy (`spec.runStrategy`, or the deprecated `spec.running`).
public enum RunStrategy: String, Sendable, CaseIterable {
    case always = "Always"
    case halted = "Halted"
    case manual = "Manual"
    case rerunOnFailure = "RerunOnFailure"
    case once = "Once"

    public init(vm: JSONValue) { self.init(vm: VirtualMachine(vm)) }

    public init(vm: VirtualMachine) {
        if let text = vm.runStrategyText, let strategy = RunStrategy(rawValue: text) {
            self = strategy
        } else {
            self = vm.running == true ? .always : .halted
        }
    }
}

/// virt-controller's VM loop: keeps a VirtualMachineInstance in existence or not, as the run
/// strategy and the start/stop requests in `status.stateChangeRequests` say, and reports
/// `created`, `ready` and `printableStatus`.
struct VirtualMachineReconciler: Reconciler {
    /// Marks a VM whose `Once` run has begun, so a finished guest is not started again.
    static let onceStartedAnnotation = "virtyard.io/once-started"

    let api: any KubernetesAPI
    let vms: Informer
    let vmis: Informer
    var guests: (any GuestHost)?
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let vm = vms.get(key) else {
            await guests?.discard(namespace: key.namespace ?? "default", vm: key.name, labels: [:])
            return .done
        }
        var vmi = vmis.get(key)
        if let existing = vmi, !existing.isControlled(by: vm) { vmi = nil }
        let strategy = RunStrategy(vm: vm)
        var requests = VirtualMachine(vm).stateChangeRequests

        if vm.deletionTimestamp != nil {
            await guests?.discard(
                namespace: key.namespace ?? "default", vm: key.name,
                labels: VirtualMachine(vm).templateLabels)
            if let vmi, vmi.deletionTimestamp == nil { try await deleteVMI(vmi) }
            try await writeStatus(vm, vmi: vmi, strategy: strategy, requests: requests)
            return .done
        }
        // Explicit requests first (virtctl start/stop/restart): a stop names the instance it
        // stops; a start waits until no instance is left.
        if let first = requests.first, first["action"]?.stringValue == "Stop" {
            let target = first["uid"]?.stringValue
            if let vmi, target == nil || target == vmi.uid {
                if vmi.deletionTimestamp == nil { try await deleteVMI(vmi) }
                try await writeStatus(vm, vmi: vmi, strategy: strategy, requests: requests)
                return .done
            }
            requests.removeFirst()
        }
        let restoring = VirtualMachine(vm).restoreInProgress != nil
        if let first = requests.first, first["action"]?.stringValue == "Start" {
            if vmi == nil {
                guard !restoring else { return .requeueAfter(.seconds(1)) }
                vmi = try await createVMI(for: vm, strategy: strategy)
            }
            if vmi?.deletionTimestamp == nil { requests.removeFirst() }
        } else if requests.isEmpty {
            vmi = try await applyRunStrategy(strategy, vm: vm, vmi: vmi, restoring: restoring)
        }
        try await writeStatus(vm, vmi: vmi, strategy: strategy, requests: requests)
        return .done
    }

    private func applyRunStrategy(_ strategy: RunStrategy, vm: JSONValue, vmi: JSONValue?, restoring: Bool) async throws -> JSONValue? {
        let phase = vmi.map(VirtualMachineInstance.init)?.phaseText
        switch strategy {
        case .halted:
            if let vmi, vmi.deletionTimestamp == nil { try await deleteVMI(vmi) }
            return vmi
        case .manual:
            return vmi
        case .always, .rerunOnFailure:
            if let vmi {
                let restart = phase == "Failed" || (strategy == .always && phase == "Succeeded")
                if restart, vmi.deletionTimestamp == nil { try await deleteVMI(vmi) }
                return vmi
            }
            guard !restoring else { return nil }
            return try await createVMI(for: vm, strategy: strategy)
        case .once:
            guard vmi == nil, vm.annotations[Self.onceStartedAnnotation] == nil, !restoring else { return vmi }
            return try await createVMI(for: vm, strategy: strategy)
        }
    }

    /// The instance from `spec.template`, owned by the VM.
    static func instance(for vm: JSONValue) throws(OwnerReferenceError) -> JSONValue {
        let machine = VirtualMachine(vm)
        var vmi: JSONValue = [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": [:],
            "spec": machine.templateSpec ?? [:],
        ]
        vmi.name = vm.name
        vmi.namespace = vm.namespace
        vmi.labels = machine.templateLabels
        var annotations = machine.templateAnnotations
        annotations["kubevirt.io/latest-observed-api-version"] = "v1"
        annotations["kubevirt.io/storage-observed-api-version"] = "v1"
        annotations["kubevirt.io/vm-generation"] = String(vm.generation ?? 1)
        vmi.annotations = annotations
        try OwnerReferences.setController(vm, .virtualMachines, on: &vmi)
        return vmi
    }

    private func createVMI(for vm: JSONValue, strategy: RunStrategy) async throws -> JSONValue? {
        // The cache may not have seen the VM's deletion yet (its instance already went):
        // an instance for a VM that is gone would be an orphan.
        let current = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.virtualMachines, namespace: vm.namespace, name: vm.name ?? "")
        }
        guard let current, current.uid == vm.uid, current.deletionTimestamp == nil else { return nil }
        if strategy == .once, let name = vm.name {
            _ = try await api.patch(
                .virtualMachines, namespace: vm.namespace, name: name,
                patch: ["metadata": ["annotations": [Self.onceStartedAnnotation: "true"]]])
        }
        let instance = try Self.instance(for: vm)
        // An instance that already exists means the cache was behind; its event follows.
        return try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.virtualMachineInstances, namespace: vm.namespace, object: instance)
        }
    }

    private func deleteVMI(_ vmi: JSONValue) async throws {
        guard let name = vmi.name else { return }
        _ = try await tolerating({ $0.isNotFound || $0.code == 409 }) { () async throws(KubeClientError) in
            try await api.delete(
                .virtualMachineInstances, namespace: vmi.namespace, name: name,
                options: DeleteOptions(propagationPolicy: .background, preconditionUID: vmi.uid))
        }
    }

    private func writeStatus(_ vm: JSONValue, vmi: JSONValue?, strategy: RunStrategy, requests: [JSONValue]) async throws {
        var updated = VirtualMachine(vm)
        updated.status = Self.status(of: vm, vmi: vmi, strategy: strategy, requests: requests)
        try await api.updateStatusIfChanged(.virtualMachines, current: vm, updated: updated.object)
    }

    /// `status` as virt-controller reports it.
    static func status(
        of vm: JSONValue, vmi: JSONValue?, strategy: RunStrategy, requests: [JSONValue],
        now: String = Timestamp.now()
    ) -> JSONValue {
        var machine = VirtualMachine(vm)
        let instance = vmi.map(VirtualMachineInstance.init)
        let vmiPhase = instance?.phaseText ?? ""
        let ready = instance.map { StatusConditions.isTrue($0.conditions, "Ready") } ?? false
        machine[status: .created] = vmi != nil && vmi?.deletionTimestamp == nil ? true : nil
        machine[status: .ready] = ready ? true : nil
        machine[status: .runStrategy] = .string(strategy.rawValue)
        machine[status: .stateChangeRequests] = requests.isEmpty ? nil : .array(requests)
        machine[status: .printableStatus] = .string(printableStatus(vm: vm, vmi: vmi, strategy: strategy, requests: requests))
        if let generation = vm.generation {
            machine[status: .desiredGeneration] = .int(generation)
            if let observed = vmi?.annotations["kubevirt.io/vm-generation"].flatMap({ Int64($0) }) {
                machine[status: .observedGeneration] = .int(observed)
            }
        }
        var conditions = machine.conditions
        if ready {
            Conditions.set(&conditions, type: "Ready", status: true, now: now)
        } else {
            Conditions.set(
                &conditions, type: "Ready", status: false,
                reason: vmi == nil ? "VMINotExists" : vmiPhase == "Running" ? "GuestNotReady" : "VMINotRunning",
                message: vmi == nil ? "VMI does not exist" : "VMI is not ready", now: now)
        }
        if let unschedulable = instance.flatMap({ StatusConditions.find($0.conditions, "PodScheduled") }),
            unschedulable.status == .false
        {
            Conditions.set(
                &conditions, type: "PodScheduled", status: false,
                reason: unschedulable.reason ?? "Unschedulable",
                message: unschedulable.message ?? "", now: now)
        } else {
            Conditions.removePodScheduled(&conditions)
        }
        machine.conditions = conditions
        return machine.status
    }

    /// The STATUS column of `kubectl get vm`.
    static func printableStatus(vm: JSONValue, vmi: JSONValue?, strategy: RunStrategy, requests: [JSONValue]) -> String {
        if vm.deletionTimestamp != nil { return "Terminating" }
        guard let vmi else {
            let starting =
                (strategy == .always || strategy == .rerunOnFailure
                    || requests.first?["action"]?.stringValue == "Start")
            return starting && VirtualMachine(vm).restoreInProgressValue == nil ? "Starting" : "Stopped"
        }
        if vmi.deletionTimestamp != nil || requests.first?["action"]?.stringValue == "Stop" || strategy == .halted {
            return "Stopping"
        }
        let instance = VirtualMachineInstance(vmi)
        switch instance.phaseText ?? "" {
        case "Running":
            if let migration = instance.migrationState, migration.isInProgress {
                return "Migrating"
            }
            return "Running"
        case "Succeeded", "Failed":
            return "Stopped"
        default:
            if let scheduled = StatusConditions.find(instance.conditions, "PodScheduled"), scheduled.status == .false {
                return "ErrorUnschedulable"
            }
            return "Starting"
        }
    }
}
