import Foundation

/// Why a label or field selector was refused. Carries the whole selector so that the
/// server can answer `400 BadRequest` with a message that shows what the client sent.
public struct SelectorParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The selector text as received (for selectors built from JSON, its compact JSON).
    public var selector: String
    /// What is wrong, naming the offending part.
    public var reason: String

    public init(selector: String, reason: String) {
        self.selector = selector
        self.reason = reason
    }

    public var description: String { "unable to parse selector \"\(selector)\": \(reason)" }
}

/// Kubernetes' syntax rules for label keys and values (`IsQualifiedName`, `IsValidLabelValue`),
/// shared by both selector kinds so their messages agree.
enum LabelSyntax {
    static let nameMaxLength = 63
    static let prefixMaxLength = 253

    /// Returns why `key` is not a valid label key, or nil when it is.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            if prefix.isEmpty { return "invalid label key \"\(key)\": prefix part must be non-empty" }
            if let problem = dnsSubdomainProblem(prefix) {
                return "invalid label key \"\(key)\": prefix part \(problem)"
            }
            name = parts[1]
        default:
            return "invalid label key \"\(key)\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' "
                + "(e.g. 'example.com/MyName')"
        }
        if name.isEmpty { return "invalid label key \"\(key)\": name part must be non-empty" }
        if name.utf8.count > nameMaxLength {
            return "invalid label key \"\(key)\": name part must be no more than \(nameMaxLength) characters"
        }
        if !isQualifiedNamePart(name) {
            return "invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"
        }
        return nil
    }

    /// Returns why `value` is not a valid label value, or nil when it is.
    static func valueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.utf8.count > nameMaxLength {
            return "invalid label value \"\(value)\": must be no more than \(nameMaxLength) characters"
        }
        if !isQualifiedNamePart(Substring(value)) {
            return "invalid label value \"\(value)\": a valid label must be an empty string or consist of alphanumeric "
                + "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                + "(e.g. 'MyValue', or 'my_value', or '12345')"
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func isQualifiedNamePart(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// RFC 1123 subdomain: lowercase labels of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by dots, at most 253 characters.
    private static func dnsSubdomainProblem(_ text: Substring) -> String? {
        if text.utf8.count > prefixMaxLength { return "must be no more than \(prefixMaxLength) characters" }
        let message =
            "must be a lowercase RFC 1123 subdomain: lowercase alphanumeric characters, '-' or '.', "
            + "starting and ending with an alphanumeric character (e.g. 'example.com')"
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last else { return message }
            let isLowerAlnum: (UInt8) -> Bool = { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            guard isLowerAlnum(first), isLowerAlnum(last), bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") }) else {
                return message
            }
        }
        return nil
    }
}
