/// Finds the lab session a bearer token belongs to. The lab pool implements it (its session
/// tokens live in Secrets it caches); the ``AuthenticationMiddleware`` asks it for every token
/// that is not the admin's.
public protocol SessionTokenLookup: Sendable {
    /// The id of the session whose token this is, when that session has not ended. A match
    /// must be confirmed in constant time (``KubeModel/ConstantTime``).
    func session(forToken token: String) -> String?
    /// Whether a nil from ``session(forToken:)`` means "nobody's": false while the tokens
    /// cannot be read yet (the lab service is still connecting), when the answer is "not known yet".
    var canVerify: Bool { get }
}

extension SessionTokenLookup {
    public var canVerify: Bool { true }
}
