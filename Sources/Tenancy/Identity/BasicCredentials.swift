import Foundation

/// The credentials of a Cloud Director login: `Authorization: Basic base64(user@org:password)`.
///
/// The user part is split at its last `@` (user names may themselves be e-mail addresses),
/// the password at the first `:` after it (passwords may contain colons).
public struct BasicCredentials: Sendable, Equatable {
    public var user: String
    public var organization: String
    public var password: String

    public init(user: String, organization: String, password: String) {
        self.user = user
        self.organization = organization
        self.password = password
    }

    /// Why an `Authorization` header is not usable credentials.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missing
        case notBasic
        case notBase64
        case noPassword
        case noOrganization

        public var description: String {
            switch self {
            case .missing: "no Authorization header: log in with Basic user@organization:password"
            case .notBasic: "the Authorization header is not Basic credentials"
            case .notBase64: "the Basic credentials are not valid base64 of UTF-8 text"
            case .noPassword: "the Basic credentials have no ':' between user and password"
            case .noOrganization: "the Basic credentials name no organisation: use user@organization"
            }
        }
    }

    /// Longest header accepted; real credentials are far shorter.
    static let maximumHeaderLength = 4096

    public init(authorizationHeader header: String?) throws(Problem) {
        guard let header, !header.isEmpty else { throw .missing }
        guard header.utf8.count <= Self.maximumHeaderLength else { throw .notBase64 }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { throw .notBasic }
        guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8)
        else { throw .notBase64 }
        guard let colon = text.firstIndex(of: ":") else { throw .noPassword }
        let identity = text[..<colon]
        guard let at = identity.lastIndex(of: "@") else { throw .noOrganization }
        let user = String(identity[..<at])
        let organization = String(identity[identity.index(after: at)...])
        guard !user.isEmpty, !organization.isEmpty else { throw .noOrganization }
        self.init(user: user, organization: organization, password: String(text[text.index(after: colon)...]))
    }
}
