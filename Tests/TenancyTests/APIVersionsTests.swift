import Testing

@testable import Tenancy

@Suite struct APIVersionsTests {
    @Test func picksTheRequestedSupportedVersion() throws {
        #expect(try APIVersions.negotiate(accept: "application/*+xml;version=36.0") == "36.0")
        #expect(try APIVersions.negotiate(accept: "application/json;version=33.0") == "33.0")
        #expect(try APIVersions.negotiate(accept: "application/json; version=\"37.2\"") == "37.2")
    }

    @Test func noVersionMeansTheNewest() throws {
        #expect(try APIVersions.negotiate(accept: nil) == "37.2")
        #expect(try APIVersions.negotiate(accept: "application/*+xml") == "37.2")
    }

    @Test func unsupportedVersionsAreRefused() {
        #expect(throws: APIVersions.Unsupported.self) { try APIVersions.negotiate(accept: "application/*+xml;version=5.5") }
        #expect(throws: APIVersions.Unsupported.self) { try APIVersions.negotiate(accept: "application/*+xml;version=32.0") }
        #expect(throws: APIVersions.Unsupported.self) { try APIVersions.negotiate(accept: "application/*+xml;version=38.0") }
    }

    @Test func versionsDocumentListsEveryVersionWithAbsoluteLoginURL() {
        let document = APIVersions.document(base: "https://vcd.example:8443").rendered()
        #expect(document.hasPrefix("<SupportedVersions xmlns=\"http://www.vmware.com/vcloud/versions\""))
        for version in ["33.0", "34.0", "35.0", "36.0", "37.0", "37.1", "37.2"] {
            #expect(document.contains("<VersionInfo deprecated=\"false\"><Version>\(version)</Version>"))
        }
        #expect(document.contains("<LoginUrl>https://vcd.example:8443/api/sessions</LoginUrl>"))
    }
}
