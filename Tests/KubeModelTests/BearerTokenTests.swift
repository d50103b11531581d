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
    }

    @Test func theAuthorizationHeaderIsParsed() {
        #expect(BearerToken.parse(authorization: "Bearer abc") == "abc")
        #expect(BearerToken.parse(authorization: "bearer  abc ") == "abc")
        #expect(BearerToken.parse(authorization: "Basic abc") == nil)
        #expect(BearerToken.parse(authorization: "Bearer ") == nil)
        #expect(BearerToken.parse(authorization: "Bearer") == nil)
        #expect(BearerToken.parse(authorization: nil) == nil)
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
