/// A KubeVirt VirtualMachineInstance (`kubevirt.io/v1`): one running guest, and the status
/// virt-controller and virt-handler keep from its launcher pod. Schema:
/// `Sources/Simulation/CRDs/kubevirt.io_virtualmachineinstances.yaml`.
///
/// KubeVirt gives VMIs no status subresource: status is written with the object.
public struct VirtualMachineInstance: PhaseTransitionRecording {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    /// KubeVirt's VMI phases.
    public enum Phase: String, Sendable, CaseIterable {
        case pending = "Pending"
        case scheduling = "Scheduling"
        case scheduled = "Scheduled"
        case running = "Running"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case unknown = "Unknown"

        public var isFinished: Bool { self == .succeeded || self == .failed }
    }

    public enum Field {
        public static let spec: FieldPath = "spec"
        public static let domainCPU: FieldPath = "spec.domain.cpu"
        public static let machineType: FieldPath = "spec.domain.machine.type"
        public static let nodeName: FieldPath = "status.nodeName"
        public static let reason: FieldPath = "status.reason"
        public static let activePods: FieldPath = "status.activePods"
        public static let conditions: FieldPath = "status.conditions"
        public static let interfaces: FieldPath = "status.interfaces"
        public static let migrationState: FieldPath = "status.migrationState"
        public static let qosClass: FieldPath = "status.qosClass"
        public static let launcherContainerImageVersion: FieldPath = "status.launcherContainerImageVersion"
        public static let migrationMethod: FieldPath = "status.migrationMethod"
        public static let migrationTransport: FieldPath = "status.migrationTransport"
        public static let guestOSInfo: FieldPath = "status.guestOSInfo"
        public static let currentCPUTopology: FieldPath = "status.currentCPUTopology"
        public static let memory: FieldPath = "status.memory"
        public static let machine: FieldPath = "status.machine"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.spec, Field.domainCPU, Field.machineType, Field.nodeName, Field.reason, Field.activePods, Field.conditions,
            Field.interfaces, Field.migrationState, Field.qosClass, Field.launcherContainerImageVersion, Field.migrationMethod,
            Field.migrationTransport, Field.guestOSInfo, Field.currentCPUTopology, Field.memory, Field.machine,
            "spec.domain.cpu.sockets", "spec.domain.cpu.cores", "spec.domain.cpu.threads",
            "status.currentCPUTopology.sockets", "status.currentCPUTopology.cores", "status.currentCPUTopology.threads",
            "status.memory.guestAtBoot", "status.memory.guestCurrent", "status.memory.guestRequested",
            "status.guestOSInfo.id", "status.guestOSInfo.name", "status.guestOSInfo.prettyName",
        ]
        + ["name", "interfaceName", "infoSource", "mac", "queueCount", "linkState", "ipAddress", "ipAddresses"]
        .map { Field.interfaces.appending("[]").appending(FieldPath([$0])) }
        + Condition.fields.filter { $0 != "observedGeneration" }.map { Field.conditions.appending("[]").appending(FieldPath([$0])) }
        + MigrationState.fields.map { Field.migrationState.appending(FieldPath([$0])) }
        + PhaseTransitionFields.fieldPaths
        + Spec.fieldPaths.map(Field.spec.appending)

    /// `spec`, as the launcher pod is built from it.
    public var spec: JSONValue { object[field: Field.spec] ?? [:] }

    public var nodeName: String? {
        get { object[field: Field.nodeName]?.stringValue }
        set { object[field: Field.nodeName] = newValue.map(JSONValue.string) }
    }

    /// Why the VMI is in its phase (`PodTerminating`).
    public var reason: String? {
        get { object[field: Field.reason]?.stringValue }
        set { object[field: Field.reason] = newValue.map(JSONValue.string) }
    }

    /// `status.activePods`: launcher pod UID → node.
    public var activePods: [String: String] {
        get { JSONValue.stringMap(object[field: Field.activePods]) }
        set { object[field: Field.activePods] = .object(newValue.mapValues(JSONValue.string)) }
    }

    public var conditions: [JSONValue] {
        get { object[field: Field.conditions]?.arrayValue ?? [] }
        set { object[field: Field.conditions] = .array(newValue) }
    }

    /// `status.interfaces`, as stored.
    public var interfaces: [JSONValue] {
        get { object[field: Field.interfaces]?.arrayValue ?? [] }
        set { object[field: Field.interfaces] = .array(newValue) }
    }

