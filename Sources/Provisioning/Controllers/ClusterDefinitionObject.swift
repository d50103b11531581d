import Foundation
import KubeModel

/// A ClusterDefinition (`virtyard.io/v1alpha1`) as the controller reads and writes it: the
/// specification (decoded into ``ClusterSpec``), the operation it works for, and its status.
/// Schema: `Sources/Provisioning/CRDs/virtyard.io_clusterdefinitions.yaml`.
struct ClusterDefinitionObject: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let spec: FieldPath = "spec"
        static let specVersion: FieldPath = "spec.version"
        static let phase: FieldPath = "status.phase"
        static let observedGeneration: FieldPath = "status.observedGeneration"
        static let version: FieldPath = "status.version"
        static let endpoint: FieldPath = "status.endpoint"
        static let operationID: FieldPath = "status.operationId"
        static let nodeGroups: FieldPath = "status.nodeGroups"
        static let conditions: FieldPath = "status.conditions"
    }

    static let fieldPaths: [FieldPath] = [
        Field.spec, Field.specVersion, Field.phase, Field.observedGeneration, Field.version, Field.endpoint,
        Field.operationID, Field.nodeGroups, "status.nodeGroups[].name", "status.nodeGroups[].replicas",
        "status.nodeGroups[].readyReplicas", "status.nodeGroups[].updatedReplicas", Field.conditions,
    ]

    /// The specification, or why it cannot be decoded (a field of the wrong JSON type).
    var spec: Result<ClusterSpec, MalformedClusterSpec> {
        let json = object[field: Field.spec] ?? [:]
        do {
            return .success(try ClusterSpec.decode(from: json.serializedData()))
        } catch {
            return .failure(error)
        }
    }

    /// The ClusterOperation the latest change belongs to (``ProvisioningObjects/operationAnnotation``).
    var operationID: String? { object.annotations[ProvisioningObjects.operationAnnotation] }
    var requestedBy: String? { object.annotations[ProvisioningObjects.requestedByAnnotation] }

    var phase: ClusterPhase? {
        get { object[string: Field.phase].flatMap(ClusterPhase.init(rawValue:)) }
        set { object[string: Field.phase] = newValue?.rawValue }
    }

    /// The version the nodes run (set when a provision or upgrade completes).
    var runningVersion: String? {
        get { object[string: Field.version] }
        set { object[string: Field.version] = newValue }
    }

    var endpoint: String? {
        get { object[string: Field.endpoint] }
        set { object[string: Field.endpoint] = newValue }
    }

    var statusOperationID: String? {
        get { object[string: Field.operationID] }
        set { object[string: Field.operationID] = newValue }
    }

    var observedGeneration: Int64? {
        get { object[int: Field.observedGeneration] }
        set { object[int: Field.observedGeneration] = newValue }
    }

    /// One entry of `status.nodeGroups`.
    struct GroupStatus: Hashable, Sendable {
        var name: String
        var replicas: Int
        var readyReplicas: Int
        var updatedReplicas: Int

        var json: JSONValue {
            [
                "name": .string(name), "replicas": .int(Int64(replicas)), "readyReplicas": .int(Int64(readyReplicas)),
                "updatedReplicas": .int(Int64(updatedReplicas)),
            ]
        }
    }

    var nodeGroups: [GroupStatus] {
        get {
            (object[array: Field.nodeGroups] ?? []).compactMap { entry in
                guard let name = entry["name"]?.stringValue else { return nil }
                return GroupStatus(
                    name: name, replicas: Int(entry["replicas"]?.intValue ?? 0),
                    readyReplicas: Int(entry["readyReplicas"]?.intValue ?? 0),
                    updatedReplicas: Int(entry["updatedReplicas"]?.intValue ?? 0))
            }
        }
        set { object[array: Field.nodeGroups] = newValue.map(\.json) }
    }

    var conditions: [JSONValue] {
        get { object[array: Field.conditions] ?? [] }
        set { object[array: Field.conditions] = newValue }
    }
}

