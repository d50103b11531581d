import Foundation

/// How Go and Kubernetes' Go types name things and refuse values, for messages that read as
/// kube-apiserver's: type names from OpenAPI definition names, `json:` value descriptions,
/// and the parsers Go runs on quantities and base64 strings.
enum GoTypes {
    /// `PodSpec` for `io.k8s.api.core.v1.PodSpec`: the struct name in `Go struct field
    /// PodSpec.spec.containers`.
    static func structName(_ definition: String) -> String {
        guard let dot = definition.utf8.lastIndex(of: UInt8(ascii: ".")) else { return definition }
        return String(definition[definition.index(after: dot)...])
    }

    /// `v1.PodSpec` for `io.k8s.api.core.v1.PodSpec`: package and type, as `%v` of a Go
    /// `reflect.Type` prints it.
    static func qualifiedName(_ definition: String) -> String {
        let parts = definition.split(separator: ".")
        guard parts.count >= 2 else { return definition }
        return "\(parts[parts.count - 2]).\(parts[parts.count - 1])"
    }

    /// What Go's decoder calls a JSON value in `cannot unmarshal <what>`: `string`, `bool`,
    /// `array`, `object`, `number`; a number that is not a valid integer for an integer
    /// field is `number <literal>`.
    static func describe(_ value: JSONValue, asInteger: Bool = false) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        case .int(let number): return asInteger ? "number \(number)" : "number"
        case .double(let number):
            guard asInteger else { return "number" }
            return "number " + (number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number)).0" : "\(number)")
        }
    }

    // MARK: Quantities (k8s.io/apimachinery/pkg/api/resource)

    static let quantityFormatMessage =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    static let quantitySuffixMessage = "unable to parse quantity's suffix"

    private static let quantitySuffixes: Set<String> = [
        "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    ]

    /// Why `ParseQuantity` refuses `text`, in its words, or nil if it accepts it. Follows
    /// `parseQuantityString` and the suffix table, including its leniencies (`1.`, `-`).
    static func quantityProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return quantityFormatMessage }
        if text == "0" { return nil }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var position = 0
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { position = 1 }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let suffixStart = position
        let suffixLetters = Set("eEinumkKMGTP".utf8)
        while position < bytes.count, suffixLetters.contains(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        if position < bytes.count { return quantityFormatMessage }
        let suffix = String(decoding: bytes[suffixStart...], as: UTF8.self)
        if quantitySuffixes.contains(suffix) { return nil }
        if suffix.count > 1, suffix.first == "e" || suffix.first == "E", Int64(suffix.dropFirst()) != nil {
            return nil
        }
        return quantitySuffixMessage
    }

    // MARK: base64 ([]byte fields, Go's base64.StdEncoding)

    /// Where Go's `base64.StdEncoding.Decode` reports `text` corrupt (the byte offset in
    /// `illegal base64 data at input byte N`), or nil if it decodes. Newlines are skipped,
    /// padding is required, as in Go.
    static func base64ErrorOffset(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        func isAlphabet(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                return true
            default: return false
            }
        }
        func isNewline(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }
        var index = 0
        while true {
            var inQuantum = 0
            while inQuantum < 4 {
                while index < bytes.count, isNewline(bytes[index]) { index += 1 }
                if index == bytes.count {
                    return inQuantum == 0 ? nil : index - inQuantum
                }
                let byte = bytes[index]
                index += 1
                if isAlphabet(byte) {
                    inQuantum += 1
                    continue
                }
                guard byte == UInt8(ascii: "=") else { return index - 1 }
                // Padding: only in the last two places of the last quantum.
                switch inQuantum {
                case 0, 1:
                    return index - 1
                case 2:
                    while index < bytes.count, isNewline(bytes[index]) { index += 1 }
                    if index == bytes.count { return bytes.count }
                    if bytes[index] != UInt8(ascii: "=") { return index - 1 }
                    index += 1
                default:
                    break
                }
                while index < bytes.count, isNewline(bytes[index]) { index += 1 }
                return index < bytes.count ? index : nil
            }
        }
    }
}
