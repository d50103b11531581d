import Foundation

/// How a protobuf field becomes JSON.
indirect enum ProtobufFieldType: Sendable {
    case string
    /// Raw bytes, written as standard base64 the way Kubernetes JSON writes `[]byte`.
    case bytes
    case bool
    case int32
    case int64
    /// `meta/v1.Time`: a Timestamp written as RFC 3339 in whole seconds (Kubernetes drops
    /// the nanoseconds of a Time decoded from protobuf).
    case time
    /// `meta/v1.MicroTime`: a Timestamp written as RFC 3339 with six fractional digits.
    case microTime
    /// `resource.Quantity`: its canonical string (field 1).
    case quantity
    /// `intstr.IntOrString`: {1: type (0 int, 1 string), 2: intVal, 3: strVal}.
    case intOrString
    /// A nested message, by its name in the schema table.
    case message(String)
    case repeated(ProtobufFieldType)
    /// A `map<string, V>`: repeated entries {1: key, 2: value}.
    case map(ProtobufFieldType)
    /// Read past and left out of the JSON (e.g. `metadata.managedFields`).
    case ignored
}

/// When a field that is on the wire shows up in the JSON.
enum ProtobufFieldPresence: Sendable {
    /// Left out when zero, empty or false, like a Go field tagged `omitempty`.
    case omitEmpty
    /// Written whenever it is on the wire, zero included: Go pointer fields (which the
    /// generated marshaller writes only when set, so `automountServiceAccountToken: false`
    /// survives) and fields whose JSON tag has no `omitempty`.
    case keepZero
}

struct ProtobufFieldSchema: Sendable {
    var number: Int
    /// The field's JSON name; empty for a Go struct embedded with `json:",inline"`.
    var jsonName: String
    var type: ProtobufFieldType
    var presence: ProtobufFieldPresence
}

struct ProtobufMessageSchema: Sendable {
    var name: String
    var fields: [Int: ProtobufFieldSchema]

