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
        guard let cached = vmis.get(key), cached.deletionTimestamp == nil, let uid = cached.uid else { return .done }
        var vmi = cached
        let phase = vmi[path: ["status", "phase"]]?.stringValue ?? ""
        let owned = pods.byIndex(Self.podsByVMI, uid).filter { $0.deletionTimestamp == nil }
        if phase == "Succeeded" || phase == "Failed" {
            // The guest is gone; so is its launcher.
            for pod in owned { try await deletePod(pod) }
            return .done
        }
        var current = Self.currentPod(of: vmi, among: owned)
        if current == nil {
            if phase == "" || phase == "Pending" {
                // A pod created by the last pass may not be in the cache yet: ask the API.
                let fresh = try await api.list(.pods, namespace: key.namespace,
                                               options: ListOptions(labelSelector: "\(Self.podsByVMI)=\(uid)")).items
                current = Self.currentPod(of: vmi, among: fresh.filter { $0.deletionTimestamp == nil })
                if current == nil {
                    current = try await api.create(.pods, namespace: key.namespace, object: launcher.make(for: vmi))
                }
            } else {
                // The launcher vanished under a scheduled or running guest. Check against the
                // API (a migration may just have moved the VMI) before declaring it failed.
                let fresh = try await api.get(.virtualMachineInstances, namespace: key.namespace, name: key.name)
                let freshPods = try await api.list(.pods, namespace: key.namespace,
                                                   options: ListOptions(labelSelector: "\(Self.podsByVMI)=\(uid)")).items
                if Self.currentPod(of: fresh, among: freshPods.filter { $0.deletionTimestamp == nil }) != nil {
                    return .requeue
                }
                vmi = fresh
                var status = vmi["status"] ?? [:]
                PhaseTransitions.record(&status, phase: "Failed")
                status["reason"] = "PodTerminating"
                var conditions = status["conditions"]?.arrayValue ?? []
                Conditions.set(&conditions, type: "Ready", status: false, reason: "PodTerminating",
                               message: "virt-launcher pod has been deleted")
                status["conditions"] = .array(conditions)
                vmi["status"] = status
                _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: vmi)
                return .done
            }
        }
        guard let pod = current else { return .done }
        let updated = Self.status(of: vmi, following: pod, imageVersion: launcher.image)
        if updated[path: ["status", "phase"]]?.stringValue == "Running" {
            // A guest that hosts something real is up before the VMI says Running.
            try await guests?.running(namespace: key.namespace ?? "default", vm: key.name, labels: updated.labels)
        }
        if updated != vmi {
            _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: updated)
        }
        return .done
    }

    /// The launcher running the guest: one listed in `status.activePods`, or before the first
    /// placement any launcher that is not a migration target.
    static func currentPod(of vmi: JSONValue, among pods: [JSONValue]) -> JSONValue? {
        let active = vmi[path: ["status", "activePods"]]?.objectValue ?? [:]
        if !active.isEmpty {
            return pods.first { active[$0.uid ?? ""] != nil }
        }
        return pods.first { $0.labels[KubeVirtLabels.migrationJobUID] == nil }
    }

    /// The VMI as its launcher pod says it is.
    static func status(of vmi: JSONValue, following pod: JSONValue, imageVersion: String,
                       now: String = Timestamp.now()) -> JSONValue {
        var vmi = vmi
        var status = vmi["status"] ?? [:]
        var conditions = status["conditions"]?.arrayValue ?? []
        let podPhase = pod[path: ["status", "phase"]]?.stringValue ?? "Pending"
        let nodeName = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let podScheduled = Conditions.find(pod[path: ["status", "conditions"]], "PodScheduled")
        switch podPhase {
        case "Succeeded", "Failed":
            PhaseTransitions.record(&status, phase: podPhase, now: now)
            Conditions.set(&conditions, type: "Ready", status: false, reason: "PodTerminating",
                           message: "virt-launcher pod has terminated", now: now)
        case "Running" where !nodeName.isEmpty:
            if status["phase"]?.stringValue != "Running" {
                if status["phase"]?.stringValue != "Scheduled" { PhaseTransitions.record(&status, phase: "Scheduled", now: now) }
                PhaseTransitions.record(&status, phase: "Running", now: now)
            }
            status["nodeName"] = .string(nodeName)
            var labels = vmi.labels
            labels[KubeVirtLabels.nodeName] = nodeName
            vmi.labels = labels
            let ip = pod[path: ["status", "podIP"]]?.stringValue ?? ""
            var interface: JSONValue = ["name": "default", "interfaceName": "eth0", "infoSource": "domain, guest-agent",
                                        "mac": .string(Self.macAddress(for: vmi.uid ?? "")), "queueCount": 1,
                                        "linkState": "up"]
            if !ip.isEmpty {
                interface["ipAddress"] = .string(ip)
                interface["ipAddresses"] = [.string(ip)]
            }
            status["interfaces"] = [interface]
            status["activePods"] = [pod.uid ?? "": .string(nodeName)]
            status["qosClass"] = pod[path: ["status", "qosClass"]] ?? "Burstable"
            status["launcherContainerImageVersion"] = .string(imageVersion)
            status["migrationMethod"] = "BlockMigration"
            status["migrationTransport"] = "Unix"
            status["guestOSInfo"] = ["id": "fedora", "name": "Fedora Linux", "prettyName": "Fedora Linux 41 (Simulated)"]
            let spec = vmi["spec"] ?? [:]
            let cpu = spec[path: ["domain", "cpu"]]
            status["currentCPUTopology"] = ["sockets": cpu?["sockets"] ?? 1, "cores": cpu?["cores"] ?? 1,
                                            "threads": cpu?["threads"] ?? 1]
            let guest = Quantity(LauncherPod.guestMemory(spec)).json
            status["memory"] = ["guestAtBoot": guest, "guestCurrent": guest, "guestRequested": guest]
            status["machine"] = ["type": spec[path: ["domain", "machine", "type"]] ?? "q35"]
            Conditions.removePodScheduled(&conditions)
            Conditions.set(&conditions, type: "Ready", status: true, now: now)
            Conditions.set(&conditions, type: "LiveMigratable", status: true, now: now)
        default:
            if status["phase"] == nil { PhaseTransitions.record(&status, phase: "Pending", now: now) }
            if status["phase"]?.stringValue == "Pending" { PhaseTransitions.record(&status, phase: "Scheduling", now: now) }
            if let podScheduled, podScheduled["status"]?.stringValue == "False" {
                Conditions.set(&conditions, type: "PodScheduled", status: false,
                               reason: podScheduled["reason"]?.stringValue ?? "Unschedulable",
                               message: podScheduled["message"]?.stringValue ?? "", now: now)
            } else {
                Conditions.removePodScheduled(&conditions)
            }
            Conditions.set(&conditions, type: "Ready", status: false, reason: "GuestNotRunning",
                           message: "Guest VM is not reported as running", now: now)
        }
        status["conditions"] = .array(conditions)
        vmi["status"] = status
        return vmi
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
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in try await api.delete(.pods, namespace: pod.namespace, name: name) }
    }
}

extension Conditions {
    static func removePodScheduled(_ conditions: inout [JSONValue]) {
        conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
    }
}
