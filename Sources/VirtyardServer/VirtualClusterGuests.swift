import Foundation
import KubeClient
import KubeModel
import KubeServer
import LabPool
import Logging
import Simulation
import Synchronization

/// The embedded mode's guests: a VM labelled `virtyard.io/virtual-cluster: <id>` (a lab
/// cluster's control-plane VM) hosts the embedded server's virtual cluster `<id>` — up while
/// the VM runs, captured by the VM's snapshots, put back by its restores, removed with the VM.
///
/// Captures are kept in `<data>/cluster-snapshots/<namespace>/<content>.json`, so a restore
/// works after a restart as the VM's own snapshot content does.
public final class VirtualClusterGuests: GuestHost {
    public static let label = "virtyard.io/virtual-cluster"
    /// On a VM that is a node of a virtual cluster (a lab cluster's control plane and workers):
    /// the cluster shows a Ready Node named after the VM.
    public static let nodeLabel = "virtyard.io/virtual-cluster-node"

    let clusters: VirtualClusters
    let directory: URL?
    let logger: Logger
    /// Which VM hosts which cluster (namespace/name → id), for VMs already gone.
    private let hosted = Mutex<[String: String]>([:])
    private let captures = Mutex<[String: VirtualCluster.Snapshot]>([:])

    public init(clusters: VirtualClusters, dataDirectory: String?, logger: Logger) {
        self.clusters = clusters
        directory = dataDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("cluster-snapshots") }
        self.logger = logger
    }

    public func running(namespace: String, vm: String, labels: [String: String]) async throws {
        if let id = labels[Self.label] {
            hosted.withLock { $0["\(namespace)/\(vm)"] = id }
            _ = try await ensureCluster(id, labels: labels)
            logger.debug("VM hosts a virtual cluster", metadata: ["vm": "\(namespace)/\(vm)", "cluster": "\(id)"])
        }
        if let id = labels[Self.nodeLabel] {
            let cluster = try await ensureCluster(id, labels: labels)
            let controlPlane = labels["virtyard.io/lab-role"] == "control-plane" || labels[Self.label] == id
            guard cluster.store.get(StorageKey(GroupResource(group: "", resource: "nodes"), namespace: "", name: vm)) == nil
            else { return }
            // Each node gets its own pod range and address, by the order nodes join.
            let index = cluster.store.count(GroupResource(group: "", resource: "nodes"))
            try await cluster.createIfMissing(
                Self.node(named: vm, controlPlane: controlPlane, index: index), group: "", version: "v1",
                resource: "nodes")
        }
    }

    private func ensureCluster(_ id: String, labels: [String: String]) async throws -> VirtualCluster {
        if let existing = clusters.cluster(id) { return existing }
        let created = try await clusters.ensure(id: id, quota: Self.quota(labels))
        logger.info("virtual cluster up", metadata: ["cluster": "\(id)"])
        return created
    }

    /// The quota of the cluster a VM hosts or is a node of: the lab pool's `spec.quota`, as
    /// labels on its VMs, or the host's defaults.
    static func quota(_ labels: [String: String]) -> StoreQuota {
        var quota = StoreQuota.virtualClusterDefault
        if let text = labels[Lab.virtualClusterMaxObjectsLabel], let value = Int(text), value > 0 { quota.maximumObjects = value }
        if let text = labels[Lab.virtualClusterMaxBytesLabel], let value = Int(text), value > 0 { quota.maximumBytes = value }
        return quota
    }

    /// A Ready node as kubeadm leaves one: role label, taint on the control plane. The
    /// simulation's kubelet runs its pods (KWOK's annotation marks it; no KWOK taint, as every
    /// node of a lab cluster is simulated), from pod range `10.244.<index>.0/24`.
    static func node(named name: String, controlPlane: Bool, index: Int, heartbeat: String = Timestamp.now()) -> JSONValue {
        let octet = index % 250
        return KWOKNode.make(
            name: name, cpu: Quantity(2), memory: Quantity(4 << 30), tainted: false,
            role: .kubeadm(controlPlane: controlPlane),
            registered: KWOKNode.Registration(
                podCIDR: "10.244.\(octet).0/24", internalIP: "192.168.122.\(10 + octet)", nodeInfo: kubeletInfo,
                heartbeat: heartbeat))
    }

    /// What the kubelet of a lab cluster's node reports: a kubeadm machine of the Kubernetes
    /// version the embedded API serves.
    static let kubeletInfo = [
        "kubeletVersion": "v1.32.4", "osImage": "Ubuntu 22.04.5 LTS", "containerRuntimeVersion": "containerd://1.7.24",
        "kernelVersion": "5.15.0-130-generic", "operatingSystem": "linux", "architecture": "amd64",
        // Required by the API's schema; kubelet fills them from the machine.
        "bootID": "", "machineID": "", "systemUUID": "", "kubeProxyVersion": "",
    ]

    public func capture(namespace: String, vm: String, labels: [String: String], content: String) async throws {
        guard let id = labels[Self.label] ?? hosted.withLock({ $0["\(namespace)/\(vm)"] }),
            let cluster = clusters.cluster(id)
        else { return }
        let snapshot = cluster.snapshot()
        captures.withLock { $0["\(namespace)/\(content)"] = snapshot }
        if let file = file(namespace: namespace, content: content) {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(snapshot.json.serialized()).write(to: file, options: .atomic)
        }
        logger.info(
            "virtual cluster captured",
            metadata: [
                "cluster": "\(id)", "content": "\(content)",
                "objects": "\(snapshot.count)",
            ])
    }

    public func restore(namespace: String, vm: String, labels: [String: String], content: String) async throws {
        guard let id = labels[Self.label] ?? hosted.withLock({ $0["\(namespace)/\(vm)"] }) else { return }
        var snapshot = captures.withLock { $0["\(namespace)/\(content)"] }
        if snapshot == nil, let file = file(namespace: namespace, content: content),
            let data = try? Data(contentsOf: file)
        {
            snapshot = try VirtualCluster.Snapshot(json: JSONValue(parsing: Array(data), maximumDepth: JSONValue.maximumReadDepth))
        }
        guard let snapshot else {
            logger.warning(
                "no capture of the virtual cluster for this snapshot; restoring the VM only",
                metadata: ["cluster": "\(id)", "content": "\(content)"])
            return
        }
        _ = try await ensureCluster(id, labels: labels)
        try await clusters.restore(id, to: snapshot)
        logger.info(
            "virtual cluster restored",
            metadata: [
                "cluster": "\(id)", "content": "\(content)",
                "objects": "\(snapshot.count)",
            ])
    }

    public func discard(namespace: String, vm: String, labels: [String: String]) async {
        let key = "\(namespace)/\(vm)"
        guard let id = labels[Self.label] ?? hosted.withLock({ $0[key] }) else { return }
        hosted.withLock { $0[key] = nil }
        await clusters.remove(id)
    }

    private func file(namespace: String, content: String) -> URL? {
        directory?.appendingPathComponent(namespace).appendingPathComponent(content + ".json")
    }
}

