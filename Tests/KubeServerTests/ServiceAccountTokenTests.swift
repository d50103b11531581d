import Crypto
import Foundation
import KubeModel
import Synchronization
import Testing

@testable import KubeServer

/// TokenRequest tokens: who they authenticate as, and every way one stops being accepted
/// (expiry, tampering, its ServiceAccount deleted or replaced, another cluster's key).
@Suite struct ServiceAccountTokenTests {
    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { value.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
    }

    static let key = StorageKey(ServiceAccountResources.serviceAccounts, namespace: "team", name: "robot")

    private func putAccount(_ store: ObjectStore, uid: String) async throws {
        let account: JSONValue = [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": "robot", "namespace": "team", "uid": .string(uid)],
        ]
        try await store.mutate(Self.key) { _ in .put(account) }
    }

    private func issue(_ tokens: ServiceAccountTokens, uid: String = "uid-1", audiences: [String] = [ServiceAccountTokens.issuer])
        -> String
    {
        tokens.issue(namespace: "team", name: "robot", uid: uid, audiences: audiences, expirationSeconds: 3600).token
    }

    /// The scheme is matched in any case (RFC 9110) and spaces around the token are dropped;
    /// nothing else gets through.
    @Test func theAdminTokenIsReadFromTheAuthorizationHeader() {
        let authenticator = TokenAuthenticator(tokens: ["admin-token"])
        for header in ["Bearer admin-token", "bearer admin-token", "BEARER \tadmin-token  "] {
            #expect(authenticator.user(for: header) == .admin, "\(header)")
        }
        for header in ["Bearer admin-toke", "Bearer admin-token2", "Basic admin-token", "admin-token", "Bearer ", "", nil] {
            #expect(authenticator.user(for: header) == nil, "\(header ?? "nil")")
        }
    }

