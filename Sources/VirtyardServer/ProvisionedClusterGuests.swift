import Foundation
import KubeClient
import KubeModel
import KubeServer
import Logging
import Provisioning
import Simulation
import Synchronization

/// The embedded mode's guests of provisioned clusters (VMs labelled
/// `virtyard.io/managed-by=provisioning`): when such a VM runs, its guest reads its user data
/// Secret `<vm>-userdata` as the real guest would (``GuestBootReader``) and checks the join
/// against the cluster (``GuestClusterIdentity/admit(_:)``). Only then does it register:
///
/// - the node that initialises (first control plane, OKD's bootstrap machine) starts the
///   cluster — a virtual cluster `pc-<hash>-<name>` (``ProvisionedClusterID``) whose
///   `/version` reports the version asked for — and keeps the cluster's identity (tokens,
///   CA, certificate names) inside it, in Secret `kube-system/virtyard-provisioned-cluster`;
/// - every node appears there as a Node named after its VM (``ProvisionedClusterNodes``),
///   Ready while the VM runs, `Unknown` when it stops;
/// - a node whose cluster is not up yet waits, and joins as soon as it is;
/// - a configuration the guest refuses leaves no Node, an Event `BootConfigurationRejected`
///   on the VM with the reason, and a boot failure the provisioner reads
///   (``EmbeddedProvisionedClusterAccess``).
///
/// A guest reads its configuration once per boot: a running node is not re-read on every
/// reconcile; a stopped one reads it again when it starts, and registers its Node again if
/// it was deleted meanwhile (as a kubelet does at start).
public final class ProvisionedClusterGuests: GuestHost {
    /// The Secret inside each cluster holding its identity and the admin token.
    static let identitySecret = "virtyard-provisioned-cluster"
    static let identityNamespace = "kube-system"

    let clusters: VirtualClusters
    let logger: Logger
    private let host = Mutex<(any KubernetesAPI)?>(nil)
    private let state = Mutex(State())

    struct State {
        /// Guests up, by `namespace/vm`.
        var booted: [String: Booted] = [:]
        /// Guests waiting for their cluster to start, by `namespace/vm`.
        var waiting: [String: Waiting] = [:]
        /// Guests that refused this boot's configuration (not read again until they restart).
        var refused: Set<String> = []
        /// Why nodes did not boot, by `namespace/cluster`, then VM.
        var failures: [String: [String: String]] = [:]
    }

    struct Booted {
        var clusterID: String
        var cluster: String
        /// The Node's name when the guest registers one.
        var node: String?
        /// False once the VM stopped: its next start boots again (reads its configuration,
        /// registers its Node anew if the Node was deleted meanwhile, as a kubelet does).
        var up = true
    }

    struct Waiting {
        var namespace: String
        var vm: String
        var cluster: String
        var clusterID: String
    }

    /// What a boot led to.
    enum Outcome {
        case registered
        case notAMember
        case waiting
        case refused(String)
    }

    public init(clusters: VirtualClusters, logger: Logger) {
        self.clusters = clusters
        self.logger = logger
    }

    /// The host cluster's API, where the user data Secrets are read and Events recorded; each
    /// leadership term's client replaces the last.
    public func attach(api: any KubernetesAPI) {
        host.withLock { $0 = api }
    }

    static func isProvisioned(_ labels: [String: String]) -> Bool {
        labels[ProvisioningLabels.managedBy] == ProvisioningLabels.managedByValue && labels[ProvisioningLabels.cluster] != nil
    }

    // MARK: - GuestHost

    public func running(namespace: String, vm: String, labels: [String: String]) async throws {
        let key = "\(namespace)/\(vm)"
        if let booted = state.withLock({ $0.booted[key] }), booted.up {
            if let node = booted.node, let cluster = clusters.cluster(booted.clusterID) {
                try await ProvisionedClusterNodes.markReady(node, in: cluster)
            }
            return
        }
        guard Self.isProvisioned(labels), let cluster = labels[ProvisioningLabels.cluster] else { return }
        guard !state.withLock({ $0.refused.contains(key) }) else { return }
        _ = try await boot(namespace: namespace, vm: vm, cluster: cluster)
    }

