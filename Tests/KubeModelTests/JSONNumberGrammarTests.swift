import KubeModel
import Testing

/// Numbers as RFC 8259 writes them, no more: Go's decoder (and so kube-apiserver) refuses the
/// rest with 400, and so must Virtyard, or an object it accepted would be one no other
/// client could read back.
@Suite struct JSONNumberGrammarTests {
    @Test(arguments: ["0", "-0", "7", "-12", "3.25", "1e5", "1E+5", "2.5e-3", "9223372036854775807"])
    func validNumbersParse(_ text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.doubleValue != nil)
    }

    @Test(arguments: ["01", "-01", "00", "2.", "1.e5", ".5", "-", "+1", "1e", "1e+", "0x10", "1..2", "--1"])
    func invalidNumbersAreRefused(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{\"replicas\": \(text)}") }
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSONValue(parsing: "[3, 3.0, -0]") == [3, 3.0, 0])
    }
}
