/// A YAML document built in code, with mapping keys in the order written, rendered the same
/// way every time. Rendered configurations are read by people (kubectl get secret, the docs)
/// and compared by tests, so field order matters; the emitter is small enough to read whole.
///
/// Strings are written plain only when no YAML 1.1 or 1.2 parser can read them as anything
/// but a string (they start with a letter or `/` and use no indicator characters); otherwise
/// double-quoted, or as a literal block when they span lines (PEM certificates, files).
public indirect enum YAMLNode: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([YAMLNode])
    case map([(String, YAMLNode)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool { lhs.rendered() == rhs.rendered() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    /// A list of strings.
    public static func strings(_ items: [String]) -> YAMLNode { .list(items.map { .string($0) }) }

    /// The document as YAML, ending in a newline.
    public func rendered() -> String {
        var lines: [String] = []
        switch self {
        case .map(let pairs) where !pairs.isEmpty: Self.emit(pairs: pairs, indent: 0, into: &lines)
        case .list(let items) where !items.isEmpty: Self.emit(items: items, indent: 0, into: &lines)
        default: lines.append(Self.inline(self) ?? "")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Emitter

    private static func emit(pairs: [(String, YAMLNode)], indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in pairs {
            emit(value, prefix: pad + scalar(key) + ":", indent: indent, into: &lines)
        }
    }

    private static func emit(items: [YAMLNode], indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            if case .map(let pairs) = item, let first = pairs.first {
                // `- key: value` with the rest of the mapping under the first key.
                emit(first.1, prefix: pad + "- " + scalar(first.0) + ":", indent: indent + 2, into: &lines)
                emit(pairs: Array(pairs.dropFirst()), indent: indent + 2, into: &lines)
            } else {
                emit(item, prefix: pad + "-", indent: indent, into: &lines)
            }
        }
    }

    /// `prefix` is `key:` or `-`; the value goes after it, or below it indented.
    private static func emit(_ value: YAMLNode, prefix: String, indent: Int, into lines: inout [String]) {
        if let text = inline(value) {
            lines.append(prefix + " " + text)
            return
        }
        switch value {
        case .string(let text):
            // A literal block: `|` keeps one final newline, `|-` none, `|+` several.
            let chomp = text.hasSuffix("\n\n") ? "+" : (text.hasSuffix("\n") ? "" : "-")
            lines.append(prefix + " |" + chomp)
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            let pad = String(repeating: " ", count: indent + 2)
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(line.isEmpty ? "" : pad + line)
            }
        case .map(let pairs):
            lines.append(prefix)
            emit(pairs: pairs, indent: indent + 2, into: &lines)
        case .list(let items):
            lines.append(prefix)
            emit(items: items, indent: indent + 2, into: &lines)
        default:
            break
        }
    }

    /// The value on one line, or nil when it needs a block.
    private static func inline(_ value: YAMLNode) -> String? {
        switch value {
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .list(let items): return items.isEmpty ? "[]" : nil
        case .map(let pairs): return pairs.isEmpty ? "{}" : nil
        case .string(let text): return canBeLiteralBlock(text) ? nil : scalar(text)
        }
    }

    private static func canBeLiteralBlock(_ text: String) -> Bool {
        guard text.contains("\n"), !text.hasPrefix(" "), !text.hasPrefix("\n") else { return false }
        // Tabs, carriage returns, trailing spaces and other control characters do not
        // survive a literal block unchanged.
        return !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }
            && !text.split(separator: "\n").contains { $0.hasSuffix(" ") }
    }

    private static let reserved: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    /// A string plain when that is safe, else double-quoted.
    static func scalar(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let safe = { (character: Unicode.Scalar) -> Bool in
            (character >= "a" && character <= "z") || (character >= "A" && character <= "Z")
                || (character >= "0" && character <= "9") || "-_./=+@".unicodeScalars.contains(character)
                || character == ":"
        }
        if let first = scalars.first, (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || first == "/",
            scalars.allSatisfy(safe), !text.hasSuffix(":"), !reserved.contains(text.lowercased())
        {
            return text
        }
        return quoted(text)
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if character.value < 0x20 || character.value == 0x7F {
                    out += "\\x" + String(character.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
