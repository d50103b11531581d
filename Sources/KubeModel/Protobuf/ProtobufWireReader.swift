/// The protobuf wire types (the low three bits of a tag).
enum ProtobufWireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    var name: String {
        switch self {
        case .varint: return "varint"
        case .fixed64: return "64-bit"
        case .lengthDelimited: return "length-delimited"
        case .startGroup: return "start-group"
        case .endGroup: return "end-group"
        case .fixed32: return "32-bit"
        }
    }
}

/// One field as it appears on the wire. Length-delimited payloads and groups are kept as
/// ranges into the body, so nothing is copied until a converter knows what they are.
struct ProtobufWireField: Sendable {
    enum Value: Sendable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case lengthDelimited(Range<Int>)
        case group(Range<Int>)
    }

    var number: Int
    var value: Value
    /// Offset of the field's tag in the body.
    var offset: Int

    var wireType: ProtobufWireType {
        switch value {
        case .varint: return .varint
        case .fixed64: return .fixed64
        case .fixed32: return .fixed32
        case .lengthDelimited: return .lengthDelimited
        case .group: return .startGroup
        }
    }
}

/// Reads protobuf fields from a range of a byte buffer. Offsets in errors are absolute
/// positions in that buffer, so a reader over a nested message still reports where in the
/// whole body a problem lies.
struct ProtobufWireReader {
    static let maximumGroupDepth = 64

    let bytes: [UInt8]
    let end: Int
    private(set) var position: Int

    init(bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the buffer")
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next field, or nil at the end of the range.
    mutating func nextField() throws(ProtobufDecodingError) -> ProtobufWireField? {
        guard !isAtEnd else { return nil }
        let field = try readField(depth: 0)
        if case .endGroup = field.kind {
            throw ProtobufDecodingError(
                code: .invalidTag, message: "end-group tag for field \(field.number) without a matching start-group", offset: field.offset)
        }
        guard case .field(let wireField) = field.kind else { return nil }
        return wireField
    }

    private enum ReadKind {
        case field(ProtobufWireField)
        case endGroup
    }

    private mutating func readField(depth: Int) throws(ProtobufDecodingError) -> (number: Int, offset: Int, kind: ReadKind) {
        let tagOffset = position
        let tag = try readVarint()
        guard let wireType = ProtobufWireType(rawValue: UInt8(tag & 7)) else {
            throw ProtobufDecodingError(code: .invalidTag, message: "invalid wire type \(tag & 7)", offset: tagOffset)
        }
        let rawNumber = tag >> 3
        guard rawNumber >= 1, rawNumber <= 0x1FFF_FFFF else {
            throw ProtobufDecodingError(code: .invalidTag, message: "invalid field number \(rawNumber)", offset: tagOffset)
        }
        let number = Int(rawNumber)
        switch wireType {
        case .varint:
            let value = try readVarint()
            return (number, tagOffset, .field(ProtobufWireField(number: number, value: .varint(value), offset: tagOffset)))
        case .fixed64:
            let value = try readFixed(byteCount: 8)
            return (number, tagOffset, .field(ProtobufWireField(number: number, value: .fixed64(value), offset: tagOffset)))
        case .fixed32:
            let value = UInt32(truncatingIfNeeded: try readFixed(byteCount: 4))
            return (number, tagOffset, .field(ProtobufWireField(number: number, value: .fixed32(value), offset: tagOffset)))
        case .lengthDelimited:
            let lengthOffset = position
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw ProtobufDecodingError(
                    code: .truncated,
                    message: "length-delimited field \(number) claims \(length) bytes but only \(end - position) remain",
                    offset: lengthOffset)
            }
            let range = position..<(position + Int(length))
            position = range.upperBound
            return (number, tagOffset, .field(ProtobufWireField(number: number, value: .lengthDelimited(range), offset: tagOffset)))
        case .startGroup:
            guard depth < Self.maximumGroupDepth else {
                throw ProtobufDecodingError(
                    code: .invalidTag, message: "groups nested deeper than \(Self.maximumGroupDepth)", offset: tagOffset)
            }
            let contentStart = position
            while true {
                guard !isAtEnd else {
                    throw ProtobufDecodingError(code: .truncated, message: "group \(number) has no end-group tag", offset: tagOffset)
                }
                let inner = try readField(depth: depth + 1)
                if case .endGroup = inner.kind {
                    guard inner.number == number else {
                        throw ProtobufDecodingError(
                            code: .invalidTag, message: "end-group tag for field \(inner.number) inside group \(number)",
                            offset: inner.offset)
                    }
                    let range = contentStart..<inner.offset
                    return (number, tagOffset, .field(ProtobufWireField(number: number, value: .group(range), offset: tagOffset)))
                }
            }
        case .endGroup:
            return (number, tagOffset, .endGroup)
        }
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func readVarint() throws(ProtobufDecodingError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else {
                throw ProtobufDecodingError(code: .truncated, message: "varint runs past the end of the data", offset: start)
            }
            let byte = bytes[position]
            position += 1
            if shift == 63 {
                // The tenth byte holds only the top bit of a 64-bit value.
                if byte & 0x80 != 0 {
                    throw ProtobufDecodingError(code: .malformedVarint, message: "varint longer than 10 bytes", offset: start)
                }
                if byte > 1 {
                    throw ProtobufDecodingError(code: .malformedVarint, message: "varint overflows 64 bits", offset: start)
                }
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func readFixed(byteCount: Int) throws(ProtobufDecodingError) -> UInt64 {
        guard end - position >= byteCount else {
            throw ProtobufDecodingError(
                code: .truncated, message: "\(byteCount * 8)-bit field runs past the end of the data", offset: position)
        }
        var result: UInt64 = 0
        for index in 0..<byteCount {
            result |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += byteCount
        return result
    }
}
