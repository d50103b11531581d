import Testing

@testable import Templates

/// A fixed sequence, so generated values can be asserted on.
struct CountingGenerator: RandomNumberGenerator {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next() -> UInt64 {
        // splitmix64: deterministic, well spread.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ExpressionGeneratorTests {
    let generator = ExpressionGenerator()

    func generate(_ expression: String) throws(ExpressionError) -> String {
        var random = CountingGenerator()
        return try generator.generate(expression, using: &random)
    }

    @Test func generatesFromRangesWithTheCountAndKeepsLiteralText() throws {
        let value = try generate("test[0-9]{1}x")
        #expect(value.count == 6)
        #expect(value.hasPrefix("test") && value.hasSuffix("x"))
        #expect(value.dropFirst(4).first!.isNumber)

        let hex = try generate("0x[A-F0-9]{4}")
        #expect(hex.count == 6)
        #expect(hex.dropFirst(2).allSatisfy { "ABCDEF0123456789".contains($0) })

        let name = try generate("[a-zA-Z0-9]{8}")
        #expect(name.count == 8)
        #expect(name.allSatisfy { $0.isLetter || $0.isNumber })
    }

    @Test func classesDrawFromTheirAlphabets() throws {
        #expect(try generate("[\\d]{40}").allSatisfy(\.isNumber))
        #expect(try generate("[\\a]{40}").allSatisfy { $0.isLetter || $0.isNumber })
        #expect(try generate("[\\w]{60}").allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        let symbols = try generate("[\\A]{60}")
        #expect(symbols.count == 60)
        #expect(symbols.allSatisfy { ExpressionGenerator.symbols.contains($0.asciiValue ?? 0) })
        // Single characters, several groups in one expression.
        #expect(try generate("[a]{3}-[b]{2}") == "aaa-bb")
    }

    @Test func twoGenerationsDiffer() throws {
        var random = SystemRandomNumberGenerator()
        let first = try generator.generate("[a-z0-9]{32}", using: &random)
        let second = try generator.generate("[a-z0-9]{32}", using: &random)
        #expect(first != second)
    }

    @Test func textThatIsNotAGroupStaysLiteral() throws {
        #expect(try generate("[!]{3}") == "[!]{3}")
        #expect(try generate("[a-z]") == "[a-z]")
        #expect(try generate("[a-z]{x}") == "[a-z]{x}")
        #expect(try generate("plain") == "plain")
        #expect(try generate("") == "")
    }

    @Test func refusesCountsOutOfBounds() {
        #expect(throws: ExpressionError.countOutOfRange(count: "0", limit: 255)) { try generate("[a-z]{0}") }
        #expect(throws: ExpressionError.countOutOfRange(count: "256", limit: 255)) { try generate("[a-z]{256}") }
        #expect(throws: ExpressionError.countOutOfRange(count: "99999999999999999999", limit: 255)) {
            try generate("[a-z]{99999999999999999999}")
        }
    }

    @Test func refusesGarbageRanges() {
        #expect(throws: ExpressionError.invalidSpan("z-a", ranges: "z-a")) { try generate("[z-a]{4}") }
        #expect(throws: ExpressionError.unknownClass("\\x", ranges: "\\x")) { try generate("[\\x]{4}") }
        #expect(throws: ExpressionError.malformedRange("-")) { try generate("[-]{4}") }
        #expect(throws: ExpressionError.malformedRange("a\\")) { try generate("[a\\]{4}") }
    }

    @Test func boundsTheExpressionAndTheValue() {
        let long = String(repeating: "a", count: 2000)
        #expect(throws: ExpressionError.expressionTooLong(length: 2000, limit: 1024)) { try generate(long) }
        // 100 groups of 255 would be 25,500 characters from a 900-byte expression.
        let many = String(repeating: "[a-z]{255}", count: 100)
        #expect(throws: ExpressionError.valueTooLong(limit: 4096)) { try generate(many) }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(ExpressionError.invalidSpan("z-a", ranges: "z-a").description.contains("invalid range specified: z-a"))
        #expect(ExpressionError.countOutOfRange(count: "0", limit: 255).description == "range must be within [1-255] characters: 0")
    }
}
