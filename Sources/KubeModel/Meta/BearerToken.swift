/// Bearer tokens as the platform hands them out (the admin token, lab session tokens) and as
/// requests carry them (`Authorization: Bearer <token>`).
public enum BearerToken {
    /// 32 random bytes from the system's secure generator, as 64 lowercase hex digits.
    public static func generate() -> String {
        // 32 bytes in four draws: each draw is one `getrandom` call.
        var generator = SystemRandomNumberGenerator()
        let bytes = (generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        withUnsafeBytes(of: bytes) { raw in for byte in raw { LowercaseHex.append(byte, to: &text) } }
        return String(decoding: text, as: UTF8.self)
    }

    /// The token of an `Authorization` header value; nil when it is absent, not a bearer
    /// token, or empty. The scheme is matched case-insensitively, as RFC 9110 asks.
    public static func parse(authorization: String?) -> String? {
        // Compared as bytes: counting and lowercasing characters showed in every request's profile.
        guard let authorization, authorization.utf8.count > 7,
            zip(authorization.utf8.prefix(7), "bearer ".utf8).allSatisfy({ sent, expected in
                sent == expected || (expected != UInt8(ascii: " ") && sent | 0x20 == expected)
            })
        else { return nil }
        let token = authorization.dropFirst(7).trimmingHTTPWhitespace()
        return token.isEmpty ? nil : String(token)
    }
}
