import Foundation
import Testing

@testable import Tenancy

@Suite struct BasicCredentialsTests {
    func header(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }

    @Test func splitsUserOrganisationAndPassword() throws {
        let credentials = try BasicCredentials(authorizationHeader: header("administrator@System:pa:ss@word"))
        #expect(credentials == BasicCredentials(user: "administrator", organization: "System", password: "pa:ss@word"))
    }

    @Test func userNamesMayBeEmailAddresses() throws {
        let credentials = try BasicCredentials(authorizationHeader: header("ann@example.com@acme:pw"))
        #expect(credentials.user == "ann@example.com")
        #expect(credentials.organization == "acme")
    }

    @Test func schemeIsCaseInsensitive() throws {
        let value = "basic " + Data("a@b:c".utf8).base64EncodedString()
        #expect(try BasicCredentials(authorizationHeader: value).organization == "b")
    }

    @Test func refusesMalformedHeaders() {
        func problem(_ value: String?) -> BasicCredentials.Problem? {
            do {
                _ = try BasicCredentials(authorizationHeader: value)
                return nil
            } catch { return error }
        }
        #expect(problem(nil) == .missing)
        #expect(problem("Bearer abc") == .notBasic)
        #expect(problem("Basic") == .notBasic)
        #expect(problem("Basic %%%not-base64") == .notBase64)
        #expect(problem(header("user@org")) == .noPassword)
        #expect(problem(header("user:pw")) == .noOrganization)
        #expect(problem(header("@org:pw")) == .noOrganization)
        #expect(problem(header("user@:pw")) == .noOrganization)
        #expect(problem("Basic " + String(repeating: "A", count: 5000)) == .notBase64)
    }
}
