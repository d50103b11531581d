import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import Synchronization
import VirtyardTesting
import Yams

@testable import Provisioning

/// A provisioned cluster's API as the tests want it: Nodes join when told, boot failures are
/// set by hand, and every removal is recorded.
final class FakeClusterAccess: ProvisionedClusterAccess {
    struct State {
        var nodes: [String: ProvisionedNode] = [:]
        var failures: [String: String] = [:]
        var removedNodes: [String] = []
        var removedClusters: [String] = []
        /// Pods bound to each node that a drain does not get rid of (until ``podsLeave(_:)``).
        var pods: [String: [String]] = [:]
        var cordoned: [String] = []
        /// Every drain and removal, in order: `drain <node>`, `remove <node>`.
        var calls: [String] = []
    }

    let state = Mutex(State())

    /// Node `name` is Ready at `version`.
    func join(_ name: String, version: String, controlPlane: Bool = false) {
        state.withLock { $0.nodes[name] = ProvisionedNode(name: name, ready: true, kubeletVersion: version, controlPlane: controlPlane) }
    }

    func failBoot(_ name: String, _ message: String) {
        state.withLock { $0.failures[name] = message }
    }

    /// `pods` stay on `node` through every drain until ``podsLeave(_:)``.
    func place(_ pods: [String], on node: String) {
        state.withLock { $0.pods[node] = pods }
    }

    func podsLeave(_ node: String) {
        state.withLock { $0.pods[node] = nil }
    }

    var cordoned: [String] { state.withLock { $0.cordoned } }
    var calls: [String] { state.withLock { $0.calls } }
    var removedNodes: [String] { state.withLock { $0.removedNodes } }
    var removedClusters: [String] { state.withLock { $0.removedClusters } }

    func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]? {
        state.withLock { Array($0.nodes.values) }
    }

    func bootFailures(namespace: String, cluster: String) async -> [String: String] {
        state.withLock { $0.failures }
    }

    func drainNode(namespace: String, cluster: String, node: String) async throws -> [String] {
        state.withLock {
            $0.calls.append("drain \(node)")
            if $0.nodes[node] != nil, !$0.cordoned.contains(node) { $0.cordoned.append(node) }
            return $0.pods[node] ?? []
        }
    }

    func removeNode(namespace: String, cluster: String, node: String) async throws {
        state.withLock {
            $0.calls.append("remove \(node)")
            $0.removedNodes.append(node)
            $0.nodes[node] = nil
        }
    }

    func removeCluster(namespace: String, cluster: String) async {
        state.withLock { $0.removedClusters.append("\(namespace)/\(cluster)") }
    }

    func kubeconfig(namespace: String, cluster: String) async -> String? { nil }
}

/// An embedded API server with the provisioning and KubeVirt CRDs, informers on VMs and VMIs,
/// and a reconciler the test drives pass by pass (``reconcile(_:)`` waits for the caches
/// first). Nothing simulates KubeVirt: tests set VM status themselves.
struct ClusterControllerHarness {
    static let namespace = "clusters"

    let api: HTTPKubernetesClient
    let informers: SharedInformerFactory
    let vms: Informer
    let vmis: Informer
    let operations: Informer
    let access: FakeClusterAccess?
    let logger: Logger

