import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// Plays kubelet for pods bound to simulated nodes, as KWOK does: they become Running at
/// once, with an IP from the node's pod range, a host IP, started and ready containers, and
/// the four pod conditions.
struct PodReconciler: Reconciler {
    let api: any KubernetesAPI
    let pods: Informer
    let nodes: Informer
    let kubelet: KubeletState

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pod = pods.get(key) else {
            kubelet.release(key)
            return .done
        }
        guard let nodeName = Pod(pod).nodeName, !nodeName.isEmpty, pod.deletionTimestamp == nil
        else { return .done }
        guard let node = nodes.get(namespace: nil, name: nodeName) else {
            // The pod garbage collector's job: a pod bound to a simulated node that was deleted
            // goes. (Pods naming a node never seen are left alone, as nothing runs them.)
            guard kubelet.wasSimulated(nodeName) else { return .done }
            let exists = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.get(.nodes, namespace: nil, name: nodeName)
            }
            if exists == nil {
                _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.delete(
                        .pods, namespace: key.namespace, name: key.name,
                        options: DeleteOptions(preconditionUID: pod.uid))
                }
            }
            return .done
        }
        guard KWOKNode.isSimulated(node) else { return .done }
        kubelet.rememberSimulated(nodeName)
        let phase = Pod(pod).phase
        if phase == .running { return try await finishIfItEnds(pod, key: key) }
        guard phase?.isFinished != true else { return .done }
        let simulated = Node(node)
        guard let cidr = simulated.podCIDR else { return .requeue }
        let hostIP = simulated.addresses?.first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
        guard let hostIP else { return .requeue }
        // First the kubelet reports the containers being created, then running: watchers see
        // Pending → ContainerCreating → Running as on a real node.
        if pod[path: ["status", "containerStatuses"]] == nil {
            _ = try await api.patch(
                .pods, namespace: key.namespace, name: key.name,
                patch: ["status": Self.creatingStatus(pod, hostIP: hostIP)],
                type: .merge, subresource: "status", options: .default)
            return .requeueAfter(Self.containerCreation)
        }
        let used = Set(pods.podsOnNode(nodeName).compactMap { Pod($0).podIP })
        let podIP = kubelet.allocate(for: key, cidr: cidr, node: nodeName, inUse: used)
        _ = try await api.patch(
            .pods, namespace: key.namespace, name: key.name,
            patch: ["status": Self.runningStatus(pod, podIP: podIP, hostIP: hostIP)],
            type: .merge, subresource: "status", options: .default)
        return .done
    }

    /// How long containers stay `ContainerCreating` (an image already pulled).
    static let containerCreation = Duration.milliseconds(200)

    /// The status while the containers are created: `Pending`, scheduled and initialized,
    /// not ready, each container waiting with reason `ContainerCreating`.
    static func creatingStatus(_ pod: JSONValue, hostIP: String, now: String = Timestamp.now()) -> JSONValue {
        let containers = Pod(pod).containers
        let names = containers.compactMap { $0["name"]?.stringValue }
        let statuses: [JSONValue] = containers.map { container in
            [
                "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "",
                "ready": false, "started": false, "restartCount": 0,
                "state": ["waiting": ["reason": "ContainerCreating"]],
            ]
        }
        func condition(_ type: String, ready: Bool) -> JSONValue {
            var entry: JSONValue = [
                "type": .string(type), "status": ready ? "True" : "False", "lastProbeTime": .null,
                "lastTransitionTime": .string(now),
            ]
            if !ready {
                entry["reason"] = "ContainersNotReady"
                entry["message"] = .string("containers with unready status: [\(names.joined(separator: " "))]")
            }
            return entry
        }
        return [
            "phase": "Pending",
            "conditions": [
                condition("Initialized", ready: true), condition("Ready", ready: false),
                condition("ContainersReady", ready: false), condition("PodScheduled", ready: true),
            ],
            "hostIP": .string(hostIP), "hostIPs": [["ip": .string(hostIP)]],
            "startTime": .string(now), "containerStatuses": .array(statuses), "qosClass": .string(qosClass(containers)),
        ]
    }

    static func runningStatus(_ pod: JSONValue, podIP: String, hostIP: String, now: String = Timestamp.now()) -> JSONValue {
        let uid = pod.uid ?? ""
        let containers = Pod(pod).containers
        let statuses: [JSONValue] = containers.map { container in
            [
                "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "",
                "containerID": .string("kwok://\(uid)-\(container["name"]?.stringValue ?? "")"),
                "ready": true, "started": true, "restartCount": 0, "state": ["running": ["startedAt": .string(now)]],
            ]
        }
        func condition(_ type: String) -> JSONValue {
            ["type": .string(type), "status": "True", "lastProbeTime": .null, "lastTransitionTime": .string(now)]
        }
        return [
            "phase": "Running",
            "conditions": [
                condition("Initialized"), condition("Ready"), condition("ContainersReady"),
                condition("PodScheduled"),
            ],
            "hostIP": .string(hostIP), "hostIPs": [["ip": .string(hostIP)]],
            "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
            "startTime": pod[path: ["status", "startTime"]] ?? .string(now), "containerStatuses": .array(statuses),
            "qosClass": .string(qosClass(containers)),
        ]
    }

    /// Annotations on a pod (or its workload's pod template) that shape a run that ends.
    static let runSecondsAnnotation = "virtyard.io/simulated-run-seconds"
    static let exitCodeAnnotation = "virtyard.io/simulated-exit-code"

    /// A pod whose containers are not restarted (`restartPolicy: Never` or `OnFailure`: a
    /// Job's) ends after a simulated run time — one second after `startTime`, or
    /// ``runSecondsAnnotation`` — with exit code 0 (`Succeeded`) or ``exitCodeAnnotation``'s
    /// (`Failed` when non-zero). Pods restarted `Always` run until deleted, as before.
    func finishIfItEnds(_ pod: JSONValue, key: ObjectKey) async throws -> ReconcileResult {
        let view = Pod(pod)
        guard let policy = pod[path: ["spec", "restartPolicy"]]?.stringValue, policy != "Always" else { return .done }
        // Only batch work ends by itself: a Job's pods, a pod that says how long it runs, or
        // one whose every container runs a command that ends (`echo hi`, `sh -c 'date; exit 3'`).
        // Long-running pods that are never restarted (KubeVirt's virt-launcher) run on.
        let declared = view.annotation(Self.runSecondsAnnotation).flatMap(Double.init).map { max(0, $0) }
        let ownedByJob = pod.ownerReferences.contains { $0.kind == "Job" && $0.apiVersion.hasPrefix("batch/") }
        let scripted = Self.scriptedExitCode(pod, name: key.name)
        guard declared != nil || ownedByJob || scripted != nil else { return .done }
        let runSeconds = declared ?? 1
        let started = pod[path: ["status", "startTime"]]?.stringValue.flatMap(Timestamp.date) ?? Date()
        let remaining = started.addingTimeInterval(runSeconds).timeIntervalSinceNow
        if remaining > 0 { return .requeueAfter(.milliseconds(Int(remaining * 1000) + 10)) }
        let exitCode = view.annotation(Self.exitCodeAnnotation).flatMap(Int64.init) ?? scripted ?? 0
        _ = try await api.patch(
            .pods, namespace: key.namespace, name: key.name,
            patch: ["status": Self.finishedStatus(pod, exitCode: exitCode)],
            type: .merge, subresource: "status", options: .default)
        return .done
    }

    /// The exit code of a pod whose every container runs a command that ends by itself
    /// (``ContainerScript/exitCode``): the first non-zero one, else 0. Nil if any may run on.
    static func scriptedExitCode(_ pod: JSONValue, name: String) -> Int64? {
        let containers = Pod(pod).containers
        guard !containers.isEmpty else { return nil }
        var codes: [Int64] = []
        for container in containers {
            guard let code = ContainerScript(container: container, podName: name).exitCode else { return nil }
            codes.append(code)
        }
        return codes.first { $0 != 0 } ?? 0
    }

    /// The status a kubelet writes when every container of a pod that is not restarted has
    /// exited: `Succeeded` or `Failed`, terminated containers with the exit code, and
    /// `Ready`/`ContainersReady` false with reason `PodCompleted`.
    static func finishedStatus(_ pod: JSONValue, exitCode: Int64, now: String = Timestamp.now()) -> JSONValue {
        let startedAt = pod[path: ["status", "startTime"]] ?? .string(now)
        let statuses: [JSONValue] = (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).map { status in
            var status = status
            status["ready"] = false
            status["started"] = false
            status["state"] = [
                "terminated": [
                    "exitCode": .int(exitCode), "reason": exitCode == 0 ? "Completed" : "Error",
                    "startedAt": startedAt, "finishedAt": .string(now),
                    "containerID": status["containerID"] ?? "",
                ]
            ]
            return status
        }
        func condition(_ type: String, ready: Bool) -> JSONValue {
            var entry: JSONValue = [
                "type": .string(type), "status": ready ? "True" : "False", "lastProbeTime": .null,
                "lastTransitionTime": .string(now),
            ]
            if !ready { entry["reason"] = "PodCompleted" }
            return entry
        }
        return [
            "phase": exitCode == 0 ? "Succeeded" : "Failed",
            "conditions": [
                condition("Initialized", ready: true), condition("Ready", ready: false),
                condition("ContainersReady", ready: false), condition("PodScheduled", ready: true),
            ],
            "containerStatuses": .array(statuses),
        ]
    }

    /// Guaranteed when every container's requests equal its limits for CPU and memory,
    /// BestEffort when none asks for anything, Burstable otherwise.
    static func qosClass(_ containers: [JSONValue]) -> String {
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = Pod.Container(container).requests
            let limits = Pod.Container(container).limits
            for resource in ["cpu", "memory"] {
                let request = requests?[resource] ?? limits?[resource]
                let limit = limits?[resource]
                if request != nil || limit != nil { anySet = true }
                if limit == nil || Quantity(json: request) != Quantity(json: limit) { guaranteed = false }
            }
        }
        return guaranteed ? "Guaranteed" : anySet ? "Burstable" : "BestEffort"
    }
}