    public var migrationState: MigrationState? {
        get { object[field: Field.migrationState].map(MigrationState.init) }
        set { object[field: Field.migrationState] = newValue?.json }
    }
}

extension VirtualMachineInstance {
    /// `status.migrationState`: the VMI's current (or last) migration. Kept as its JSON, so
    /// fields not named here pass through.
    public struct MigrationState: Sendable, Hashable {
        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// The keys this type reads or writes.
        public static let fields = [
            "migrationUid", "sourceNode", "sourcePod", "targetPod", "targetNode", "targetNodeAddress", "mode",
            "startTimestamp", "endTimestamp", "completed", "failed", "abortStatus", "failureReason",
            "targetNodeDomainDetected", "targetNodeDomainReadyTimestamp",
        ]

        public var migrationUID: String? {
            get { json["migrationUid"]?.stringValue }
            set { json["migrationUid"] = newValue.map(JSONValue.string) }
        }

        public var sourceNode: String? { json["sourceNode"]?.stringValue }
        public var sourcePod: String? { json["sourcePod"]?.stringValue }
        public var targetPod: String? { json["targetPod"]?.stringValue }
        /// Where the guest runs once the migration has completed.
        public var targetNode: String? { json["targetNode"]?.stringValue }

        public var completed: Bool {
            get { json["completed"]?.boolValue == true }
            set { json["completed"] = .bool(newValue) }
        }

        public var failed: Bool {
            get { json["failed"]?.boolValue == true }
            set { json["failed"] = .bool(newValue) }
        }

        /// Neither completed nor failed.
        public var isInProgress: Bool { !completed && !failed }

        /// Sets a key of the state (`targetNode`, `endTimestamp`, …); nil removes it.
        public subscript(key: String) -> JSONValue? {
            get { json[key] }
            set { json[key] = newValue }
        }
    }
}

extension VirtualMachineInstance {
    /// A VMI's `spec` (or a VirtualMachine's `spec.template.spec`): what sizes and places the
    /// launcher pod. Paths are relative to the spec; the spec's other fields pass through.
    public struct Spec: Sendable, Hashable {
        public enum Field {
            public static let cpu: FieldPath = "domain.cpu"
            public static let dedicatedCPUPlacement: FieldPath = "domain.cpu.dedicatedCpuPlacement"
            public static let cpuRequest: FieldPath = "domain.resources.requests.cpu"
            public static let cpuLimit: FieldPath = "domain.resources.limits.cpu"
            public static let memoryRequest: FieldPath = "domain.resources.requests.memory"
            public static let memoryLimit: FieldPath = "domain.resources.limits.memory"
            public static let guestMemory: FieldPath = "domain.memory.guest"
            public static let autoattachGraphicsDevice: FieldPath = "domain.devices.autoattachGraphicsDevice"
            public static let affinity: FieldPath = "affinity"
        }

        /// Every path above, for the schema test (prefixed with `spec.` there).
        public static let fieldPaths: [FieldPath] = [
            Field.cpu, "domain.cpu.sockets", "domain.cpu.cores", "domain.cpu.threads", Field.dedicatedCPUPlacement,
            Field.cpuRequest, Field.cpuLimit, Field.memoryRequest, Field.memoryLimit, Field.guestMemory,
            Field.autoattachGraphicsDevice, Field.affinity, "nodeSelector", "tolerations", "terminationGracePeriodSeconds",
            "hostname", "schedulerName", "priorityClassName", "subdomain", "topologySpreadConstraints",
        ]

        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// `domain.cpu`, as stored.
        public var cpu: JSONValue? { json[field: Field.cpu] }
        public var dedicatedCPUPlacement: Bool { json[field: Field.dedicatedCPUPlacement]?.boolValue == true }
        public var cpuRequest: Quantity? { Quantity(json: json[field: Field.cpuRequest]) }
        public var cpuLimit: Quantity? { Quantity(json: json[field: Field.cpuLimit]) }
        public var memoryRequest: Quantity? { Quantity(json: json[field: Field.memoryRequest]) }
        public var memoryLimit: Quantity? { Quantity(json: json[field: Field.memoryLimit]) }
        public var guestMemory: Quantity? { Quantity(json: json[field: Field.guestMemory]) }
        /// `domain.devices.autoattachGraphicsDevice`; nil when unset (KubeVirt's default is on).
        public var autoattachGraphicsDevice: Bool? { json[field: Field.autoattachGraphicsDevice]?.boolValue }
        /// The pod affinity the launcher gets, as stored.
        public var affinity: JSONValue? { json[field: Field.affinity] }
    }
}
