import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

@testable import Tenancy

/// The routes over an in-memory directory, and the requests the admin tests make.
enum TenancyHarness {
    static let base = "https://vcd.test:8443"
    static let xml36 = "application/*+xml;version=36.0"
    static let xml33 = "application/*+xml;version=33.0"
    static let json36 = "application/json;version=36.0"

    static func application(_ directory: InMemoryTenants = .standard, sessions: SessionStore = SessionStore())
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: VCDRouter.make(directory: directory, sessions: sessions, address: PublicAddress(base), logger: logger))
    }

    /// Logs in (`administrator@System` at the provider door); the headers of its session.
    static func login(_ client: some TestClientProtocol, _ identity: String, accept: String = xml36) async throws -> HTTPFields {
        let provider = identity.contains("@System:")
        let response = try await client.execute(
            uri: provider ? "/cloudapi/1.0.0/sessions/provider" : "/cloudapi/1.0.0/sessions", method: .post,
            headers: [.authorization: "Basic " + Data(identity.utf8).base64EncodedString(), .accept: json36])
        guard response.status == .ok, let token = response.headers[HTTPField.Name("X-VMWARE-VCLOUD-ACCESS-TOKEN")!] else {
            throw LoginFailed(identity: identity, status: response.status.code)
        }
        return [.authorization: "Bearer \(token)", .accept: accept]
    }

    struct LoginFailed: Error {
        var identity: String
        var status: Int
    }

    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ headers: HTTPFields, body: String? = nil,
        contentType: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers = headers
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return (response.status, String(buffer: response.body))
    }

    static func adminOrgXML(_ name: String, fullName: String = "Full", enabled: Bool = true) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <vcloud:AdminOrg xmlns:vcloud="http://www.vmware.com/vcloud/v1.5" name="\(name)">
        <vcloud:FullName>\(fullName)</vcloud:FullName><vcloud:IsEnabled>\(enabled)</vcloud:IsEnabled><vcloud:Settings/>
        </vcloud:AdminOrg>
        """
    }

    static func userXML(_ name: String, password: String, roleHref: String, enabled: Bool = true) -> String {
        """
        <User xmlns="http://www.vmware.com/vcloud/v1.5" name="\(name)"><Description/><FullName>Full \(name)</FullName>
        <EmailAddress>\(name)@example.com</EmailAddress><IsEnabled>\(enabled)</IsEnabled>
        <Role href="\(roleHref)"/><Password>\(password)</Password></User>
        """
    }

    static func roleHref(_ role: Role) -> String {
        base + "/api/admin/role/" + (InMemoryTenants.roleRecords.first { $0.role == role }?.id ?? "")
    }

    /// The value of `attribute` on the first element that has it.
    static func attribute(_ attribute: String, in body: String) -> String? {
        guard let range = body.range(of: " \(attribute)=\"") else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }
}
