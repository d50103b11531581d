import Foundation
import KubeModel
import Yams

/// The user data read into JSON values, within bounds: a guest reads kilobytes, so a
/// megabyte of YAML, a document nested thousands of levels deep or aliases that make a small
/// text stand for millions of nodes are refused before they cost anything.
enum GuestDocument {
    /// Nodes one document may expand to (aliases counted every time they are used).
    static let maximumNodes = 100_000

    /// Every YAML document of `text` (`---`-separated), empty ones skipped.
    static func yamlDocuments(_ text: String, format: String) throws(GuestBootError) -> [JSONValue] {
        if YAMLNesting.exceeds(in: text.utf8) {
            throw .unreadable(format: format, reason: "nested deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        var documents: [JSONValue] = []
        do {
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                var budget = maximumNodes
                let value = try json(node, depth: 0, budget: &budget, format: format)
                if value != .null { documents.append(value) }
            }
            // The sequence keeps a parse error to itself and just ends.
            if let error = sequence.error { throw GuestBootError.unreadable(format: format, reason: parseProblem(error)) }
        } catch let error as GuestBootError {
            throw error
        } catch {
            throw .unreadable(format: format, reason: parseProblem(error))
        }
        return documents
    }

    /// What went wrong and where, without the offending line: Yams quotes it, and in user data
    /// that line can be the join token — the reason reaches Events, operations and the audit log.
    static func parseProblem(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _)?, .parser(_, let problem, let mark, _)?,
            .composer(_, let problem, let mark, _)?:
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .reader(let problem, let offset, _, _)?:
            return offset.map { "\(problem) at byte \($0)" } ?? problem
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            return "duplicated keys \(duplicates.joined(separator: ", ")) at line \(context.mark.line)"
        default:
            return "the YAML cannot be parsed"
        }
    }

    /// The one YAML document of `text`, which must be a mapping.
    static func yamlMapping(_ text: String, format: String) throws(GuestBootError) -> JSONValue {
        let documents = try yamlDocuments(text, format: format)
        guard documents.count == 1, let document = documents.first, document.objectValue != nil else {
            throw .unreadable(format: format, reason: "expected one mapping, found \(documents.count) document(s)")
        }
        return document
    }

    static func jsonObject(_ text: String, format: String) throws(GuestBootError) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw .unreadable(format: format, reason: "\(error)")
        }
        guard value.objectValue != nil else { throw .unreadable(format: format, reason: "the document is not a JSON object") }
        return value
    }

    /// Built node by node, so the bounds hold while it is built. Scalars stay strings except
    /// booleans and integers, which the guests' readers compare as such.
    private static func json(_ node: Yams.Node, depth: Int, budget: inout Int, format: String) throws(GuestBootError) -> JSONValue {
        budget -= 1
        guard budget >= 0 else { throw .unreadable(format: format, reason: "the document expands to more than \(maximumNodes) nodes") }
        guard depth <= JSONValue.maximumNestingDepth else {
            throw .unreadable(format: format, reason: "nested deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { JSONValue.int(Int64($0)) } ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try json(item, depth: depth + 1, budget: &budget, format: format)) }
            return .array(items)
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let name) = key else { throw .unreadable(format: format, reason: "a mapping key must be a string") }
                fields[name.string] = try json(item, depth: depth + 1, budget: &budget, format: format)
            }
            return .object(fields)
        case .alias:
            throw .unreadable(format: format, reason: "unresolved alias")
        }
    }
}
