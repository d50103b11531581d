import KubeModel

/// JSON as Go's `encoding/json` writes it, where clients compare bytes: map keys sorted,
/// strings escaped with HTML escaping on (the default of `json.NewEncoder` and
/// `json.Marshal`).
enum GoJSON {
    /// `value` compact, object keys sorted as Go sorts a map's keys.
    static func string(_ value: JSONValue) -> String {
        var output: [UInt8] = []
        write(value, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .string(let text): writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(fields[key] ?? .null, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        default: value.write(into: &output)
        }
    }

    /// `\"`, `\\`, `\n`, `\r`, `\t`; other controls and `<`, `>`, `&` as `\u00XX`; the
    /// JavaScript line separators U+2028 and U+2029 as `\u2028` and `\u2029`.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: Array("\\\"".utf8))
            case "\\": output.append(contentsOf: Array("\\\\".utf8))
            case "\n": output.append(contentsOf: Array("\\n".utf8))
            case "\r": output.append(contentsOf: Array("\\r".utf8))
            case "\t": output.append(contentsOf: Array("\\t".utf8))
            case "\u{2028}": output.append(contentsOf: Array("\\u2028".utf8))
            case "\u{2029}": output.append(contentsOf: Array("\\u2029".utf8))
            case "<", ">", "&", "\u{00}"..."\u{1F}":
                let byte = UInt8(scalar.value)
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
