import Foundation

/// Bearer-token authentication: a request is admitted when it carries one of the tokens.
public struct TokenAuthenticator: Sendable {
    private let tokens: Set<String>

    public init(tokens: Set<String>) {
        self.tokens = tokens
    }

    public func authenticate(_ authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let token = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        // Compare every candidate in full so timing does not reveal a prefix match.
        var matched = false
        for candidate in tokens where Self.constantTimeEquals(candidate, token) { matched = true }
        return matched
    }

    static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// 32 random bytes as hex: an admin token.
    public static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
