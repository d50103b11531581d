/// Why a Kubernetes protobuf request body could not be turned into JSON.
///
/// Wire-level problems carry the byte offset in the body (counting the 4-byte `k8s\0`
/// magic) and, once inside the object, the JSON path of the field being read, so a
/// `400 BadRequest` can say exactly where the body went wrong. A body that is well formed
/// but of a kind this decoder has no schema for is reported as `.unsupportedKind`, which
/// the server should answer with `415 UnsupportedMediaType`.
public struct ProtobufDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The body does not start with the `k8s\0` magic.
        case notKubernetesProtobuf
        /// The body ends in the middle of a field.
        case truncated
        /// A varint runs longer than 10 bytes.
        case malformedVarint
        /// A tag carries wire type 6 or 7, an end-group without a start, or field number 0.
        case invalidTag
        /// A known field arrives with a wire type its declared type cannot have.
        case unexpectedWireType
        /// A value that cannot be represented in JSON (a time outside years 0–9999, an
        /// IntOrString with an unknown type, …).
        case invalidValue
        /// The envelope carries no kind.
        case missingTypeInformation
        /// The envelope announces a content encoding or content type other than plain protobuf.
        case unsupportedEncoding
        /// A well-formed body of a kind this decoder has no schema for.
        case unsupportedKind
    }

    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// Byte offset in the body where the problem was found, when it is a wire-level one.
    public var offset: Int?
    /// JSON path of the field being decoded (`spec.ports[0].targetPort`), when known.
    public var field: String?
    /// The envelope's apiVersion and kind, once read.
    public var apiVersion: String?
    public var kind: String?

    public init(
        code: Code, message: String, offset: Int? = nil, field: String? = nil,
        apiVersion: String? = nil, kind: String? = nil
    ) {
        self.code = code
        self.message = message
        self.offset = offset
        self.field = field
        self.apiVersion = apiVersion
        self.kind = kind
    }

    /// True when the body was readable but its kind has no schema: answer 415 and ask for JSON.
    public var isUnsupportedKind: Bool { code == .unsupportedKind }

    public var description: String {
        var text = message
        var location: [String] = []
        if let field, !field.isEmpty { location.append("field \(field)") }
        if let offset { location.append("byte \(offset)") }
        if !location.isEmpty { text += " (at \(location.joined(separator: ", ")))" }
        return text
    }

    static func unsupportedKind(apiVersion: String, kind: String) -> ProtobufDecodingError {
        let version = apiVersion.isEmpty ? "" : " (\(apiVersion))"
        return ProtobufDecodingError(
            code: .unsupportedKind,
            message: "protobuf bodies of kind \(kind)\(version) are not supported; send JSON",
            apiVersion: apiVersion, kind: kind)
    }
}
