import KubeModel

/// An apps/v1 StatefulSet, the fields its controller reads and writes. Schema:
/// `io.k8s.api.apps.v1.StatefulSet`.
struct StatefulSet: PodTemplateOwner {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    /// The label on each pod naming it (a Service can select one pod of the set by it).
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    /// The label on each pod with its ordinal (`PodIndexLabel`, on by default since 1.28).
    static let podIndexLabel = "apps.kubernetes.io/pod-index"

    enum Field {
        static let replicas: FieldPath = "spec.replicas"
        static let serviceName: FieldPath = "spec.serviceName"
        static let podManagementPolicy: FieldPath = "spec.podManagementPolicy"
        static let updateStrategyType: FieldPath = "spec.updateStrategy.type"
        static let partition: FieldPath = "spec.updateStrategy.rollingUpdate.partition"
        static let volumeClaimTemplates: FieldPath = "spec.volumeClaimTemplates"
        static let revisionHistoryLimit: FieldPath = "spec.revisionHistoryLimit"
        static let startOrdinal: FieldPath = "spec.ordinals.start"
        static let whenDeleted: FieldPath = "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"
        static let currentRevision: FieldPath = "status.currentRevision"
        static let collisionCount: FieldPath = "status.collisionCount"
    }

    static let fieldPaths: [FieldPath] = [
        Field.replicas, PodTemplateOwnerField.selector, PodTemplateOwnerField.template,
        PodTemplateOwnerField.minReadySeconds, Field.serviceName, Field.podManagementPolicy,
        Field.updateStrategyType, Field.partition, Field.volumeClaimTemplates, Field.revisionHistoryLimit,
        Field.startOrdinal, Field.whenDeleted, "status", Field.currentRevision, "status.updateRevision",
        Field.collisionCount, PodTemplateOwnerField.observedGeneration, "status.replicas", "status.readyReplicas",
        "status.currentReplicas", "status.updatedReplicas", "status.availableReplicas",
    ]

    /// `spec.replicas`, 1 when unset.
    var replicas: Int { max(0, int(Field.replicas, default: 1)) }
    var serviceName: String? { object[field: Field.serviceName]?.stringValue }
    /// `Parallel` launches and removes pods without waiting; `OrderedReady` (the default)
    /// one at a time, each after the previous is Running and Ready.
    var isParallel: Bool { object[field: Field.podManagementPolicy]?.stringValue == "Parallel" }
    /// `OnDelete` replaces pods only when someone deletes them; `RollingUpdate` is the default.
    var isOnDelete: Bool { object[field: Field.updateStrategyType]?.stringValue == "OnDelete" }
    var partition: Int { max(0, int(Field.partition, default: 0)) }
    var volumeClaimTemplates: [JSONValue] { object[field: Field.volumeClaimTemplates]?.arrayValue ?? [] }
    var revisionHistoryLimit: Int { int(Field.revisionHistoryLimit, default: 10) }
    /// The first ordinal (`spec.ordinals.start`, 0 when unset).
    var startOrdinal: Int { max(0, int(Field.startOrdinal, default: 0)) }
    /// `persistentVolumeClaimRetentionPolicy.whenDeleted: Delete`: the claims go with the set.
    var deletesClaimsWithSet: Bool { object[field: Field.whenDeleted]?.stringValue == "Delete" }
    var currentRevision: String? { object[field: Field.currentRevision]?.stringValue }
    var collisionCount: Int64? { object[field: Field.collisionCount]?.intValue }

    /// The ordinal of a pod named `<set>-<ordinal>`; nil for any other name.
    func ordinal(ofPodNamed podName: String) -> Int? {
        let prefix = "\(name)-"
        guard podName.hasPrefix(prefix), let ordinal = Int(podName.dropFirst(prefix.count)), ordinal >= 0,
            String(ordinal) == podName.dropFirst(prefix.count)
        else { return nil }
        return ordinal
    }
}
