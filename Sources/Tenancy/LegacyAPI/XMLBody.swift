import Foundation
import Hummingbird

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A request body of the legacy API read into an ``XMLNode`` tree: elements by their local
/// names (namespaces dropped: clients send `vcloud:` prefixes or none), attributes likewise,
/// text trimmed. External entities are never resolved; size and depth are bounded.
///
/// Anything that is not well-formed XML is a 400 `<Error>`, so nothing is created from it.
enum XMLBody {
    static let maximumBytes = 1 << 20
    static let maximumDepth = 32
    static let maximumElements = 10_000

    /// Reads the request's body (at most ``maximumBytes``) and parses it.
    static func read(_ request: Request, context: VCDRequestContext, expecting root: String) async throws -> XMLNode {
        let buffer = try await BoundedBody.collect(request, upTo: maximumBytes)
        let node = try parse(Data(buffer.readableBytesView))
        guard node.name == root else {
            throw VCDError.badRequest("Expected a <\(root)> document, not <\(node.name.prefix(64))>.")
        }
        return node
    }

    static func parse(_ data: Data) throws(VCDError) -> XMLNode {
        guard !data.isEmpty else { throw .badRequest("The request has no body: an XML document is expected.") }
        // A DOCTYPE is where entity expansion attacks live; no Cloud Director client sends one.
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw .badRequest("XML documents with a DOCTYPE or entities are not accepted.")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let problem = builder.problem { throw .badRequest(problem) }
        guard parsed, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed"
            throw .badRequest("The request body is not well-formed XML (line \(parser.lineNumber)): \(reason.prefix(200)).")
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        var problem: String?
        var elements = 0

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements += 1
            guard stack.count < XMLBody.maximumDepth, elements <= XMLBody.maximumElements else {
                problem =
                    "The XML document is nested deeper than \(XMLBody.maximumDepth) or has more than \(XMLBody.maximumElements) elements."
                parser.abortParsing()
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let attributes = attributes.sorted { $0.key < $1.key }.compactMap { key, value -> (String, String?)? in
                if key == "xmlns" || key.hasPrefix("xmlns:") { return nil }
                return (key.split(separator: ":").last.map(String.init) ?? key, value)
            }
            stack.append(XMLNode(local, attributes))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text = (stack[stack.count - 1].text ?? "") + string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard var node = stack.popLast() else { return }
            let trimmed = node.text?.trimmingCharacters(in: .whitespacesAndNewlines)
            node.text = (trimmed?.isEmpty ?? true) ? nil : trimmed
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }
    }
}

extension XMLNode {
    /// The first child element of this local name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// The value of an attribute.
    public func attribute(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }

    /// The text of a child element, nil when absent.
    public func text(of name: String) -> String? { child(name).map { $0.text ?? "" } }

    /// A child's `true`/`false` (also `1`/`0`); nil when absent; 400 for anything else.
    public func bool(of name: String) throws(VCDError) -> Bool? {
        guard let text = text(of: name) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .badRequest("<\(name)> must be true or false, not \"\(text.prefix(32))\".")
        }
    }
}