/// What the simulated kubelet remembers: the pod IPs it handed out but the cache does not show
/// yet (so none goes out twice), and which nodes were simulated (so their pods are collected
/// when the node goes).
final class KubeletState: Sendable {
    private struct Pending {
        var node: String
        var address: String
    }

    private let pending = Mutex<[ObjectKey: Pending]>([:])
    private let simulatedNodes = Mutex<Set<String>>([])

    func rememberSimulated(_ node: String) {
        _ = simulatedNodes.withLock { $0.insert(node) }
    }

    func wasSimulated(_ node: String) -> Bool {
        simulatedNodes.withLock { $0.contains(node) }
    }

    func allocate(for key: ObjectKey, cidr: String, node: String, inUse: Set<String>) -> String {
        pending.withLock { pending in
            if let existing = pending[key], existing.node == node { return existing.address }
            let reserved = Set(pending.values.filter { $0.node == node }.map(\.address)).union(inUse)
            let prefix =
                cidr.split(separator: "/").first.map { $0.split(separator: ".").prefix(3).joined(separator: ".") }
                ?? "10.128.0"
            let host = (2...254).first { !reserved.contains("\(prefix).\($0)") } ?? 254
            let address = "\(prefix).\(host)"
            pending[key] = Pending(node: node, address: address)
            return address
        }
    }

    func release(_ key: ObjectKey) {
        _ = pending.withLock { $0.removeValue(forKey: key) }
    }
}

/// Runs the pod reconciler: the kubelet of every simulated node.
public struct PodSimulator: Service {
    let controller: Controller<PodReconciler>

    public init(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        logger: Logger = Logger(label: "virtyard.simulation.pods")
    ) {
        let pods = informers.informer(for: .pods)
        pods.indexPodsByNode()
        let reconciler = PodReconciler(
            api: api, pods: pods, nodes: informers.informer(for: .nodes),
            kubelet: KubeletState())
        let nodes = informers.informer(for: .nodes)
        controller = Controller(
            name: "simulated-kubelet", reconciler: reconciler, for: pods,
            watches: [
                .mapped(nodes) { node in
                    // A node's deletion concerns the pods bound to it.
                    guard let name = node.name else { return [] }
                    return pods.podsOnNode(name).compactMap(ObjectKey.init)
                }
            ],
            configuration: ControllerConfiguration(workers: 4, rateLimit: nil), logger: logger)
    }

    public func run() async throws {
        try await controller.run()
    }
}
