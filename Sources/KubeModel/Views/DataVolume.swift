/// A CDI DataVolume (`cdi.kubevirt.io/v1beta1`): a claim and the import, clone or upload
/// that fills it. Schema: `Sources/Simulation/CRDs/cdi.kubevirt.io_datavolumes.yaml`.
public struct DataVolume: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let apiVersion = "cdi.kubevirt.io/v1beta1"
    public static let kind = "DataVolume"

    /// A new DataVolume that fills a claim of `storage` (a quantity's text) from `source`.
    public init(name: String, namespace: String, source: Source, storage: String, storageClassName: String?) {
        object = [
            "apiVersion": .string(Self.apiVersion), "kind": .string(Self.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        self.source = source
        object[field: Field.storageRequest] = .string(storage)
        object[field: Field.storageClassName] = storageClassName.map(JSONValue.string)
    }

    /// CDI's phases, an open set (CDI adds some between releases): the ones a controller
    /// branches on are named, any other text is kept.
    public struct Phase: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let pending = Phase(rawValue: "Pending")
        public static let importInProgress = Phase(rawValue: "ImportInProgress")
        public static let succeeded = Phase(rawValue: "Succeeded")
        public static let failed = Phase(rawValue: "Failed")

        public var description: String { rawValue }
    }

    public enum Field {
        public static let source: FieldPath = "spec.source"
        public static let storageRequest: FieldPath = "spec.storage.resources.requests.storage"
        public static let storageClassName: FieldPath = "spec.storage.storageClassName"
        public static let phase: FieldPath = "status.phase"
        public static let progress: FieldPath = "status.progress"
        public static let restartCount: FieldPath = "status.restartCount"
        public static let conditions: FieldPath = "status.conditions"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.source, Field.storageRequest, Field.storageClassName, Field.phase, Field.progress, Field.restartCount, Field.conditions,
            Field.conditions.appending("[].type"), Field.conditions.appending("[].message"),
        ] + Source.fieldPaths.map(Field.source.appending)

    /// `spec.source`: nil when the DataVolume names none (it uses `sourceRef`).
    public var source: Source? {
        get { object[field: Field.source].map(Source.init) }
        set { object[field: Field.source] = newValue?.json }
    }

    /// The claim's requested size as written (`spec.storage.resources.requests.storage`).
    public var storageRequest: String? { object[string: Field.storageRequest] }
    public var storageClassName: String? { object[string: Field.storageClassName] }

    public var phase: Phase? { object[string: Field.phase].map(Phase.init(rawValue:)) }
    /// CDI's progress text (`45.20%`, `N/A`).
    public var progress: String? { object[string: Field.progress] }
    /// How many times the transfer started again from zero.
    public var restartCount: Int { Int(object[int: Field.restartCount] ?? 0) }
    public var conditions: [JSONValue] { object[array: Field.conditions] ?? [] }
}

extension DataVolume {
    /// `spec.source`: exactly one member names the kind of source (`http`, `s3`, `pvc`, …).
    public struct Source: Sendable, Hashable {
        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// The sources that download: their members share names.
        public enum Download: String, Sendable, CaseIterable {
            case http, s3, registry
        }

        /// A claim or snapshot to clone from; `namespace` nil means the DataVolume's own.
        public struct Reference: Sendable, Hashable {
            public var name: String
            public var namespace: String?

            public init(name: String, namespace: String? = nil) {
                self.name = name
                self.namespace = namespace
            }
        }

        /// The paths ``pvc`` and ``snapshot`` read, inside `source`.
        static let referencePaths: [FieldPath] = ["pvc.name", "pvc.namespace", "snapshot.name", "snapshot.namespace"]

        /// Every path a source is read or written through, inside `source`.
        static let fieldPaths: [FieldPath] =
            Download.allCases.flatMap { download in
                ["url", "secretRef", "certConfigMap"].map { FieldPath([download.rawValue, $0]) }
            } + ["http.checksum", "blank"] + referencePaths

        /// A download from `url`; empty or nil optional fields are left out, as CDI leaves
        /// them. `checksum` exists only for `http` (CDI has no field for it elsewhere).
        public static func download(
            _ kind: Download, url: String, secretRef: String? = nil, certConfigMap: String? = nil,
            checksum: String? = nil
        ) -> Source {
            var members: [String: JSONValue] = ["url": .string(url)]
            for (key, value) in [
                ("secretRef", secretRef), ("certConfigMap", certConfigMap),
                ("checksum", kind == .http ? checksum : nil),
            ] {
                if let value, !value.isEmpty { members[key] = .string(value) }
            }
            return Source([kind.rawValue: .object(members)])
        }

        /// An empty disk.
        public static let blank = Source(["blank": [:]])

        /// The claim this source clones, if it does.
        public var pvc: Reference? { reference("pvc") }
        /// The VolumeSnapshot this source restores, if it does.
        public var snapshot: Reference? { reference("snapshot") }

        private func reference(_ key: String) -> Reference? {
            guard let name = json[path: [key, "name"]]?.stringValue else { return nil }
            return Reference(name: name, namespace: json[path: [key, "namespace"]]?.stringValue)
        }
    }
}
