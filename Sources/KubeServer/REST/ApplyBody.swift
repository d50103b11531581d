import KubeModel
import Yams

/// The body of a server-side apply: YAML, of which JSON (what kubectl and the Python client
/// send) is the common case, read first by the JSON parser. Bounded like every other body:
/// the responder's size limit, ``JSONValue/maximumNestingDepth`` levels, and a node budget
/// so YAML aliases cannot make a small body stand for millions of nodes.
enum ApplyBody {
    static let maximumNodes = 200_000

    static func parse(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard !body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        let json: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) in try JSONValue(parsing: body) }
        if case .success(let value) = json { return value }
        if case .failure(let error) = json, error.reason.hasPrefix("nesting deeper") {
            throw APIError.badRequest("error decoding YAML: \(error)")
        }
        // Yams composes recursively: a document nested thousands of levels deep is refused
        // before it is parsed, not after.
        if YAMLNesting.exceeds(in: body) {
            throw APIError.badRequest("error decoding YAML: nested deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: String(decoding: body, as: UTF8.self))
        } catch {
            throw APIError.badRequest("error decoding YAML: \(error)")
        }
        guard let node else { throw APIError.badRequest("error decoding YAML: the document is empty") }
        var budget = maximumNodes
        return try value(of: node, depth: 0, budget: &budget)
    }

    private static func value(of node: Yams.Node, depth: Int, budget: inout Int) throws(APIError) -> JSONValue {
        budget -= 1
        guard budget >= 0 else {
            throw APIError.badRequest("error decoding YAML: the document expands to more than \(maximumNodes) nodes")
        }
        guard depth <= JSONValue.maximumNestingDepth else {
            throw APIError.badRequest("error decoding YAML: nested deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { JSONValue.int(Int64($0)) } ?? .string(scalar.string)
            case .float:
                guard let number = node.float, number.isFinite else { return .string(scalar.string) }
                return .double(number)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try value(of: item, depth: depth + 1, budget: &budget)) }
            return .array(items)
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let name) = key else {
                    throw APIError.badRequest("error decoding YAML: a mapping key must be a string")
                }
                fields[name.string] = try value(of: item, depth: depth + 1, budget: &budget)
            }
            return .object(fields)
        case .alias:
            throw APIError.badRequest("error decoding YAML: unresolved alias")
        }
    }
}
