import Crypto
import Foundation
import KubeModel

/// The TokenRequest API's tokens for one API tree: JWT-shaped (`header.claims.signature`,
/// HS256), signed with a key only this tree holds, so a token from one cluster means nothing
/// to another. A token authenticates as its ServiceAccount while it is unexpired, names the
/// API server's audience, and the ServiceAccount it names still exists with the same uid
/// (kube-apiserver's bound-token checks, without the bound pod/secret).
final class ServiceAccountTokens: Sendable {
    let store: ObjectStore
    private let key: SymmetricKey
    private let now: @Sendable () -> Date

    /// The issuer and the audience the API server itself accepts, as kubeadm sets them.
    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// kube-apiserver's defaults and bounds for `spec.expirationSeconds`.
    static let defaultExpirationSeconds: Int64 = 3600
    static let minimumExpirationSeconds: Int64 = 600
    static let maximumExpirationSeconds: Int64 = 1 << 32

    init(store: ObjectStore, key: SymmetricKey = SymmetricKey(size: .bits256), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.key = key
        self.now = now
    }

    /// The key in `path` (created there, readable by the owner only, when absent), so tokens
    /// survive a restart; a fresh in-memory key when `path` is nil.
    static func signingKey(at path: String?) throws -> SymmetricKey {
        guard let path else { return SymmetricKey(size: .bits256) }
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return SymmetricKey(data: data)
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw SigningKeyError(path: path)
        }
        return key
    }

    struct SigningKeyError: Error, CustomStringConvertible {
        var path: String
        var description: String { "could not write the ServiceAccount token signing key to \(path)" }
    }

    struct Issued: Equatable {
        var token: String
        var expiration: Date
    }

    /// A token for the ServiceAccount `namespace/name` whose uid is `uid`.
    func issue(namespace: String, name: String, uid: String, audiences: [String], expirationSeconds: Int64) -> Issued {
        let issuedAt = Int64(now().timeIntervalSince1970)
        let expiry = issuedAt + expirationSeconds
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let claims: JSONValue = [
            "iss": .string(Self.issuer), "sub": .string(ServiceAccountName.username(namespace: namespace, name: name)),
            "aud": .array(audiences.map(JSONValue.string)), "iat": .int(issuedAt), "nbf": .int(issuedAt),
            "exp": .int(expiry),
            "kubernetes.io": [
                "namespace": .string(namespace),
                "serviceaccount": ["name": .string(name), "uid": .string(uid)],
            ],
        ]
        let signingInput = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return Issued(
            token: signingInput + "." + Base64URL.encode(Array(signature)),
            expiration: Date(timeIntervalSince1970: TimeInterval(expiry)))
    }

    /// Who `token` authenticates as; nil for anything this tree did not sign, or signed for
    /// a ServiceAccount that is gone (or replaced), or expired, or meant for another audience.
    func user(for token: String) -> UserInfo? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]) else { return nil }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        // Constant-time comparison of the MAC (swift-crypto's).
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key),
            let claimBytes = Base64URL.decode(parts[1]), let claims = try? JSONValue(parsing: claimBytes),
            let expiry = claims["exp"]?.intValue, Int64(now().timeIntervalSince1970) < expiry,
            claims["aud"]?.arrayValue?.contains(.string(Self.issuer)) == true,
            let namespace = claims[path: ["kubernetes.io", "namespace"]]?.stringValue,
            let name = claims[path: ["kubernetes.io", "serviceaccount", "name"]]?.stringValue,
            let uid = claims[path: ["kubernetes.io", "serviceaccount", "uid"]]?.stringValue
        else { return nil }
        let key = StorageKey(ServiceAccountResources.serviceAccounts, namespace: namespace, name: name)
        guard let account = store.get(key)?.metadata, account.uid == uid, !account.isTerminating else { return nil }
        return .serviceAccount(namespace: namespace, name: name, uid: uid)
    }
}

enum ServiceAccountResources {
    static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    static let configMaps = GroupResource(group: "", resource: "configmaps")
}

/// base64url without padding, as JWTs spell their parts.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
