import Foundation

extension JSONValue {
    /// Compact JSON bytes. Object keys are written in a stable order: `apiVersion`, `kind`,
    /// `metadata`, `spec`, `status` first (as Kubernetes writes them), the rest sorted.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output)
        return output
    }

    public func serializedData() -> Data { Data(serialized()) }

    public func serializedString() -> String { String(decoding: serialized(), as: UTF8.self) }

    /// Appends this value's compact JSON to `output`.
    public func write(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): Self.writeInteger(number, into: &output)
        case .double(let number): output.append(contentsOf: Self.format(number).utf8)
        case .string(let text): Self.writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                item.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            Self.writeObject(fields, into: &output) { _, value, output in value.write(into: &output) }
        }
    }

    /// An object's fields in the stable order, each value written by `writeValue`.
    private static func writeObject(
        _ fields: [String: JSONValue], into output: inout [UInt8],
        writeValue: (String, JSONValue, inout [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: "{"))
        if fields.count == 1, let (key, value) = fields.first {
            writeString(key, into: &output)
            output.append(UInt8(ascii: ":"))
            writeValue(key, value, &output)
        } else {
            // Each key's place is worked out once, not at every comparison of the sort.
            let ordered = fields.map { (rank: leadingRank($0.key), key: $0.key, value: $0.value) }
                .sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key < $1.key }
            for (position, field) in ordered.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(field.key, into: &output)
                output.append(UInt8(ascii: ":"))
                writeValue(field.key, field.value, &output)
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    /// This object's compact JSON with `metadata.resourceVersion` written as `""` whatever
    /// it holds, and the offset of that `""`: a store encodes an object before it knows the
    /// version the write gets, and writes the version in with
    /// ``filling(_:slot:resourceVersion:)``. Nil unless `metadata` is an object that has a
    /// `resourceVersion`.
    public func serializedWithResourceVersionSlot() -> (bytes: [UInt8], slot: Int)? {
        guard case .object(let fields) = self, case .object(let metadata)? = fields["metadata"],
            metadata["resourceVersion"] != nil
        else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(256)
        var slot = 0
        Self.writeObject(fields, into: &output) { key, value, output in
            guard key == "metadata" else { return value.write(into: &output) }
            Self.writeObject(metadata, into: &output) { key, value, output in
                guard key == "resourceVersion" else { return value.write(into: &output) }
                slot = output.count
                output.append(contentsOf: #""""#.utf8)
            }
        }
        return (output, slot)
    }

    /// `encoding` (from ``serializedWithResourceVersionSlot()``) with `resourceVersion`
    /// written into its slot: the bytes `serialized()` gives once the tree holds it.
    public static func filling(_ encoding: [UInt8], slot: Int, resourceVersion: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoding.count + 20)
        bytes.append(contentsOf: encoding[..<slot])
        bytes.append(UInt8(ascii: "\""))
        writeInteger(resourceVersion, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: encoding[(slot + 2)...])
        return bytes
    }

    /// Where a key goes among an object's fields: the leading keys in their order, every
    /// other key after them.
    private static func leadingRank(_ key: String) -> Int {
        switch key {
        case "apiVersion": 0
        case "kind": 1
        case "metadata": 2
        case "spec": 3
        case "status": 4
        default: 5
        }
    }

    private static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// Decimal digits, written straight into `output` rather than through a `String`.
    static func writeInteger(_ number: Int64, into output: inout [UInt8]) {
        if number < 0 { output.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int64.min has one.
        var magnitude = number.magnitude
        guard magnitude >= 10 else {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: UInt64.max has 20 digits.
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            while magnitude > 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            output.append(contentsOf: buffer[position...])
        }
    }

    /// A JSON string literal. Runs of bytes that need no escape are copied whole.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for (position, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                runStart = position + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    output.append(contentsOf: "u00".utf8)
                    output.append(hex.utf8Start[Int(byte >> 4)])
                    output.append(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .int(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .int(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}

extension JSONValue {
    /// Converts a `Codable` value into a JSON tree (for typed models built on top).
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue(parsing: data)
    }

    /// Decodes a `Decodable` type from this tree.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: serializedData())
    }
}
