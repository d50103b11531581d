/// Kubernetes' rules for names, label keys and label values; each check returns the
/// problem in Kubernetes' wording, or nil.
enum NameValidation {
    /// Names are checked byte by byte: every allowed character is ASCII, so any byte of a
    /// non-ASCII character fails the check, as the character would (and reading bytes keeps
    /// Unicode segmentation out of every create).
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Whether `name` is lowercase alphanumerics and `extra` bytes, starting and ending with
    /// an alphanumeric.
    private static func isRFC1123(_ name: String, allowing extra: [UInt8]) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || extra.contains($0) }
    }

    /// Whether `name` has more than `limit` characters (counted as kube-apiserver counts them,
    /// in characters; counting them is left for names long enough in bytes).
    private static func isLonger(_ name: String, than limit: Int) -> Bool {
        name.utf8.count > limit && name.count > limit
    }

    static func dnsLabel(_ name: String) -> String? {
        let rule =
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        if name.isEmpty { return rule }
        if isLonger(name, than: 63) { return "must be no more than 63 characters" }
        return isRFC1123(name, allowing: [UInt8(ascii: "-")]) ? nil : rule
    }

    /// kube-apiserver's rule for names that are only ever a URL path segment (RBAC objects):
    /// anything but `.` and `..`, without `/` or `%`.
    static func pathSegment(_ name: String) -> [String] {
        if name == "." || name == ".." { return ["may not be '\(name)'"] }
        return ["/", "%"].filter { name.contains($0) }.map { "may not contain '\($0)'" }
    }

    static func dnsSubdomain(_ name: String) -> String? {
        let rule =
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        if name.isEmpty { return rule }
        if isLonger(name, than: 253) { return "must be no more than 253 characters" }
        return isRFC1123(name, allowing: [UInt8(ascii: "-"), UInt8(ascii: ".")]) ? nil : rule
    }

    private static func isQualifiedNamePart(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 63, let first = text.first, let last = text.last,
            first.isASCII && (first.isLetter || first.isNumber), last.isASCII && (last.isLetter || last.isNumber)
        else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    static func labelKey(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let rule =
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        switch parts.count {
        case 1:
            return isQualifiedNamePart(parts[0]) ? nil : rule
        case 2:
            if let problem = dnsSubdomain(String(parts[0])) { return "prefix part \(problem)" }
            return isQualifiedNamePart(parts[1]) ? nil : rule
        default:
            return
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'"
        }
    }

    static func labelValue(_ value: String) -> String? {
        if value.isEmpty { return nil }
        return isQualifiedNamePart(Substring(value))
            ? nil
            : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    }
}
