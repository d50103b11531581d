/// `metadata.resourceVersion`: which version of an object (or list) a client saw.
///
/// One type instead of `String` in one place and `Int64` in another. It is Hashable but on
/// purpose not Comparable: Kubernetes documents the value as opaque — clients "must not assume
/// resource versions are numeric or collatable" and may only compare them for equality (the
/// API concepts page, "Resource versions"). The embedded server happens to use increasing
/// numbers, a real etcd-backed server may not; ordering them would work here and break there.
public struct ResourceVersion: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text exactly as the server wrote it.
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// True for the empty text: "no version", which a list from a server that sends none has.
    public var isEmpty: Bool { rawValue.isEmpty }
}