    @Test func aValidTokenActsAsItsServiceAccount() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let tokens = ServiceAccountTokens(store: store)
        let user = try #require(tokens.user(for: issue(tokens)))
        #expect(user.name == "system:serviceaccount:team:robot")
        #expect(user.uid == "uid-1")
        #expect(user.groups == ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"])
        #expect(!user.isPrivileged)
    }

    @Test func theAuthenticatorFallsBackToServiceAccountTokens() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let tokens = ServiceAccountTokens(store: store)
        var authenticator = TokenAuthenticator(tokens: ["admin-token"])
        authenticator.serviceAccounts = tokens
        #expect(authenticator.user(for: "Bearer admin-token") == .admin)
        #expect(authenticator.user(for: "Bearer \(issue(tokens))")?.name == "system:serviceaccount:team:robot")
        #expect(authenticator.user(for: "Bearer not.a.token") == nil)
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let clock = Clock()
        let tokens = ServiceAccountTokens(store: store, now: { clock.now })
        let token = issue(tokens)
        clock.advance(3599)
        #expect(tokens.user(for: token) != nil)
        clock.advance(1)
        #expect(tokens.user(for: token) == nil)
    }

    @Test func aTamperedTokenIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        try await store.mutate(StorageKey(ServiceAccountResources.serviceAccounts, namespace: "team", name: "admin")) { _ in
            .put(["kind": "ServiceAccount", "metadata": ["name": "admin", "namespace": "team", "uid": "uid-1"]])
        }
        let tokens = ServiceAccountTokens(store: store)
        let parts = issue(tokens).split(separator: ".").map(String.init)
        // The claims rewritten to name another account, the signature kept.
        let claims = try JSONValue(parsing: try #require(Base64URL.decode(Substring(parts[1]))))
        var forged = claims
        forged[path: ["kubernetes.io", "serviceaccount", "name"]] = "admin"
        let forgedToken = [parts[0], Base64URL.encode(forged.serialized()), parts[2]].joined(separator: ".")
        #expect(tokens.user(for: forgedToken) == nil)
        // A flipped signature character, a missing part, garbage.
        var signature = Array(parts[2])
        signature[0] = signature[0] == "A" ? "B" : "A"
        #expect(tokens.user(for: [parts[0], parts[1], String(signature)].joined(separator: ".")) == nil)
        #expect(tokens.user(for: parts[0] + "." + parts[1]) == nil)
        #expect(tokens.user(for: "a.b.c") == nil)
        #expect(tokens.user(for: "..") == nil)
        #expect(tokens.user(for: "") == nil)
    }

    @Test func aTokenForAnotherAudienceIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let tokens = ServiceAccountTokens(store: store)
        #expect(tokens.user(for: issue(tokens, audiences: ["vault"])) == nil)
    }

    @Test func aTokenOfADeletedServiceAccountIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let tokens = ServiceAccountTokens(store: store)
        let token = issue(tokens)
        try await store.mutate(Self.key) { _ in .delete }
        #expect(tokens.user(for: token) == nil)
    }

    @Test func aTokenOfAReplacedServiceAccountIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let tokens = ServiceAccountTokens(store: store)
        let token = issue(tokens)
        try await putAccount(store, uid: "uid-2")
        #expect(tokens.user(for: token) == nil)
        #expect(tokens.user(for: issue(tokens, uid: "uid-2")) != nil)
    }

    @Test func anotherClustersTokenIsRefused() async throws {
        let store = try ObjectStore(persistence: nil)
        try await putAccount(store, uid: "uid-1")
        let here = ServiceAccountTokens(store: store)
        let elsewhere = ServiceAccountTokens(store: store)
        #expect(here.user(for: issue(elsewhere)) == nil)
    }

    @Test func theSigningKeyIsKeptOwnerReadableAndReused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sa-signing.key").path
        let first = try ServiceAccountTokens.signingKey(at: path)
        let second = try ServiceAccountTokens.signingKey(at: path)
        #expect(first == second)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    /// What a tree's in-server controllers make of a new cluster: `default` and
    /// `kube-root-ca.crt` in each namespace, put back when deleted or edited.
    @Test func everyNamespaceGetsItsDefaultAccountAndRootCA() async throws {
        let tree = try APITree(persistence: nil, historyLimit: 100, rootCAPEM: "PEM", logger: .init(label: "test"))
        try await tree.ensureDefaultNamespaces()
        for controller in tree.perNamespaceObjects { await controller.reconcileAll() }
        for namespace in KubeAPIServer.defaultNamespaces {
            let account = tree.store.get(StorageKey(ServiceAccountResources.serviceAccounts, namespace: namespace, name: "default"))
            #expect(account?.object.uid != nil)
            let configMap = tree.store.get(StorageKey(ServiceAccountResources.configMaps, namespace: namespace, name: "kube-root-ca.crt"))
            #expect(configMap?.object["data"] == ["ca.crt": "PEM"])
        }
        let configMapKey = StorageKey(ServiceAccountResources.configMaps, namespace: "default", name: "kube-root-ca.crt")
        var edited = try #require(tree.store.get(configMapKey)).object
        edited["data"] = ["ca.crt": "edited"]
        let replacement = edited
        try await tree.store.mutate(configMapKey) { _ in .put(replacement) }
        #expect(tree.store.get(configMapKey)?.object["data"] == ["ca.crt": "edited"])
        let accountKey = StorageKey(ServiceAccountResources.serviceAccounts, namespace: "default", name: "default")
        try await tree.store.mutate(accountKey) { _ in .delete }
        for controller in tree.perNamespaceObjects { await controller.reconcileAll() }
        #expect(tree.store.get(configMapKey)?.object["data"] == ["ca.crt": "PEM"])
        #expect(tree.store.get(accountKey) != nil)
    }

    /// Two trees (the host and a virtual cluster, or two virtual clusters) do not accept
    /// each other's tokens, even for a ServiceAccount of the same namespace, name and uid.
    @Test func oneTreesTokenMeansNothingToAnother() async throws {
        let first = try APITree(persistence: nil, historyLimit: 100, logger: .init(label: "test"))
        let second = try APITree(persistence: nil, historyLimit: 100, logger: .init(label: "test"))
        try await putAccount(first.store, uid: "uid-1")
        try await putAccount(second.store, uid: "uid-1")
        let token = issue(first.serviceAccountTokens)
        #expect(first.serviceAccountTokens.user(for: token) != nil)
        #expect(second.serviceAccountTokens.user(for: token) == nil)
    }

    @Test func requestedLifetimesOutsideKubesBoundsAreInvalid() {
        #expect(ResourceHandler.expirationProblem(599) != nil)
        #expect(ResourceHandler.expirationProblem(600) == nil)
        #expect(ResourceHandler.expirationProblem(1 << 33) != nil)
    }
}