    init(_ name: String, _ fields: [ProtobufFieldSchema]) {
        self.name = name
        self.fields = Dictionary(fields.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Turns protobuf messages into JSON objects following a schema table. Unknown field
/// numbers are skipped, as protobuf readers do; a known field with an impossible wire type
/// is an error. Repeated occurrences of a singular field follow protobuf rules: the last
/// scalar wins, and message occurrences are merged (decoded as if concatenated).
struct ProtobufJSONConverter {
    let bytes: [UInt8]
    let messages: [String: ProtobufMessageSchema]

    /// The JSON object for message `name` whose encoding is the concatenation of `segments`.
    func object(_ name: String, segments: [Range<Int>], path: String) throws(ProtobufDecodingError) -> [String: JSONValue] {
        guard let schema = messages[name] else {
            throw ProtobufDecodingError(code: .invalidValue, message: "no schema for message \(name)", field: path)
        }
        var occurrences: [Int: [ProtobufWireField]] = [:]
        for segment in segments {
            var reader = ProtobufWireReader(bytes: bytes, range: segment)
            while let wireField = try reader.nextField() {
                guard schema.fields[wireField.number] != nil else { continue }
                occurrences[wireField.number, default: []].append(wireField)
            }
        }
        var result: [String: JSONValue] = [:]
        for number in occurrences.keys.sorted() {
            guard let fieldSchema = schema.fields[number], let found = occurrences[number] else { continue }
            let inline = fieldSchema.jsonName.isEmpty
            let fieldPath = inline || path.isEmpty ? (inline ? path : fieldSchema.jsonName) : path + "." + fieldSchema.jsonName
            let value = try convert(
                found, as: fieldSchema.type, path: fieldPath,
                keepZero: fieldSchema.presence == .keepZero)
            if inline {
                // Go's `json:",inline"` (a Volume's VolumeSource): the fields join the parent's.
                for (key, item) in value?.objectValue ?? [:] { result[key] = item }
            } else {
                result[fieldSchema.jsonName] = value
            }
        }
        return result
    }

    /// The JSON value of one field from all its occurrences, or nil when it is left out.
    private func convert(
        _ found: [ProtobufWireField], as type: ProtobufFieldType, path: String,
        keepZero: Bool
    ) throws(ProtobufDecodingError) -> JSONValue? {
        switch type {
        case .ignored:
            return nil
        case .repeated(let element):
            var items: [JSONValue] = []
            for occurrence in found {
                items += try elements(of: occurrence, as: element, path: path, firstIndex: items.count)
            }
            // No `items.isEmpty ? nil : …` here or below: JSONValue is ExpressibleByNilLiteral,
            // so that `nil` would become `.null` rather than leave the field out.
            guard !items.isEmpty else { return nil }
            return .array(items)
        case .map(let valueType):
            var entries: [String: JSONValue] = [:]
            for occurrence in found {
                let (key, value) = try mapEntry(occurrence, valueType: valueType, path: path)
                entries[key] = value
            }
            guard !entries.isEmpty else { return nil }
            return .object(entries)
        case .message, .time, .microTime, .quantity, .intOrString:
            var segments: [Range<Int>] = []
            for occurrence in found {
                segments.append(try payload(of: occurrence, path: path))
            }
            return try composite(segments, as: type, path: path)
        case .string, .bytes, .bool, .int32, .int64:
            guard let last = found.last else { return nil }
            let value = try scalar(last, as: type, path: path)
            guard keepZero || !isZero(value) else { return nil }
            return value
        }
    }

    /// The elements one occurrence of a repeated field contributes: one, or several when a
    /// numeric field arrives packed.
    private func elements(
        of occurrence: ProtobufWireField, as type: ProtobufFieldType, path: String,
        firstIndex: Int
    ) throws(ProtobufDecodingError) -> [JSONValue] {
        let elementPath = "\(path)[\(firstIndex)]"
        switch type {
        case .bool, .int32, .int64:
            if case .lengthDelimited(let range) = occurrence.value {
                var reader = ProtobufWireReader(bytes: bytes, range: range)
                var values: [JSONValue] = []
                while !reader.isAtEnd {
                    let raw = try reader.readVarint()
                    values.append(Self.numeric(raw, as: type))
                }
                return values
            }
            return [try scalar(occurrence, as: type, path: elementPath)]
        case .string, .bytes:
            return [try scalar(occurrence, as: type, path: elementPath)]
        case .message, .time, .microTime, .quantity, .intOrString:
            let segment = try payload(of: occurrence, path: elementPath)
            return [try composite([segment], as: type, path: elementPath) ?? .null]
        case .repeated, .map, .ignored:
            throw ProtobufDecodingError(code: .invalidValue, message: "unsupported repeated element type", field: path)
        }
    }

    private func mapEntry(
        _ occurrence: ProtobufWireField, valueType: ProtobufFieldType,
        path: String
    ) throws(ProtobufDecodingError) -> (String, JSONValue) {
        let range = try payload(of: occurrence, path: path)
        var keyField: ProtobufWireField?
        var valueFields: [ProtobufWireField] = []
        var reader = ProtobufWireReader(bytes: bytes, range: range)
        while let entryField = try reader.nextField() {
            switch entryField.number {
            case 1: keyField = entryField
            case 2: valueFields.append(entryField)
            default: continue
            }
        }
        let key = try text(of: keyField, path: path)
        let valuePath = "\(path)[\(key)]"
        let value: JSONValue
        if valueFields.isEmpty {
            value = Self.defaultValue(of: valueType)
        } else {
            value = try convert(valueFields, as: valueType, path: valuePath, keepZero: true) ?? Self.defaultValue(of: valueType)
        }
        return (key, value)
    }

    private static func defaultValue(of type: ProtobufFieldType) -> JSONValue {
        switch type {
        case .string, .bytes: return .string("")
        case .bool: return .bool(false)
        case .int32, .int64: return .int(0)
        case .quantity: return .string("0")
        case .intOrString: return .int(0)
        case .message: return .object([:])
        case .repeated: return .array([])
        case .map: return .object([:])
        case .time, .microTime, .ignored: return .null
        }
    }

    private func payload(of occurrence: ProtobufWireField, path: String) throws(ProtobufDecodingError) -> Range<Int> {
        guard case .lengthDelimited(let range) = occurrence.value else {
            throw wrongWireType(occurrence, expected: .lengthDelimited, path: path)
        }
        return range
    }

    private func composite(
        _ segments: [Range<Int>], as type: ProtobufFieldType,
        path: String
    ) throws(ProtobufDecodingError) -> JSONValue? {
        switch type {
        case .message(let name):
            return .object(try object(name, segments: segments, path: path))
        case .time, .microTime:
            // Kubernetes marshals a zero time as no bytes at all; that is an absent time.
            guard segments.contains(where: { !$0.isEmpty }) else { return nil }
            return try timestamp(segments, micro: type.isMicroTime, path: path)
        case .quantity:
            let fields = try lastFields(in: segments, path: path)
            let value = try text(of: fields[1], path: path)
            return .string(value.isEmpty ? "0" : value)
        case .intOrString:
            let fields = try lastFields(in: segments, path: path)
            let kind = Int64(bitPattern: try varint(of: fields[1], path: path))
            switch kind {
            case 0:
                return Self.numeric(try varint(of: fields[2], path: path), as: .int32)
            case 1:
                return .string(try text(of: fields[3], path: path))
            default:
                throw ProtobufDecodingError(
                    code: .invalidValue, message: "IntOrString has unknown type \(kind) (expected 0 for int, 1 for string)",
                    field: path)
            }
        default:
            return nil
        }
    }

    /// The last occurrence of each field number across `segments`.
    private func lastFields(in segments: [Range<Int>], path: String) throws(ProtobufDecodingError) -> [Int: ProtobufWireField] {
        var fields: [Int: ProtobufWireField] = [:]
        for segment in segments {
            var reader = ProtobufWireReader(bytes: bytes, range: segment)
            while let wireField = try reader.nextField() {
                fields[wireField.number] = wireField
            }
        }
        return fields
    }

    private func timestamp(_ segments: [Range<Int>], micro: Bool, path: String) throws(ProtobufDecodingError) -> JSONValue {
        let fields = try lastFields(in: segments, path: path)
        let seconds = Int64(bitPattern: try varint(of: fields[1], path: path))
        // Kubernetes keeps the nanoseconds only for MicroTime; a Time is whole seconds.
        let nanos = micro ? Int64(Int32(truncatingIfNeeded: try varint(of: fields[2], path: path))) : 0
        guard let text = RFC3339Timestamp.format(seconds: seconds, nanoseconds: nanos, microseconds: micro) else {
            throw ProtobufDecodingError(
                code: .invalidValue, message: "timestamp \(seconds)s is outside the years 0000–9999", field: path)
        }
        return .string(text)
    }

    private func scalar(
        _ occurrence: ProtobufWireField, as type: ProtobufFieldType,
        path: String
    ) throws(ProtobufDecodingError) -> JSONValue {
        switch type {
        case .string:
            return .string(try text(of: occurrence, path: path))
        case .bytes:
            return .string(Data(bytes[try payload(of: occurrence, path: path)]).base64EncodedString())
        case .bool, .int32, .int64:
            return Self.numeric(try varint(of: occurrence, path: path), as: type)
        default:
            throw ProtobufDecodingError(code: .invalidValue, message: "not a scalar type", field: path)
        }
    }

    /// A string field's text; "" when the field is absent.
    private func text(of occurrence: ProtobufWireField?, path: String) throws(ProtobufDecodingError) -> String {
        guard let occurrence else { return "" }
        // Like Go's JSON encoder, invalid UTF-8 becomes U+FFFD rather than an error.
        return String(decoding: bytes[try payload(of: occurrence, path: path)], as: UTF8.self)
    }

    /// A varint field's raw value; 0 when the field is absent.
    private func varint(of occurrence: ProtobufWireField?, path: String) throws(ProtobufDecodingError) -> UInt64 {
        guard let occurrence else { return 0 }
        guard case .varint(let raw) = occurrence.value else {
            throw wrongWireType(occurrence, expected: .varint, path: path)
        }
        return raw
    }

    private static func numeric(_ raw: UInt64, as type: ProtobufFieldType) -> JSONValue {
        switch type {
        case .bool: return .bool(raw != 0)
        // int32 values are sign-extended to 64 bits on the wire; keep the low 32 bits.
        case .int32: return .int(Int64(Int32(truncatingIfNeeded: raw)))
        default: return .int(Int64(bitPattern: raw))
        }
    }

    private func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty
        case .bool(let flag): return !flag
        case .int(let number): return number == 0
        default: return false
        }
    }

    private func wrongWireType(
        _ occurrence: ProtobufWireField, expected: ProtobufWireType,
        path: String
    ) -> ProtobufDecodingError {
        ProtobufDecodingError(
            code: .unexpectedWireType,
            message: "field \(occurrence.number) should be \(expected.name) but is \(occurrence.wireType.name)",
            offset: occurrence.offset, field: path)
    }
}

extension ProtobufFieldType {
    fileprivate var isMicroTime: Bool {
        if case .microTime = self { return true }
        return false
    }
}