    public func stopped(namespace: String, vm: String, labels: [String: String]) async {
        let key = "\(namespace)/\(vm)"
        let booted = state.withLock { state in
            state.refused.remove(key)
            state.waiting[key] = nil
            state.booted[key]?.up = false
            return state.booted[key]
        }
        guard let booted, let node = booted.node, let cluster = clusters.cluster(booted.clusterID) else { return }
        do {
            try await ProvisionedClusterNodes.markUnreachable(node, in: cluster)
        } catch {
            logger.warning("cannot mark the node unreachable", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    public func capture(namespace: String, vm: String, labels: [String: String], content: String) async throws {}

    public func restore(namespace: String, vm: String, labels: [String: String], content: String) async throws {}

    public func discard(namespace: String, vm: String, labels: [String: String]) async {
        let key = "\(namespace)/\(vm)"
        let booted = state.withLock { state -> Booted? in
            state.refused.remove(key)
            state.waiting[key] = nil
            let booted = state.booted.removeValue(forKey: key)
            if let cluster = booted?.cluster ?? labels[ProvisioningLabels.cluster] {
                state.failures["\(namespace)/\(cluster)"]?[vm] = nil
            }
            return booted
        }
        guard let booted, let node = booted.node, let cluster = clusters.cluster(booted.clusterID) else { return }
        do {
            try await ProvisionedClusterNodes.delete(node, in: cluster)
            try await refreshServedVersion(of: cluster)
        } catch {
            logger.warning("cannot remove the node of a deleted VM", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    // MARK: - Boot

    /// Reads `<vm>-userdata`, checks it and registers the node. Throws when the host's API
    /// cannot be read (the VMI's reconcile retries); a configuration the guest refuses is
    /// an outcome, not an error.
    func boot(namespace: String, vm: String, cluster name: String, retryIfDefined: Bool = true) async throws -> Outcome {
        let key = "\(namespace)/\(vm)"
        let api = try connected()
        let secret = try await api.get(.secrets, namespace: namespace, name: "\(vm)-userdata")
        let machine = try? await api.get(.virtualMachines, namespace: namespace, name: vm)
        let text = secret[path: ["data", "userdata"]]?.stringValue.flatMap { Data(base64Encoded: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
        let id = ProvisionedClusterID.make(namespace: namespace, cluster: name)
        let outcome: Outcome
        do {
            guard let text else {
                throw GuestBootError.unreadable(format: "user data", reason: "Secret \(vm)-userdata has no key userdata")
            }
            guard let boot = try GuestBootReader.read(text) else {
                state.withLock { $0.booted[key] = Booted(clusterID: id, cluster: name, node: nil) }
                return .notAMember
            }
            outcome = try await join(boot, namespace: namespace, vm: vm, cluster: name, id: id, machine: machine)
        } catch let refusal as GuestBootError {
            outcome = .refused(refusal.description)
        }
        switch outcome {
        case .refused(let message):
            logger.warning("guest refused its boot configuration", metadata: ["vm": "\(key)", "reason": "\(message)"])
            // The Event first: whoever sees the failure finds the Event already there.
            await recordRejection(api: api, machine: machine, namespace: namespace, vm: vm, message: message)
            state.withLock { state in
                state.refused.insert(key)
                state.failures["\(namespace)/\(name)", default: [:]][vm] = message
            }
        case .waiting:
            state.withLock { $0.waiting[key] = Waiting(namespace: namespace, vm: vm, cluster: name, clusterID: id) }
            // The cluster may have been defined meanwhile, after its initialiser looked for
            // waiting guests: look once more, now that this one is on the list.
            if retryIfDefined, let cluster = clusters.cluster(id), Self.identity(in: cluster) != nil {
                return try await boot(namespace: namespace, vm: vm, cluster: name, retryIfDefined: false)
            }
        case .registered, .notAMember:
            break
        }
        return outcome
    }

    private func join(
        _ boot: GuestBootConfiguration, namespace: String, vm: String, cluster name: String, id: String, machine: JSONValue?
    ) async throws -> Outcome {
        let key = "\(namespace)/\(vm)"
        var started = false
        let cluster: VirtualCluster
        if let existing = try await load(id) {
            cluster = existing
        } else if boot.initialises {
            cluster = try await clusters.ensure(id: id)
            started = true
        } else {
            logger.debug("guest waits for its cluster to start", metadata: ["vm": "\(key)", "cluster": "\(id)"])
            return .waiting
        }
        // The first node to get here defines the cluster; a concurrent one reads its definition.
        var identity = Self.identity(in: cluster)
        if identity == nil {
            guard boot.initialises else { return .waiting }
            let defined = GuestClusterIdentity(initialiser: boot, impliedSANs: Self.apiServiceNames(cluster: name, namespace: namespace))
            try await Self.storeIdentity(defined, in: cluster)
            identity = Self.identity(in: cluster)
            try await prepare(cluster)
            logger.info(
                "provisioned cluster started", metadata: ["cluster": "\(id)", "version": "\(defined.version)", "by": "\(key)"])
        }
        guard let identity else { return .waiting }
        try identity.admit(boot)
        var node: String?
        if boot.registers {
            let view = VirtualMachine(machine ?? [:])
            let domain = view.templateSpec?["domain"]
            let cores = domain?[path: ["cpu", "cores"]]?.intValue ?? 2
            let memory =
                (domain?[path: ["memory", "guest"]]?.stringValue).flatMap { try? Quantity(parsing: $0) } ?? Quantity(4 << 30)
            let index = cluster.store.count(ProvisionedClusterNodes.nodes)
            try await ProvisionedClusterNodes.register(
                ProvisionedClusterNodes.node(named: vm, boot: boot, cpu: Quantity(cores), memory: memory, index: index), in: cluster)
            node = vm
            try await refreshServedVersion(of: cluster)
        }
        state.withLock { state in
            state.booted[key] = Booted(clusterID: id, cluster: name, node: node)
            state.waiting[key] = nil
            state.failures["\(namespace)/\(name)"]?[vm] = nil
        }
        logger.info("guest joined its cluster", metadata: ["vm": "\(key)", "cluster": "\(id)", "version": "\(boot.version)"])
        if started || boot.initialises { await admitWaiting(clusterID: id) }
        return .registered
    }

    /// The nodes that waited for cluster `id` join now that it is up.
    private func admitWaiting(clusterID id: String) async {
        let waiting = state.withLock { $0.waiting.values.filter { $0.clusterID == id } }
        for guest in waiting {
            do {
                _ = try await boot(namespace: guest.namespace, vm: guest.vm, cluster: guest.cluster)
            } catch {
                logger.debug("a waiting guest could not join yet", metadata: ["vm": "\(guest.vm)", "error": "\(error)"])
            }
        }
    }

    private func connected() throws -> any KubernetesAPI {
        guard let api = host.withLock({ $0 }) else { throw GuestHostUnavailable() }
        return api
    }

    // MARK: - Clusters

    /// Cluster `id` if it is served or stored from an earlier run (then loaded), ready to
    /// answer: its admin token granted and its version set.
    func load(_ id: String) async throws -> VirtualCluster? {
        if let served = clusters.cluster(id) { return served }
        guard clusters.exists(id) else { return nil }
        let cluster = try await clusters.ensure(id: id)
        try await prepare(cluster)
        return cluster
    }

    /// Grants the cluster's admin token and sets the version it reports.
    private func prepare(_ cluster: VirtualCluster) async throws {
        if let token = Self.adminToken(in: cluster) { cluster.tokens.grant(token) }
        try await refreshServedVersion(of: cluster)
    }

    /// `/version` reports the newest version a control plane of the cluster runs (the
    /// upgraded API server answers first), or the initial one before any control plane
    /// registered.
    private func refreshServedVersion(of cluster: VirtualCluster) async throws {
        guard let identity = Self.identity(in: cluster) else { return }
        let parse = { (text: String) in try? ClusterVersion.parse(text, for: identity.distribution).get() }
        let versions = cluster.store.list(ProvisionedClusterNodes.nodes).items.map { ProvisionedClusterNodes.provisioned($0.object) }
            .filter(\.controlPlane).compactMap { parse($0.kubeletVersion) }
        cluster.servedVersion.gitVersion = versions.max()?.text ?? identity.version
    }

    /// The names a cluster's API answers to on the simulated network: its API Service
    /// (`<name>-api`), which the provisioner puts in front of the control plane.
    static func apiServiceNames(cluster: String, namespace: String) -> [String] {
        let service = "\(cluster)-api"
        return [service, "\(service).\(namespace)", "\(service).\(namespace).svc", "\(service).\(namespace).svc.cluster.local"]
    }

    static func identityKey() -> StorageKey {
        StorageKey(GroupResource(group: "", resource: "secrets"), namespace: identityNamespace, name: identitySecret)
    }

    static func secretValue(_ key: String, in cluster: VirtualCluster) -> String? {
        cluster.store.get(identityKey())?.object[path: ["data", key]]?.stringValue.flatMap { Data(base64Encoded: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
    }

    static func identity(in cluster: VirtualCluster) -> GuestClusterIdentity? {
        secretValue("identity", in: cluster).flatMap { try? JSONValue(parsing: $0) }.flatMap(GuestClusterIdentity.init(json:))
    }

    static func adminToken(in cluster: VirtualCluster) -> String? { secretValue("admin-token", in: cluster) }

    /// Keeps the identity and a new admin token in the cluster, unless a concurrent guest
    /// did first.
    private static func storeIdentity(_ identity: GuestClusterIdentity, in cluster: VirtualCluster) async throws {
        let data: [String: JSONValue] = [
            "identity": .string(Data(identity.json.serializedString().utf8).base64EncodedString()),
            "admin-token": .string(Data(TokenAuthenticator.generateToken().utf8).base64EncodedString()),
        ]
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": ["name": .string(identitySecret), "namespace": .string(identityNamespace)],
            "data": .object(data),
        ]
        try await cluster.createIfMissing(secret, group: "", version: "v1", resource: "secrets")
    }

    // MARK: - What the provisioner reads

    func failures(namespace: String, cluster: String) -> [String: String] {
        state.withLock { $0.failures["\(namespace)/\(cluster)"] ?? [:] }
    }

    /// Forgets everything about the cluster's guests (it is being removed).
    func forget(namespace: String, cluster: String) {
        state.withLock { state in
            state.failures["\(namespace)/\(cluster)"] = nil
            state.booted = state.booted.filter { !($0.key.hasPrefix("\(namespace)/") && $0.value.cluster == cluster) }
            state.waiting = state.waiting.filter { !($0.value.namespace == namespace && $0.value.cluster == cluster) }
        }
    }

    // MARK: - Events

    /// A Warning Event on the VM, as a real guest's failure shows up to its owner.
    private func recordRejection(api: any KubernetesAPI, machine: JSONValue?, namespace: String, vm: String, message: String) async {
        let now = Timestamp.now()
        var involved: JSONValue = [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": .string(vm), "namespace": .string(namespace),
        ]
        if let uid = machine?.uid { involved["uid"] = .string(uid) }
        let nanos = UInt64(Date().timeIntervalSince1970 * 1e9)
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(vm).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": involved, "type": "Warning", "reason": .string(ProvisioningObjects.bootRejectedReason),
            "message": .string(message), "source": ["component": "virtyard-guest", "host": .string(vm)],
            "reportingComponent": "virtyard-guest", "reportingInstance": .string(vm),
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
        ]
        do {
            _ = try await api.create(.events, namespace: namespace, object: event)
        } catch {
            logger.warning("cannot record the rejection event", metadata: ["vm": "\(namespace)/\(vm)", "error": "\(error)"])
        }
    }
}

/// The guests were called before the host's API client was attached.
struct GuestHostUnavailable: Error, CustomStringConvertible {
    var description: String { "the provisioned clusters' guests are not connected to the cluster's API yet" }
}
