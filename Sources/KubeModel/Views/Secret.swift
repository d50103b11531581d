import Foundation

/// A core/v1 Secret: its `type`, its `data` as bytes and its write-only `stringData`. Schema:
/// `io.k8s.api.core.v1.Secret` in `Sources/KubeServer/Schemas/builtin-1.32.json`.
///
/// `data` travels base64-encoded; this view decodes on read and encodes on write, so callers
/// only see bytes. `stringData` is what a client may write instead: the API server merges it
/// into `data` and never returns it.
public struct Secret: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let apiVersion = "v1"
    public static let kind = "Secret"

    /// A new Secret of `type`, with no data yet.
    public init(name: String, namespace: String, type: SecretType = .opaque) {
        object = [
            "apiVersion": .string(Self.apiVersion), "kind": .string(Self.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        self.type = type
    }

    /// `type`: an open set (anyone may define one); the core API's own are named.
    public struct SecretType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let opaque = SecretType(rawValue: "Opaque")
        public static let serviceAccountToken = SecretType(rawValue: "kubernetes.io/service-account-token")
        public static let dockerConfigJSON = SecretType(rawValue: "kubernetes.io/dockerconfigjson")
        public static let basicAuth = SecretType(rawValue: "kubernetes.io/basic-auth")
        public static let sshAuth = SecretType(rawValue: "kubernetes.io/ssh-auth")
        public static let tls = SecretType(rawValue: "kubernetes.io/tls")

        public var description: String { rawValue }
    }

    public enum Field {
        public static let type: FieldPath = "type"
        public static let data: FieldPath = "data"
        public static let stringData: FieldPath = "stringData"
    }

    public static let fieldPaths: [FieldPath] = [Field.type, Field.data, Field.stringData]

    /// `type` as written; nil when unset (the API server then stores `Opaque`).
    public var type: SecretType? {
        get { object[field: Field.type]?.stringValue.map(SecretType.init(rawValue:)) }
        set { object[field: Field.type] = newValue.map { .string($0.rawValue) } }
    }

    /// `data`, decoded. An entry that is not a base64 string is left out rather than guessed
    /// at: the API server never stores one, so it can only come from a broken writer.
    public var data: [String: Data] {
        get { (object[field: Field.data]?.objectValue ?? [:]).compactMapValues(Self.decode) }
        set { object[field: Field.data] = newValue.isEmpty ? nil : .object(newValue.mapValues(Self.encode)) }
    }

    /// One entry of `data`, decoded; setting nil removes it.
    public subscript(data key: String) -> Data? {
        get { object[field: Field.data]?[key].flatMap(Self.decode) }
        set {
            var entries = object[field: Field.data]?.objectValue ?? [:]
            entries[key] = newValue.map(Self.encode)
            object[field: Field.data] = entries.isEmpty ? nil : .object(entries)
        }
    }

    /// One entry of `data` as UTF-8 text; nil when absent or not valid UTF-8.
    public func string(_ key: String) -> String? {
        self[data: key].flatMap { String(data: $0, encoding: .utf8) }
    }

    /// `stringData`: plain-text entries for the API server to encode into `data` on write.
    /// Only ever set by a client; a stored Secret has none.
    public var stringData: [String: String] {
        get { JSONValue.stringMap(object[field: Field.stringData]) }
        set { object[field: Field.stringData] = newValue.isEmpty ? nil : .object(newValue.mapValues(JSONValue.string)) }
    }

    private static func decode(_ value: JSONValue) -> Data? {
        value.stringValue.flatMap { Data(base64Encoded: $0) }
    }

    private static func encode(_ bytes: Data) -> JSONValue {
        .string(bytes.base64EncodedString())
    }
}
