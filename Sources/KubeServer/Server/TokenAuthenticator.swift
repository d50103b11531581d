import Foundation
import KubeModel
import Synchronization

/// Bearer-token authentication: a request is admitted when it carries one of the tokens.
public struct TokenAuthenticator: Sendable {
    private let tokens: TokenSet

    public init(tokens: Set<String>) {
        self.tokens = TokenSet(tokens)
    }

    /// Admits whatever `tokens` holds at the time of each request.
    public init(tokenSet: TokenSet) {
        tokens = tokenSet
    }

    public func authenticate(_ authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let token = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        // Compare every candidate in full so timing does not reveal a prefix match.
        var matched = false
        for candidate in tokens.current where ConstantTime.equals(candidate, token) { matched = true }
        return matched
    }

    /// 32 random bytes as hex: an admin token.
    public static func generateToken() -> String { BearerToken.generate() }
}

/// Tokens that can be granted and revoked while a server runs (a lab session's token lives
/// as long as the session).
public final class TokenSet: Sendable {
    private let tokens: Mutex<Set<String>>

    public init(_ tokens: Set<String> = []) {
        self.tokens = Mutex(tokens)
    }

    public var current: Set<String> { tokens.withLock { $0 } }

    public func grant(_ token: String) {
        _ = tokens.withLock { $0.insert(token) }
    }

    public func revoke(_ token: String) {
        _ = tokens.withLock { $0.remove(token) }
    }
}
