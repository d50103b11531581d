import Testing

@testable import KubeModel

/// Parses JSON written in a test; a typo in the test itself fails the test, not the process.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        Issue.record("test JSON does not parse: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Every object key anywhere in `value` that starts with `$`.
func directiveKeys(in value: JSONValue) -> [String] {
    switch value {
    case .object(let fields):
        return fields.keys.filter { $0.hasPrefix("$") } + fields.values.flatMap(directiveKeys(in:))
    case .array(let items):
        return items.flatMap(directiveKeys(in:))
    default:
        return []
    }
}
