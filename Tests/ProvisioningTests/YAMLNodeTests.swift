import Testing
import Yams

@testable import Provisioning

/// The emitter's output must read back as exactly what was written, whatever the strings.
@Suite struct YAMLNodeTests {
    static let awkward = [
        "yes", "No", "null", "~", "true", "1.0", "0600", "0x1F", "1_000", "12:30", "1e3", ".inf", "-dash", "- item",
        "a: b", "#comment", "key:", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "quote\"d", "back\\slash",
        "", " leading", "trailing ", "tab\there", "line\nbreak\n", "two\n\nblank\n\n", "no newline\nat end", "  indented\nfirst",
        "trailing space \nline", "ünïcödé", "{flow}", "[flow]", "a,b", "https://host:6443", "sha256:abc", "v1.32.0+k3s1",
        "\u{7}bell",
    ]

    @Test(arguments: awkward)
    func stringsRoundTrip(text: String) throws {
        let document: YAMLNode = .map([("value", .string(text)), ("list", .strings([text, text]))])
        let parsed = try #require(try Yams.load(yaml: document.rendered()) as? [String: Any])
        #expect(parsed["value"] as? String == text, "rendered: \(document.rendered())")
        #expect(parsed["list"] as? [String] == [text, text])
    }

    @Test func keepsKeyOrderAndNesting() throws {
        let document: YAMLNode = .map([
            ("zeta", 1), ("alpha", true), ("items", .list([.map([("b", "x"), ("a", .map([("deep", .list([]))]))]), "plain"])),
            ("empty", .map([])),
        ])
        let text = document.rendered()
        #expect(text.hasPrefix("zeta: 1\nalpha: true\nitems:\n  - b: x\n    a:\n      deep: []\n  - plain\nempty: {}\n"))
        let parsed = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(parsed["zeta"] as? Int == 1)
        #expect(((parsed["items"] as? [Any])?.first as? [String: Any])?["b"] as? String == "x")
    }
}
