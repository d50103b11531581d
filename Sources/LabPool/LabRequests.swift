/// The bodies the lab API accepts, decoded strictly (``RequestBody``): a field of the wrong
/// type, `null`, a fraction where an integer belongs, or a field the call does not know is a
/// 400 naming the field — never a silent default. Every field is optional, so an empty body
/// is `{}`.

/// `POST /api/v1/sessions`.
struct StartSessionRequest: Decodable, Equatable {
    var pool: String?
    var scenarioId: String?
    var userId: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case pool, scenarioId, userId
    }

    init(pool: String? = nil, scenarioId: String? = nil, userId: String? = nil) {
        self.pool = pool
        self.scenarioId = scenarioId
        self.userId = userId
    }

    init(from decoder: any Decoder) throws {
        let fields = try StrictFields<CodingKeys>(decoder)
        pool = try fields.string(.pool, length: 1 ... 253)
        scenarioId = try fields.string(.scenarioId, length: 1 ... 253)
        userId = try fields.string(.userId, length: 1 ... 256)
    }
}

/// `PUT /api/v1/sessions/{id}/extend`.
struct ExtendRequest: Decodable, Equatable {
    static let defaultMinutes = 30
    var minutes: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minutes
    }

    init(minutes: Int = Self.defaultMinutes) {
        self.minutes = minutes
    }

    init(from decoder: any Decoder) throws {
        let fields = try StrictFields<CodingKeys>(decoder)
        minutes = try fields.integer(.minutes, in: 1 ... 24 * 60) ?? Self.defaultMinutes
    }
}

/// `POST /api/v1/admin/bootstrap-pool`.
struct BootstrapRequest: Decodable, Equatable {
    var size: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case size
    }

    init(size: Int? = nil) {
        self.size = size
    }

    init(from decoder: any Decoder) throws {
        let fields = try StrictFields<CodingKeys>(decoder)
        size = try fields.integer(.size, in: 0 ... 1000)
    }
}

/// The body of a call that takes none: empty, or `{}`.
struct NoFieldsRequest: Decodable, Equatable {
    init() {}

    init(from decoder: any Decoder) throws {
        _ = try StrictFields<NoFields>(decoder)
    }

    /// No field at all.
    enum NoFields: String, CodingKey, CaseIterable {
        case __never = "\u{0}"
    }
}

/// A body field that is wrong, with the field named.
struct RequestFieldError: Error, Equatable, CustomStringConvertible {
    var field: String
    var problem: String

    var description: String { "field \"\(field)\" \(problem)" }
}

/// A JSON object read field by field: unknown fields and `null` refused, types checked
/// exactly (an integer field takes no fraction and no string).
struct StrictFields<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<AnyField>

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: AnyField.self)
        let known = Set(Key.allCases.map(\.stringValue))
        // Sorted so that the error names the same field every time.
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw RequestFieldError(field: unknown, problem: "is not known here (known: \(known.sorted().joined(separator: ", ")))")
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

    func string(_ key: Key, length: ClosedRange<Int>) throws -> String? {
        guard try present(key) else { return nil }
        let value: String
        do {
            value = try container.decode(String.self, forKey: AnyField(key.stringValue))
        } catch {
            throw RequestFieldError(field: key.stringValue, problem: "must be a string")
        }
        guard length.contains(value.count) else {
            throw RequestFieldError(field: key.stringValue,
                                    problem: "must be \(length.lowerBound) to \(length.upperBound) characters long")
        }
        return value
    }

    func integer(_ key: Key, in range: ClosedRange<Int>) throws -> Int? {
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

/// Any field name, so that unknown ones can be found.
struct AnyField: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
