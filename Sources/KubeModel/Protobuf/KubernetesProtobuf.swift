import Foundation

/// Reads request bodies sent as `application/vnd.kubernetes.protobuf`, which kubectl's typed
/// generators (`kubectl create configmap|secret|namespace|serviceaccount|service|quota|
/// priorityclass|token`) use without falling back to JSON, and turns them into the JSON
/// object the same request would have carried as `application/json`.
///
/// A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` envelope
/// {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
/// whose `raw` is the object's own protobuf message.
public enum KubernetesProtobuf {
    public static let mediaType = "application/vnd.kubernetes.protobuf"

    /// The magic every Kubernetes protobuf body starts with.
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// True when a `Content-Type` header names the Kubernetes protobuf media type
    /// (parameters and letter case aside).
    public static func matches(contentType: String) -> Bool {
        HTTPMediaType.essence(of: contentType) == mediaType
    }

    /// The `apiVersion`/`kind` pairs `decode` has a schema for.
    public static var supportedKinds: [(apiVersion: String, kind: String)] {
        KubernetesProtobufSchemas.rootMessages.keys
            .map { (apiVersion: $0.apiVersion, kind: $0.kind) }
            .sorted { ($0.apiVersion, $0.kind) < ($1.apiVersion, $1.kind) }
    }

    public static func supports(apiVersion: String, kind: String) -> Bool {
        KubernetesProtobufSchemas.rootMessages[.init(apiVersion: apiVersion, kind: kind)] != nil
    }

    /// The JSON object equivalent to a protobuf body, with `apiVersion` and `kind` taken from
    /// the envelope. Zero scalars are left out as Go's `omitempty` would, a zero time is
    /// left out (Go writes `null`), and `metadata.managedFields` is dropped.
    public static func decode(_ bytes: [UInt8]) throws(ProtobufDecodingError) -> JSONValue {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ProtobufDecodingError(
                code: .notKubernetesProtobuf,
                message: "body does not start with the Kubernetes protobuf magic k8s\\0", offset: 0)
        }
        let envelope = try Envelope(bytes: bytes, range: magic.count..<bytes.count)
        guard !envelope.kind.isEmpty else {
            throw ProtobufDecodingError(
                code: .missingTypeInformation, message: "protobuf envelope carries no kind",
                apiVersion: envelope.apiVersion)
        }
        guard envelope.contentEncoding.isEmpty else {
            throw ProtobufDecodingError(
                code: .unsupportedEncoding,
                message: "protobuf envelope content encoding \"\(envelope.contentEncoding)\" is not supported",
                apiVersion: envelope.apiVersion, kind: envelope.kind)
        }
        guard envelope.contentType.isEmpty || matches(contentType: envelope.contentType) else {
            throw ProtobufDecodingError(
                code: .unsupportedEncoding,
                message: "protobuf envelope content type \"\(envelope.contentType)\" is not supported",
                apiVersion: envelope.apiVersion, kind: envelope.kind)
        }
        let key = KubernetesProtobufSchemas.KindKey(apiVersion: envelope.apiVersion, kind: envelope.kind)
        guard let root = KubernetesProtobufSchemas.rootMessages[key] else {
            throw ProtobufDecodingError.unsupportedKind(apiVersion: envelope.apiVersion, kind: envelope.kind)
        }
        let converter = ProtobufJSONConverter(bytes: bytes, messages: KubernetesProtobufSchemas.messages)
        var object: [String: JSONValue]
        do {
            object = try converter.object(root, segments: envelope.raw, path: "")
        } catch {
            var located = error
            located.apiVersion = envelope.apiVersion
            located.kind = envelope.kind
            throw located
        }
        object["apiVersion"] = .string(envelope.apiVersion)
        object["kind"] = .string(envelope.kind)
        return .object(object)
    }

    /// The `runtime.Unknown` wrapper around the object.
    private struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: [Range<Int>] = []
        var contentEncoding = ""
        var contentType = ""

        init(bytes: [UInt8], range: Range<Int>) throws(ProtobufDecodingError) {
            var reader = ProtobufWireReader(bytes: bytes, range: range)
            while let field = try reader.nextField() {
                switch field.number {
                case 1:
                    var typeMeta = ProtobufWireReader(bytes: bytes, range: try Self.payload(field, name: "typeMeta"))
                    while let inner = try typeMeta.nextField() {
                        switch inner.number {
                        case 1: apiVersion = try Self.text(bytes, inner, name: "typeMeta.apiVersion")
                        case 2: kind = try Self.text(bytes, inner, name: "typeMeta.kind")
                        default: continue
                        }
                    }
                case 2:
                    // Repeated occurrences of a bytes field: the last one wins.
                    raw = [try Self.payload(field, name: "raw")]
                case 3:
                    contentEncoding = try Self.text(bytes, field, name: "contentEncoding")
                case 4:
                    contentType = try Self.text(bytes, field, name: "contentType")
                default:
                    continue
                }
            }
        }

        private static func payload(_ field: ProtobufWireField, name: String) throws(ProtobufDecodingError) -> Range<Int> {
            guard case .lengthDelimited(let range) = field.value else {
                throw ProtobufDecodingError(
                    code: .unexpectedWireType,
                    message: "envelope field \(name) should be length-delimited but is \(field.wireType.name)",
                    offset: field.offset)
            }
            return range
        }

        private static func text(_ bytes: [UInt8], _ field: ProtobufWireField, name: String) throws(ProtobufDecodingError) -> String {
            String(decoding: bytes[try payload(field, name: name)], as: UTF8.self)
        }
    }
}
