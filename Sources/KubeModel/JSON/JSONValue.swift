import Foundation

/// A JSON document held as a value: the representation of every Kubernetes object the
/// server stores, patches and validates without knowing its Go type.
///
/// Integers and floating point numbers are kept apart so that `replicas: 3` comes back as
/// `3`, never `3.0`, as Kubernetes clients expect.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    public var objectValue: [String: JSONValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The number as an integer, when it is one (a double with no fraction counts).
    public var intValue: Int64? {
        switch self {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9.2e18: return Int64(number)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name used in validation messages ("string", "integer", …).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Reads or writes a member of an object; reading from a non-object gives nil,
    /// writing to a non-object turns it into an object.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set { Self.set(&self, at: CollectionOfOne(key)[...], to: newValue) }
    }

    /// The value at a path of object keys, e.g. `["metadata", "labels"]`.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set { Self.set(&self, at: path[...], to: newValue) }
    }

    /// Writes `newValue` at `path` inside `value`, changing each object on the way in place
    /// when nothing else shares it (a copy of each level's dictionary per write showed in
    /// the create profile); a level that is not an object becomes one.
    private static func set<Path: Collection<String>>(_ value: inout JSONValue, at path: Path, to newValue: JSONValue?)
    where Path.SubSequence == Path {
        guard let first = path.first else {
            if let newValue { value = newValue }
            return
        }
        var fields: [String: JSONValue] = [:]
        if case .object(let existing) = value { fields = existing }
        // `value` lets go of its dictionary, so that `fields` holds the only reference.
        value = .null
        let rest = path.dropFirst()
        if rest.isEmpty {
            fields[first] = newValue
        } else {
            set(&fields[first, default: .object([:])], at: rest, to: newValue)
        }
        value = .object(fields)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}
