/// An enumeration of the cluster specification (`type`, `role`, `bootMethod`, …) kept as the
/// string the tenant sent, so that an unknown value decodes and becomes a constraint
/// violation naming the field, not a "malformed JSON" error that names nothing.
public protocol SpecEnumeration: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
    /// Every value the product knows, in the order the documentation lists them.
    static var known: [Self] { get }
}

extension SpecEnumeration {
    /// Whether this is one of ``known``.
    public var isKnown: Bool { Self.known.contains(self) }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The known values joined for a message: `K3S, RKE2, VANILLA`.
    static var knownList: String { known.map(\.rawValue).joined(separator: ", ") }
}
