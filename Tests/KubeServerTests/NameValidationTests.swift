import KubeModel
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

@Suite struct ConfigKeyValidationTests {
    private static func resource(_ name: String) -> APIResource {
        BuiltinResources.all.first { $0.group.isEmpty && $0.resource == name }!
    }

    private static func refusedKeys(_ data: [String: JSONValue], field: String = "data", resource: APIResource) -> [String] {
        BuiltinValidation.validate(.object([field: .object(data)]), resource: resource).compactMap(\.field)
    }

    @Test func configMapAndSecretKeysAreLettersDigitsDashUnderscoreAndDot() {
        for resource in [Self.resource("configmaps"), Self.resource("secrets")] {
            let good = ["a", "A-b_c.d", "0", ".env", "..x", String(repeating: "k", count: 253)]
            #expect(Self.refusedKeys(Dictionary(uniqueKeysWithValues: good.map { ($0, "v") }), resource: resource) == [])
            let bad = ["", ".", "..", "a b", "a/b", "é", "a\u{301}", "а", "a\u{0}", "\r\n", String(repeating: "k", count: 254)]
            let refused = Self.refusedKeys(Dictionary(uniqueKeysWithValues: bad.map { ($0, "v") }), resource: resource)
            // Every bad key, once, in key order.
            #expect(refused == bad.sorted().map { "data[\($0)]" }, "\(resource.resource)")
        }
        #expect(Self.refusedKeys(["a b": "v"], field: "binaryData", resource: Self.resource("configmaps")) == ["binaryData[a b]"])
        #expect(Self.refusedKeys(["a b": "v"], field: "stringData", resource: Self.resource("secrets")) == ["stringData[a b]"])
    }
}