    static func run(access: FakeClusterAccess? = FakeClusterAccess(), _ body: (ClusterControllerHarness) async throws -> Void) async throws
    {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            let files =
                ProvisioningCRDs.files + [
                    try SchemaPaths.crdFile("kubevirt.io_virtualmachines.yaml"),
                    try SchemaPaths.crdFile("kubevirt.io_virtualmachineinstances.yaml"),
                ]
            for file in files {
                for crd in try manifests(file) { _ = try await api.create(.crds, object: crd) }
            }
            _ = try await api.create(
                .namespaces, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
            var quiet = Logger(label: "test.provisioning")
            quiet.logLevel = .critical
            let informers = SharedInformerFactory(api: api, logger: quiet)
            let vms = informers.informer(for: .virtualMachines)
            let vmis = informers.informer(for: .virtualMachineInstances)
            let operations = informers.informer(for: .clusterOperations)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informers.run() }
                defer { group.cancelAll() }
                try await informers.waitForSync()
                try await body(
                    ClusterControllerHarness(
                        api: api, informers: informers, vms: vms, vmis: vmis, operations: operations, access: access, logger: quiet))
            }
        }
    }

    /// The CRDs of a manifest file (YAML, several documents).
    static func manifests(_ file: URL) throws -> [JSONValue] {
        try Yams.load_all(yaml: String(contentsOf: file, encoding: .utf8)).compactMap { document in
            guard let object = document as? [String: Any], object["kind"] as? String == "CustomResourceDefinition" else { return nil }
            return try JSONValue(parsing: String(decoding: JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
    }

    /// A fresh reconciler: what a controller restarted after `kill -9` would be.
    func reconciler() -> ClusterDefinitionReconciler {
        ClusterDefinitionReconciler(
            api: api, vms: vms, vmis: vmis, access: access, audit: ProvisioningAuditLog(api: api, namespace: Self.namespace),
            logger: logger)
    }

    /// One pass over `name`, once the VM and VMI caches hold what the API holds.
    @discardableResult
    func reconcile(_ name: String, with reconciler: ClusterDefinitionReconciler? = nil) async throws -> ReconcileResult {
        try await settle()
        return try await (reconciler ?? self.reconciler()).reconcile(ObjectKey(namespace: Self.namespace, name: name))
    }

    /// Passes until `done` holds (at most `passes`); returns whether it did.
    func reconcile(_ name: String, passes: Int = 12, until done: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<passes {
            if try await done() { return true }
            try await reconcile(name)
        }
        return try await done()
    }

    func settle() async throws {
        for (resource, informer) in [(ResourceType.virtualMachines, vms), (.virtualMachineInstances, vmis)] {
            let stored = try await api.list(resource, namespace: Self.namespace).items
            let expected = Set(stored.map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" })
            _ = await eventually {
                Set(informer.list(namespace: Self.namespace).map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" }) == expected
            }
        }
    }

    // MARK: - Objects

    @discardableResult
    func createCluster(_ spec: ClusterSpec, annotations: [String: String] = [:]) async throws -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "ClusterDefinition",
            "metadata": ["name": .string(spec.name ?? ""), "namespace": .string(Self.namespace)],
            "spec": try JSONValue(parsing: String(decoding: spec.encodedJSON(), as: UTF8.self)),
        ]
        object.annotations = annotations
        return try await api.create(.clusterDefinitions, object: object)
    }

    func cluster(_ name: String) async throws -> ClusterDefinitionObject {
        ClusterDefinitionObject(try await api.get(.clusterDefinitions, namespace: Self.namespace, name: name))
    }

    func operation(of name: String) async throws -> ClusterOperationObject? {
        guard let id = try await cluster(name).operationID else { return nil }
        return ClusterOperationObject(try await api.get(.clusterOperations, namespace: Self.namespace, name: id))
    }

    func vmNames(_ cluster: String) async throws -> [String] {
        try await api.list(
            .virtualMachines, namespace: Self.namespace, options: ListOptions(labelSelector: "\(ProvisioningLabels.cluster)=\(cluster)")
        ).items.compactMap(\.name).sorted()
    }

    func get(_ resource: ResourceType, _ name: String) async throws -> JSONValue? {
        try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(resource, namespace: Self.namespace, name: name)
        }
    }

    /// KubeVirt's answer for a running VM: `status.ready`.
    func markReady(_ vm: String) async throws {
        _ = try await api.patch(
            .virtualMachines, namespace: Self.namespace, name: vm, patch: ["status": ["ready": true, "printableStatus": "Running"]],
            type: .merge, subresource: "status", options: .default)
    }

    /// Every node VM of `cluster` joins (the fake access) at `version`.
    func joinAll(_ cluster: String, version: String) async throws {
        for name in try await vmNames(cluster) {
            let vm = try await api.get(.virtualMachines, namespace: Self.namespace, name: name)
            guard vm.labels[ProvisioningLabels.nodeGroup] != nil, vm.deletionTimestamp == nil else { continue }
            access?.join(name, version: version)
        }
    }

    func patchSpec(_ name: String, _ patch: JSONValue) async throws {
        _ = try await api.patch(.clusterDefinitions, namespace: Self.namespace, name: name, patch: ["spec": patch])
    }
}

extension ResourceType {
    static let crds = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", kind: "CustomResourceDefinition",
        namespaced: false)
}
