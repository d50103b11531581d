/// A JSON object read field by field, for request types that decode themselves strictly:
/// unknown fields and `null` refused, types checked exactly (an integer field takes no
/// fraction and no string), each refusal a ``RequestFieldError`` naming the field, which
/// ``JSONBody`` answers with 400.
public struct StrictFields<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<AnyField>

    public init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: AnyField.self)
        let known = Set(Key.allCases.map(\.stringValue))
        // Sorted so that the error names the same field every time.
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            let which = known.isEmpty ? "this call takes no fields" : "known: \(known.sorted().joined(separator: ", "))"
            throw RequestFieldError(field: unknown, problem: "is not known here (\(which))")
        }
    }

    private func present(_ key: Key) throws -> Bool {
        let field = AnyField(key.stringValue)
        guard container.contains(field) else { return false }
        if try container.decodeNil(forKey: field) {
            throw RequestFieldError(field: key.stringValue, problem: "must not be null (leave it out instead)")
        }
        return true
    }

    public func string(_ key: Key, length: ClosedRange<Int>) throws -> String? {
        guard try present(key) else { return nil }
        let value: String
        do {
            value = try container.decode(String.self, forKey: AnyField(key.stringValue))
        } catch {
            throw RequestFieldError(field: key.stringValue, problem: "must be a string")
        }
        guard length.contains(value.count) else {
            throw RequestFieldError(
                field: key.stringValue,
                problem: "must be \(length.lowerBound) to \(length.upperBound) characters long")
        }
        return value
    }

    public func integer(_ key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard try present(key) else { return nil }
        let value: Int
        do {
            value = try container.decode(Int.self, forKey: AnyField(key.stringValue))
        } catch {
            throw RequestFieldError(field: key.stringValue, problem: "must be an integer")
        }
        guard range.contains(value) else {
            throw RequestFieldError(field: key.stringValue, problem: "must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// A body field that is wrong, with the field named.
public struct RequestFieldError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "field \"\(field)\" \(problem)" }
}

/// The body of a call that takes none: empty, or `{}`.
public struct NoFieldsRequest: Decodable, Equatable, Sendable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        _ = try StrictFields<NoFields>(decoder)
    }

    /// No field at all.
    enum NoFields: CodingKey, CaseIterable {
        var stringValue: String { switch self {} }
        var intValue: Int? { nil }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }
}

/// Any field name, so that unknown ones can be found.
struct AnyField: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
