/// A small XML tree that renders itself with every attribute and text escaped: the legacy
/// API's bodies are built from these, never by pasting strings.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var attributes: [(String, String)]
    public var children: [XMLNode]
    public var text: String?

    public init(_ name: String, _ attributes: [(String, String?)] = [], text: String? = nil, children: [XMLNode] = []) {
        self.name = name
        // A nil value leaves the attribute out, so optional fields need no `if`s at the call site.
        self.attributes = attributes.compactMap { key, value in value.map { (key, $0) } }
        self.children = children
        self.text = text
    }

    public static func == (left: XMLNode, right: XMLNode) -> Bool {
        left.rendered() == right.rendered()
    }

    /// The document: an XML declaration and this element.
    public func document() -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + rendered() + "\n"
    }

    public func rendered() -> String {
        var output = ""
        render(into: &output)
        return output
    }

    private func render(into output: inout String) {
        output += "<" + name
        for (key, value) in attributes { output += " \(key)=\"\(Self.escape(value, quotes: true))\"" }
        if children.isEmpty && text == nil {
            output += "/>"
            return
        }
        output += ">"
        if let text { output += Self.escape(text, quotes: false) }
        for child in children { child.render(into: &output) }
        output += "</\(name)>"
    }

    /// Escapes markup characters, and drops control characters XML 1.0 cannot carry at all.
    static func escape(_ text: String, quotes: Bool) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"" where quotes: output += "&quot;"
            case "\n" where quotes: output += "&#10;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
