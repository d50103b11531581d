import KubeModel

/// `${NAME}` and `${{NAME}}` in a template's strings, replaced as library-go's
/// `EvaluateParameterSubstitution` replaces them.
///
/// - A string that is exactly `${{NAME}}`, for a known NAME, becomes the value parsed as
///   JSON (`${{REPLICAS}}` with `3` gives the number 3, `true` a boolean); a value that is
///   not JSON stays a string, as OpenShift keeps it.
/// - Otherwise every `${NAME}` of a known NAME is replaced by the value, anywhere in the
///   string; unknown names are left as they are.
/// - Object keys are substituted as strings too.
struct ParameterSubstitution {
    let values: [String: String]
    let maximumStringBytes: Int

    /// Too long a string after substitution.
    struct TooLarge: Error {}

    /// `value` with every string substituted.
    func apply(to value: JSONValue) throws(TooLarge) -> JSONValue {
        switch value {
        case .string(let text):
            return try substitute(text)
        case .array(let items):
            var result: [JSONValue] = []
            result.reserveCapacity(items.count)
            for item in items { result.append(try apply(to: item)) }
            return .array(result)
        case .object(let fields):
            var result: [String: JSONValue] = [:]
            for (key, field) in fields {
                result[try substituteString(key)] = try apply(to: field)
            }
            return .object(result)
        default:
            return value
        }
    }

    /// One string value: a `${{NAME}}` becomes JSON, anything else a string.
    func substitute(_ text: String) throws(TooLarge) -> JSONValue {
        if let name = Self.exactNonStringReference(text), let value = values[name] {
            guard value.utf8.count <= maximumStringBytes else { throw TooLarge() }
            if let parsed = try? JSONValue(parsing: value, maximumDepth: 32) { return parsed }
            return .string(value)
        }
        return .string(try substituteString(text))
    }

    /// `${NAME}` references replaced, in the order found, each in the first place it still
    /// appears (library-go's `strings.Replace(out, match, value, 1)` per match).
    func substituteString(_ text: String) throws(TooLarge) -> String {
        let references = Self.references(in: text)
        guard !references.isEmpty else { return text }
        var output = text
        for name in references {
            guard let value = values[name] else { continue }
            let reference = "${\(name)}"
            guard let range = output.range(of: reference) else { continue }
            guard output.utf8.count - reference.utf8.count + value.utf8.count <= maximumStringBytes else { throw TooLarge() }
            output.replaceSubrange(range, with: value)
        }
        return output
    }

    /// The NAME of a string that is exactly `${{NAME}}`.
    static func exactNonStringReference(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count > 5, bytes.starts(with: Array("${{".utf8)), bytes.suffix(2) == [UInt8(ascii: "}"), UInt8(ascii: "}")]
        else { return nil }
        let name = bytes[3..<(bytes.count - 2)]
        guard !name.isEmpty, name.allSatisfy(TemplateParameter.isNameByte) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// The NAMEs of every `${NAME}` in `text`, in order, repeats included.
    static func references(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        var names: [String] = []
        var index = 0
        while index + 3 < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            var end = index + 2
            while end < bytes.count, TemplateParameter.isNameByte(bytes[end]) { end += 1 }
            if end > index + 2, end < bytes.count, bytes[end] == UInt8(ascii: "}") {
                names.append(String(decoding: bytes[(index + 2)..<end], as: UTF8.self))
                index = end + 1
            } else {
                index += 1
            }
        }
        return names
    }

    /// Whether `text` has a `${NAME}` reference (library-go keeps such a namespace).
    static func hasReference(_ text: String) -> Bool { !references(in: text).isEmpty }
}
