/// A KubeVirt VirtualMachine (`kubevirt.io/v1`): its storage (which DataVolumes it clones and
/// which claims it mounts, for ImageSync) and what the simulated virt-controller reads and
/// writes (run strategy, template, status; in `VirtualMachine+Lifecycle.swift`). Schema:
/// `Sources/Simulation/CRDs/kubevirt.io_virtualmachines.yaml`.
public struct VirtualMachine: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let dataVolumeTemplates: FieldPath = "spec.dataVolumeTemplates"
        /// Inside each template.
        public static let templateSource: FieldPath = "spec.source"
        public static let volumes: FieldPath = "spec.template.spec.volumes"
        /// Inside each volume.
        public static let dataVolumeName: FieldPath = "dataVolume.name"
        public static let claimName: FieldPath = "persistentVolumeClaim.claimName"
    }

    public static let fieldPaths: [FieldPath] = storageFieldPaths + lifecycleFieldPaths

    static let storageFieldPaths: [FieldPath] =
        [Field.dataVolumeTemplates, Field.volumes]
        // Only the references: the templates' sources are read for what they clone, never written
        // (KubeVirt's embedded DataVolume schema also lacks CDI's newer `http.checksum`).
        + DataVolume.Source.referencePaths.map { Field.dataVolumeTemplates.appending("[]").appending(Field.templateSource).appending($0) }
        + [Field.dataVolumeName, Field.claimName].map { Field.volumes.appending("[]").appending($0) }

    /// The sources of its `dataVolumeTemplates` (templates without one are left out).
    public var dataVolumeTemplateSources: [DataVolume.Source] {
        (object[field: Field.dataVolumeTemplates]?.arrayValue ?? []).compactMap { $0[field: Field.templateSource] }
            .map(DataVolume.Source.init)
    }

    /// One of `spec.template.spec.volumes`: the storage a volume mounts, if any.
    public struct Volume: Sendable, Hashable {
        /// `dataVolume.name`: a DataVolume of the VM's namespace.
        public var dataVolumeName: String?
        /// `persistentVolumeClaim.claimName`: a claim of the VM's namespace.
        public var claimName: String?

        public init(dataVolumeName: String? = nil, claimName: String? = nil) {
            self.dataVolumeName = dataVolumeName
            self.claimName = claimName
        }
    }

    public var volumes: [Volume] {
        (object[field: Field.volumes]?.arrayValue ?? []).map {
            Volume(dataVolumeName: $0[field: Field.dataVolumeName]?.stringValue, claimName: $0[field: Field.claimName]?.stringValue)
        }
    }
}
