/// Who sent a request, as the ``AuthenticationMiddleware`` found it from the bearer token.
public enum Caller: Sendable, Hashable {
    /// The admin token (or any request, when the platform runs without one: tests only).
    case admin
    /// The token of a lab session that has not ended, by the session's id.
    case session(String)
    /// Nobody the platform knows.
    case anonymous(Anonymity)

    /// Why a caller is anonymous: the 401 answer says which.
    public enum Anonymity: Sendable, Hashable {
        /// No `Authorization: Bearer …` header.
        case noToken
        /// A bearer token that is nobody's (unknown, or its session has ended).
        case unknownToken
        /// A token that is not the admin's and could not be checked yet: the lab service that
        /// knows session tokens is not connected to the cluster on this replica (it is
        /// starting). Answered 503, so that a client retries instead of believing its session
        /// ended.
        case unverifiable
    }
}
