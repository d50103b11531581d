import Testing

@testable import Tenancy

@Suite struct PasswordHashTests {
    @Test func verifiesOnlyTheHashedPassword() throws {
        let hash = try PasswordHash(hashing: "correct horse", costExponent: 10)
        #expect(hash.verify("correct horse"))
        #expect(!hash.verify("correct horse "))
        #expect(!hash.verify(""))
    }

    @Test func storedFormRoundTripsAndNeverHoldsThePassword() throws {
        let hash = try PasswordHash(hashing: "s3cret-pass", costExponent: 10)
        let stored = hash.description
        #expect(stored.hasPrefix("scrypt$10$8$1$"))
        #expect(!stored.contains("s3cret-pass"))
        let parsed = try PasswordHash(parsing: stored)
        #expect(parsed == hash)
        #expect(parsed.verify("s3cret-pass"))
    }

    @Test func samePasswordGetsDifferentSalts() throws {
        let first = try PasswordHash(hashing: "same", costExponent: 10)
        let second = try PasswordHash(hashing: "same", costExponent: 10)
        #expect(first.salt != second.salt)
        #expect(first.key != second.key)
    }

    @Test(arguments: [
        "", "bcrypt$10$8$1$AAAAAAAAAAA=$AAAA", "scrypt$10$8$1$salt",
        "scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
            + String(repeating: "A", count: 43) + "=",
        "scrypt$10$8$1$!!!!$AAAA",
    ])
    func refusesMalformedOrCostlyHashes(_ stored: String) {
        #expect(throws: PasswordHash.Malformed.self) { try PasswordHash(parsing: stored) }
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
    }
}
