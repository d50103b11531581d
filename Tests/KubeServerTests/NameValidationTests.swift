import Testing

@testable import KubeServer

@Suite struct NameValidationTests {
    @Test func subdomainsAndLabelsFollowRFC1123() {
        for name in ["a", "web-1", "0", "a.b-c.d", String(repeating: "a", count: 253)] {
            #expect(NameValidation.dnsSubdomain(name) == nil, "\(name)")
        }
        for name in ["web-1", "a", String(repeating: "x", count: 63)] {
            #expect(NameValidation.dnsLabel(name) == nil, "\(name)")
        }
        // Upper case, edges, other punctuation, anything outside ASCII (a combining mark after
        // an allowed letter too, and letters that look like ASCII).
        for name in ["", "Web", "-a", "a-", ".a", "a.", "a_b", "a b", "é", "a\u{301}", "а", "a\u{0}"] {
            #expect(NameValidation.dnsSubdomain(name) != nil, "\(name.unicodeScalars.map(\.value))")
            #expect(NameValidation.dnsLabel(name) != nil, "\(name.unicodeScalars.map(\.value))")
        }
        #expect(NameValidation.dnsLabel("a.b") != nil)
    }

    @Test func lengthsAreCountedInCharacters() {
        #expect(NameValidation.dnsSubdomain(String(repeating: "a", count: 254)) == "must be no more than 253 characters")
        #expect(NameValidation.dnsLabel(String(repeating: "a", count: 64)) == "must be no more than 63 characters")
        // 40 two-byte characters are 80 bytes but 40 characters: refused for what they are,
        // not for their length.
        let accented = String(repeating: "é", count: 40)
        #expect(NameValidation.dnsLabel(accented)?.hasPrefix("a lowercase RFC 1123 label") == true)
    }
}
