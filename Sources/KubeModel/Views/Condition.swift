import Foundation

/// One entry of a `status.conditions` list, as `metav1.Condition` (and KubeVirt's and CDI's
/// condition types) have it.
///
/// Fields the type does not model (`lastProbeTime`, a kind's own extras) are kept in
/// ``otherFields`` and written back as they were.
public struct Condition: Sendable, Hashable {
    /// `True`, `False` or `Unknown`; other text is kept as it is.
    public struct Status: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ flag: Bool) { rawValue = flag ? "True" : "False" }

        public static let `true` = Status(rawValue: "True")
        public static let `false` = Status(rawValue: "False")
        public static let unknown = Status(rawValue: "Unknown")

        public var description: String { rawValue }
    }

    /// The keys this type models; ``otherFields`` holds the rest.
    public static let fields: [String] = ["type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"]

    public var type: String
    public var status: Status
    public var reason: String?
    public var message: String?
    /// The RFC 3339 text as stored (kept as text so a condition round-trips byte for byte);
    /// ``transitionDate`` reads it as a date.
    public var lastTransitionTime: String?
    public var observedGeneration: Int64?
    public var otherFields: [String: JSONValue]

    public init(
        type: String, status: Status, reason: String? = nil, message: String? = nil,
        lastTransitionTime: String? = nil, observedGeneration: Int64? = nil,
        otherFields: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
        self.otherFields = otherFields
    }

    /// Nil when the entry is not an object with a string `type`.
    public init?(json: JSONValue) {
        guard var fields = json.objectValue, let type = fields["type"]?.stringValue else { return nil }
        self.type = type
        status = Status(rawValue: fields["status"]?.stringValue ?? "")
        reason = fields["reason"]?.stringValue
        message = fields["message"]?.stringValue
        lastTransitionTime = fields["lastTransitionTime"]?.stringValue
        observedGeneration = fields["observedGeneration"]?.intValue
        for key in Self.fields { fields[key] = nil }
        otherFields = fields
    }

    public var json: JSONValue {
        var fields = otherFields
        fields["type"] = .string(type)
        fields["status"] = .string(status.rawValue)
        if let reason { fields["reason"] = .string(reason) }
        if let message { fields["message"] = .string(message) }
        if let lastTransitionTime { fields["lastTransitionTime"] = .string(lastTransitionTime) }
        if let observedGeneration { fields["observedGeneration"] = .int(observedGeneration) }
        return .object(fields)
    }

    public var isTrue: Bool { status == .true }
    public var transitionDate: Date? { lastTransitionTime.flatMap(Timestamp.date) }
}

extension Array where Element == JSONValue {
    /// The condition of `type` in a `status.conditions` list.
    public func condition(_ type: String) -> Condition? {
        lazy.compactMap(Condition.init(json:)).first { $0.type == type }
    }
}
