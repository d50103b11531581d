import PlatformHTTP

/// The bodies the lab API accepts, read by ``JSONBody`` and decoded strictly
/// (``StrictFields``): a field of the wrong type, `null`, a fraction where an integer
/// belongs, or a field the call does not know is a 400 naming the field — never a silent
/// default. Every field is optional, so an empty body is `{}`. Calls that take no body read
/// ``NoFieldsRequest``.

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
        pool = try fields.string(.pool, length: 1...253)
        scenarioId = try fields.string(.scenarioId, length: 1...253)
        userId = try fields.string(.userId, length: 1...256)
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
        minutes = try fields.integer(.minutes, in: 1...24 * 60) ?? Self.defaultMinutes
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
        size = try fields.integer(.size, in: 0...1000)
    }
}