/// In embedded mode a lab cluster's nested cluster answers when its control-plane VM hosts
/// the virtual cluster of that id.
public struct VirtualClusterProbe: NestedClusterProbe {
    let clusters: VirtualClusters

    public init(clusters: VirtualClusters) {
        self.clusters = clusters
    }

    public func answers(clusterID: String) async -> Bool {
        clusters.cluster(clusterID) != nil
    }
}

/// In embedded mode a session's token is a token of its cluster's virtual cluster, and its
/// kubeconfig points at `/clusters/<id>` on the embedded API address.
public struct VirtualClusterAccess: SessionAccess {
    let clusters: VirtualClusters
    /// The embedded API's base URL once it listens, and its CA.
    let server: @Sendable () -> String?
    let certificateAuthorityPEM: String?

    public init(clusters: VirtualClusters, certificateAuthorityPEM: String?, server: @escaping @Sendable () -> String?) {
        self.clusters = clusters
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.server = server
    }

    public func grant(token: String, clusterID: String) async {
        clusters.cluster(clusterID)?.tokens.grant(token)
    }

    public func revoke(token: String, clusterID: String) async {
        clusters.cluster(clusterID)?.tokens.revoke(token)
    }

    public func client(clusterID: String, token: String) throws -> HTTPKubernetesClient? {
        guard let base = server() else { return nil }
        let configuration = KubeConfig(
            server: "\(base)/clusters/\(clusterID)",
            tls: .init(certificateAuthorityPEM: certificateAuthorityPEM), credentials: .init(token: token))
        return try HTTPKubernetesClient(configuration: configuration)
    }

    public func kubeconfig(clusterID: String, token: String, sessionName: String) -> String? {
        guard let base = server() else { return nil }
        return KubeConfig.document(
            server: "\(base)/clusters/\(clusterID)", clusterName: clusterID, userName: sessionName, contextName: sessionName,
            token: token, certificateAuthorityPEM: certificateAuthorityPEM, namespace: "default")
    }
}
