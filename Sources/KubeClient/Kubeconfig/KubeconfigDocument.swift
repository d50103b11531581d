import Foundation
import Yams

/// One kubeconfig file as written on disk (the fields this client understands; the rest
/// is ignored, as kubectl ignores what it does not know).
struct KubeconfigDocument: Decodable, Sendable {
    var currentContext: String?
    var clusters: [Named<Cluster>]?
    var contexts: [Named<Context>]?
    var users: [Named<User>]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, contexts, users
    }

    /// A `- name: …` list entry holding one cluster, context or user.
    struct Named<Value: Decodable & Sendable>: Decodable, Sendable {
        var name: String
        var value: Value?

        private enum CodingKeys: String, CodingKey {
            case name, cluster, context, user
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            for key in [CodingKeys.cluster, .context, .user] where container.contains(key) {
                value = try container.decodeIfPresent(Value.self, forKey: key)
                return
            }
            value = nil
        }
    }

    struct Cluster: Decodable, Sendable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct Context: Decodable, Sendable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    struct User: Decodable, Sendable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        /// Present only to say clearly that exec plugins and auth providers are not run.
        var exec: IgnoredValue?
        var authProvider: IgnoredValue?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// Accepts any YAML value; only its presence matters.
    struct IgnoredValue: Decodable, Sendable {
        init(from decoder: any Decoder) throws {}
    }

    /// Reads and decodes one file. An empty file is an empty configuration, as in client-go.
    static func read(path: String) throws(KubeConfigError) -> KubeconfigDocument {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeConfigError.unreadableFile(path: path, reason: Self.reason(error))
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws(KubeConfigError) -> KubeconfigDocument {
        if text.allSatisfy(\.isWhitespace) { return KubeconfigDocument() }
        do {
            return try YAMLDecoder().decode(KubeconfigDocument.self, from: text)
        } catch {
            throw KubeConfigError.invalidFile(path: path, reason: Self.reason(error))
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                    .joined(separator: ".")
                return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
        return error.localizedDescription
    }
}
