import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// virt-controller and virt-handler for VirtualMachineInstances: each VMI gets a
/// `virt-launcher` pod, and its phase, node, IP and conditions follow that pod
/// (Pending → Scheduling → Scheduled → Running → Succeeded/Failed).
///
/// VMIs have no status subresource in KubeVirt, so status is written with the object, with
/// its resourceVersion: a stale cache loses the race (409) and the key is retried.
struct VirtualMachineInstanceReconciler: Reconciler {
    static let podsByVMI = "kubevirt.io/created-by"

    let api: any KubernetesAPI
    let vmis: Informer
    let pods: Informer
    let launcher: LauncherPod
    var guests: (any GuestHost)?
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = vmis.get(key), cached.deletionTimestamp == nil, let uid = cached.uid else {
            // The instance is going or gone (the VM halted, stopped or deleted): so is its guest.
            await guests?.stopped(namespace: key.namespace ?? "default", vm: key.name, labels: vmis.get(key)?.labels ?? [:])
            return .done
        }
        var vmi = VirtualMachineInstance(cached)
        let phase = vmi.phaseText ?? ""
        let owned = pods.byIndex(Self.podsByVMI, uid).filter { $0.deletionTimestamp == nil }
        if vmi.phase?.isFinished == true {
            // The guest is gone; so is its launcher.
            await guests?.stopped(namespace: key.namespace ?? "default", vm: key.name, labels: cached.labels)
            for pod in owned { try await deletePod(pod) }
            return .done
        }
        var current = Self.currentPod(of: vmi.object, among: owned)
        if current == nil {
            if phase == "" || phase == "Pending" {
                // A pod created by the last pass may not be in the cache yet: ask the API.
                let fresh = try await api.list(
                    .pods, namespace: key.namespace,
                    options: ListOptions(labelSelector: "\(Self.podsByVMI)=\(uid)")
                ).items
                current = Self.currentPod(of: vmi.object, among: fresh.filter { $0.deletionTimestamp == nil })
                if current == nil {
                    current = try await api.create(.pods, namespace: key.namespace, object: launcher.make(for: vmi.object))
                }
            } else {
                // The launcher vanished under a scheduled or running guest. Check against the
                // API (a migration may just have moved the VMI) before declaring it failed.
                let fresh = try await api.get(.virtualMachineInstances, namespace: key.namespace, name: key.name)
                let freshPods = try await api.list(
                    .pods, namespace: key.namespace,
                    options: ListOptions(labelSelector: "\(Self.podsByVMI)=\(uid)")
                ).items
                if Self.currentPod(of: fresh, among: freshPods.filter { $0.deletionTimestamp == nil }) != nil {
                    return .requeue
                }
                vmi = VirtualMachineInstance(fresh)
                vmi.record(phase: .failed)
                vmi.reason = "PodTerminating"
                Conditions.set(
                    &vmi.conditions, type: "Ready", status: false, reason: "PodTerminating",
                    message: "virt-launcher pod has been deleted")
                _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: vmi.object)
                return .done
            }
        }
        guard let pod = current else { return .done }
        let updated = Self.status(of: vmi.object, following: pod, imageVersion: launcher.image)
        if VirtualMachineInstance(updated).phase == .running {
            // A guest that hosts something real is up before the VMI says Running.
            try await guests?.running(namespace: key.namespace ?? "default", vm: key.name, labels: updated.labels)
        }
        if updated != vmi.object {
            _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: updated)
        }
        return .done
    }

    /// The launcher running the guest: one listed in `status.activePods`, or before the first
    /// placement any launcher that is not a migration target.
    static func currentPod(of vmi: JSONValue, among pods: [JSONValue]) -> JSONValue? {
        let active = VirtualMachineInstance(vmi).object[field: VirtualMachineInstance.Field.activePods]?.objectValue ?? [:]
        if !active.isEmpty {
            return pods.first { active[$0.uid ?? ""] != nil }
        }
        return pods.first { $0.labels[KubeVirtLabels.migrationJobUID] == nil }
    }

    /// The VMI as its launcher pod says it is.
    static func status(
        of object: JSONValue, following podObject: JSONValue, imageVersion: String,
        now: String = Timestamp.now()
    ) -> JSONValue {
        typealias Field = VirtualMachineInstance.Field
        var vmi = VirtualMachineInstance(object)
        let pod = Pod(podObject)
        var conditions = vmi.conditions
        let podPhase = pod.phaseText ?? "Pending"
        let nodeName = pod.nodeName ?? ""
        let podScheduled = StatusConditions.find(pod.conditions, "PodScheduled")
        switch podPhase {
        case "Succeeded", "Failed":
            vmi.record(phase: podPhase == "Failed" ? .failed : .succeeded, now: now)
            Conditions.set(
                &conditions, type: "Ready", status: false, reason: "PodTerminating",
                message: "virt-launcher pod has terminated", now: now)
        case "Running" where !nodeName.isEmpty:
            if vmi.phaseText != "Running" {
                if vmi.phaseText != "Scheduled" { vmi.record(phase: .scheduled, now: now) }
                vmi.record(phase: .running, now: now)
            }
            vmi.nodeName = nodeName
            vmi.labels[KubeVirtLabels.nodeName] = nodeName
            let ip = pod.podIP ?? ""
            var interface: JSONValue = [
                "name": "default", "interfaceName": "eth0", "infoSource": "domain, guest-agent",
                "mac": .string(Self.macAddress(for: vmi.uid ?? "")), "queueCount": 1,
                "linkState": "up",
            ]
            if !ip.isEmpty {
                interface["ipAddress"] = .string(ip)
                interface["ipAddresses"] = [.string(ip)]
            }
            vmi.interfaces = [interface]
            vmi.activePods = [pod.uid ?? "": nodeName]
            vmi.object[field: Field.qosClass] = pod.qosClass ?? "Burstable"
            vmi.object[field: Field.launcherContainerImageVersion] = .string(imageVersion)
            vmi.object[field: Field.migrationMethod] = "BlockMigration"
            vmi.object[field: Field.migrationTransport] = "Unix"
            vmi.object[field: Field.guestOSInfo] = ["id": "fedora", "name": "Fedora Linux", "prettyName": "Fedora Linux 41 (Simulated)"]
            let cpu = vmi.object[field: Field.domainCPU]
            vmi.object[field: Field.currentCPUTopology] = [
                "sockets": cpu?["sockets"] ?? 1, "cores": cpu?["cores"] ?? 1,
                "threads": cpu?["threads"] ?? 1,
            ]
            let guest = Quantity(LauncherPod.guestMemory(vmi.spec)).json
            vmi.object[field: Field.memory] = ["guestAtBoot": guest, "guestCurrent": guest, "guestRequested": guest]
            vmi.object[field: Field.machine] = ["type": vmi.object[field: Field.machineType] ?? "q35"]
            Conditions.removePodScheduled(&conditions)
            Conditions.set(&conditions, type: "Ready", status: true, now: now)
            Conditions.set(&conditions, type: "LiveMigratable", status: true, now: now)
        default:
            if vmi.object[field: PhaseTransitionFields.phase] == nil { vmi.record(phase: .pending, now: now) }
            if vmi.phaseText == "Pending" { vmi.record(phase: .scheduling, now: now) }
            if let podScheduled, podScheduled.status == .false {
                Conditions.set(
                    &conditions, type: "PodScheduled", status: false,
                    reason: podScheduled.reason ?? "Unschedulable",
                    message: podScheduled.message ?? "", now: now)
            } else {
                Conditions.removePodScheduled(&conditions)
            }
            Conditions.set(
                &conditions, type: "Ready", status: false, reason: "GuestNotRunning",
                message: "Guest VM is not reported as running", now: now)
        }
        vmi.conditions = conditions
        return vmi.object
    }

    /// A stable, locally administered MAC for the guest's interface.
    static func macAddress(for uid: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uid.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let bytes = [0x02, (hash >> 32) & 0xff, (hash >> 24) & 0xff, (hash >> 16) & 0xff, (hash >> 8) & 0xff, hash & 0xff]
        return bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    private func deletePod(_ pod: JSONValue) async throws {
        guard let name = pod.name else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.pods, namespace: pod.namespace, name: name)
        }
    }
}

extension Conditions {
    static func removePodScheduled(_ conditions: inout [JSONValue]) {
        conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
    }
}
