import Foundation
import KubeModel
import Synchronization

/// Bearer-token authentication: a request carrying one of the tokens acts as the cluster's
/// admin (``UserInfo/admin``, in `system:masters`), as the admin of a kubeadm or k3s
/// cluster does; a token from the TokenRequest API acts as its ServiceAccount.
public struct TokenAuthenticator: Sendable {
    private let tokens: TokenSet
    /// The tree's ServiceAccount tokens; nil admits admin tokens only.
    var serviceAccounts: ServiceAccountTokens?

    public init(tokens: Set<String>) {
        self.tokens = TokenSet(tokens)
    }

    /// Admits whatever `tokens` holds at the time of each request.
    public init(tokenSet: TokenSet) {
        tokens = tokenSet
    }

    /// Who the `Authorization` header names; nil when it names nobody this server knows.
    public func user(for authorization: String?) -> UserInfo? {
        guard let token = BearerToken.parse(authorization: authorization) else { return nil }
        // Compare every candidate in full so timing does not reveal a prefix match.
        var matched = false
        for candidate in tokens.current where ConstantTime.equals(candidate, token) { matched = true }
        if matched { return .admin }
        return serviceAccounts?.user(for: token)
    }

    public func authenticate(_ authorization: String?) -> Bool {
        user(for: authorization) != nil
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
