import KubeModel
import Testing

@Suite struct BearerTokenTests {
    @Test func tokensAre64HexDigitsAndDiffer() {
        let tokens = (0..<100).map { _ in BearerToken.generate() }
        #expect(Set(tokens).count == 100)
        for token in tokens {
            #expect(token.count == 64)
            #expect(token.allSatisfy { "0123456789abcdef".contains($0) }, "\(token)")
        }
        // Every digit position varies: the four draws each fill their own quarter.
        for position in 0..<64 {
            let digits = Set(tokens.map { Array($0)[position] })
            #expect(digits.count > 8, "position \(position)")
        }
    }

    @Test func theAuthorizationHeaderIsParsed() {
        #expect(BearerToken.parse(authorization: "Bearer abc") == "abc")
        #expect(BearerToken.parse(authorization: "bearer  abc ") == "abc")
        #expect(BearerToken.parse(authorization: "Basic abc") == nil)
        #expect(BearerToken.parse(authorization: "Bearer ") == nil)
        #expect(BearerToken.parse(authorization: "Bearer") == nil)
        #expect(BearerToken.parse(authorization: nil) == nil)
        // The scheme in any case, and nothing that merely resembles it byte for byte.
        #expect(BearerToken.parse(authorization: "BEARER abc") == "abc")
        #expect(BearerToken.parse(authorization: "bEaReR abc") == "abc")
        #expect(BearerToken.parse(authorization: "Bearer\u{0}abc") == nil)
        #expect(BearerToken.parse(authorization: "Bearer\tabc") == nil)
        #expect(BearerToken.parse(authorization: "Bearez abc") == nil)
        #expect(BearerToken.parse(authorization: "Béarer abc") == nil)
        #expect(BearerToken.parse(authorization: "Bearer é") == "é")
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(ConstantTime.equals("secret", "secret"))
        #expect(!ConstantTime.equals("secret", "secreT"))
        #expect(!ConstantTime.equals("secret", "secret2"))
        #expect(!ConstantTime.equals("", "x"))
        #expect(ConstantTime.equals("", ""))
        #expect(ConstantTime.equals("é", "é"))
    }
}