/// A ClusterOperation (`virtyard.io/v1alpha1`): one provision, scale, upgrade or decommission,
/// named after its `op-<8 hex>` id, with moxxie's response fields in its status. Schema:
/// `Sources/Provisioning/CRDs/virtyard.io_clusteroperations.yaml`.
struct ClusterOperationObject: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let operationID: FieldPath = "spec.operationId"
        static let clusterName: FieldPath = "spec.clusterName"
        static let type: FieldPath = "spec.type"
        static let requestedBy: FieldPath = "spec.requestedBy"
        static let cancelRequested: FieldPath = "spec.cancelRequested"
        static let status: FieldPath = "status"
        static let state: FieldPath = "status.status"
        static let progress: FieldPath = "status.progressPercentage"
        static let currentOperation: FieldPath = "status.currentOperation"
        static let totalNodes: FieldPath = "status.totalNodes"
        static let successfulNodes: FieldPath = "status.successfulNodes"
        static let failedNodes: FieldPath = "status.failedNodes"
        static let startTime: FieldPath = "status.startTime"
        static let endTime: FieldPath = "status.endTime"
        static let errorMessage: FieldPath = "status.errorMessage"
        static let nodeStates: FieldPath = "status.nodeStates"
        static let statusOperationID: FieldPath = "status.operationId"
        static let statusClusterName: FieldPath = "status.clusterName"
        static let conditions: FieldPath = "status.conditions"
    }

    static let fieldPaths: [FieldPath] = [
        Field.operationID, Field.clusterName, Field.type, Field.requestedBy, Field.cancelRequested, Field.status,
        Field.state, Field.progress, Field.currentOperation, Field.totalNodes, Field.successfulNodes, Field.failedNodes,
        Field.startTime, Field.endTime, Field.errorMessage, Field.nodeStates, Field.statusOperationID,
        Field.statusClusterName, "status.nodeStates[].name", "status.nodeStates[].nodeGroup", "status.nodeStates[].status",
        "status.nodeStates[].errorMessage", Field.conditions,
    ]

    /// On the operation: the ClusterDefinition `metadata.generation` it works towards. A
    /// spec change without a new operation (`kubectl apply`) raises the generation past it.
    static let generationAnnotation = "virtyard.io/cluster-generation"

    /// A new operation for `cluster` (the controller's own, for a change made without REST).
    static func make(
        id: String, cluster: String, namespace: String, type: ClusterOperationType, requestedBy: String, generation: Int64?
    ) -> ClusterOperationObject {
        var annotations: JSONValue = [:]
        if let generation { annotations[generationAnnotation] = .string(String(generation)) }
        return ClusterOperationObject([
            "apiVersion": .string(ResourceTypeNames.apiVersion), "kind": "ClusterOperation",
            "metadata": [
                "name": .string(id), "namespace": .string(namespace),
                "labels": .object([ProvisioningObjects.clusterLabel: .string(cluster)]),
                "annotations": annotations,
            ],
            "spec": [
                "operationId": .string(id), "clusterName": .string(cluster), "type": .string(type.rawValue),
                "requestedBy": .string(requestedBy),
            ],
        ])
    }

    var clusterName: String? { object[string: Field.clusterName] }
    var type: ClusterOperationType? { object[string: Field.type].flatMap(ClusterOperationType.init(rawValue:)) }
    var requestedBy: String? { object[string: Field.requestedBy] }
    var cancelRequested: Bool { object[bool: Field.cancelRequested] ?? false }

    var generation: Int64? {
        get { object.annotations[Self.generationAnnotation].flatMap { Int64($0) } }
        set { object.annotations[Self.generationAnnotation] = newValue.map { String($0) } }
    }

    /// On the operation: each group's node count when the controller took it up (JSON), what
    /// a SCALE rollback puts back so the next operation does not make the nodes again.
    static let previousCountsAnnotation = "virtyard.io/previous-node-counts"

    var previousNodeCounts: [String: Int]? {
        get {
            guard let text = object.annotations[Self.previousCountsAnnotation],
                let counts = try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
            else { return nil }
            return counts
        }
        set {
            let text = newValue.flatMap { try? JSONEncoder.sortedKeys.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
            object.annotations[Self.previousCountsAnnotation] = text
        }
    }

    var state: ClusterPhase? {
        get { object[string: Field.state].flatMap(ClusterPhase.init(rawValue:)) }
        set { object[string: Field.state] = newValue?.rawValue }
    }

    var isFinished: Bool { state?.isFinished ?? false }

    /// `status.conditions` (`DrainTimedOut` when a node was removed before its pods left).
    var conditions: [JSONValue] {
        get { object[array: Field.conditions] ?? [] }
        set { object[array: Field.conditions] = newValue }
    }

    var progress: Int {
        get { Int(object[int: Field.progress] ?? 0) }
        set { object[int: Field.progress] = Int64(min(100, max(0, newValue))) }
    }

    var currentOperation: String? {
        get { object[string: Field.currentOperation] }
        set { object[string: Field.currentOperation] = newValue }
    }

    var errorMessage: String? {
        get { object[string: Field.errorMessage] }
        set { object[string: Field.errorMessage] = newValue }
    }

    var startTime: String? {
        get { object[string: Field.startTime] }
        set { object[string: Field.startTime] = newValue }
    }

    var endTime: String? {
        get { object[string: Field.endTime] }
        set { object[string: Field.endTime] = newValue }
    }

    /// One entry of `status.nodeStates` (moxxie's `NodeProvisioningState`).
    struct NodeState: Hashable, Sendable {
        var name: String
        var nodeGroup: String
        var status: NodeProvisioningStatus
        var errorMessage: String?

        init(name: String, nodeGroup: String, status: NodeProvisioningStatus, errorMessage: String? = nil) {
            self.name = name
            self.nodeGroup = nodeGroup
            self.status = status
            self.errorMessage = errorMessage
        }

        var json: JSONValue {
            var entry: JSONValue = ["name": .string(name), "nodeGroup": .string(nodeGroup), "status": .string(status.rawValue)]
            if let errorMessage { entry["errorMessage"] = .string(errorMessage) }
            return entry
        }
    }

    var nodeStates: [NodeState] {
        get {
            (object[array: Field.nodeStates] ?? []).compactMap { entry in
                guard let name = entry["name"]?.stringValue else { return nil }
                return NodeState(
                    name: name, nodeGroup: entry["nodeGroup"]?.stringValue ?? "",
                    status: entry["status"]?.stringValue.flatMap(NodeProvisioningStatus.init(rawValue:)) ?? .pending,
                    errorMessage: entry["errorMessage"]?.stringValue)
            }
        }
        set {
            object[array: Field.nodeStates] = newValue.map(\.json)
            object[int: Field.totalNodes] = Int64(newValue.count)
            object[int: Field.successfulNodes] = Int64(newValue.filter { $0.status == .ready }.count)
            object[int: Field.failedNodes] = Int64(newValue.filter { $0.status == .failed }.count)
        }
    }

    /// Fills the identity fields moxxie's response repeats in the status.
    mutating func stampIdentity() {
        object[string: Field.statusOperationID] = name
        object[string: Field.statusClusterName] = clusterName
    }
}

extension JSONEncoder {
    /// Stable output: the same counts are the same annotation.
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

/// The apiVersion of the provisioning kinds.
enum ResourceTypeNames {
    static let apiVersion = "\(ProvisioningObjects.group)/\(ProvisioningObjects.version)"
}
