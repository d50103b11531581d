import Testing

@testable import Tenancy

@Suite struct XMLNodeTests {
    @Test func escapesAttributesAndText() {
        let node = XMLNode("Org", [("name", "a\"<b>&'"), ("missing", nil)], text: "x < y & z")
        #expect(node.rendered() == "<Org name=\"a&quot;&lt;b&gt;&amp;'\">x &lt; y &amp; z</Org>")
    }

    @Test func dropsCharactersXMLCannotCarry() {
        #expect(XMLNode("A", text: "a\u{0}b\u{1B}c").rendered() == "<A>abc</A>")
    }

    @Test func errorShapeIsCloudDirectors() {
        let error = VCDError.badCredentials.xml.rendered()
        #expect(
            error
                == "<Error xmlns=\"http://www.vmware.com/vcloud/v1.5\" majorErrorCode=\"401\" minorErrorCode=\"UNAUTHORIZED\" "
                + "message=\"Invalid credentials.\" stackTrace=\"\"/>")
    }
}
