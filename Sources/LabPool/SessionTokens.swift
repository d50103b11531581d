import ControllerKit
import Foundation
import KubeClient
import KubeModel

/// A session's bearer token: random, kept in the Secret `lab-session-<name>` (key `token`)
/// that the session owns, so that it survives a restart and goes with the session.
struct SessionTokens: Sendable {
    /// On a session's token Secret, valued with the session's name.
    static let label = "virtyard.io/lab-session"

    let api: any KubernetesAPI

    /// The Secret's key that holds the token.
    static let tokenKey = "token"

    static func secretName(session: String) -> String { "lab-session-\(session)" }

    /// A new token: the platform's one generator (``BearerToken/generate()``).
    static func generate() -> String { BearerToken.generate() }

    /// The session's token, made and stored on first use.
    func ensure(for session: JSONValue) async throws(KubeClientError) -> String {
        let token = Self.generate()
        var secret = Secret(name: Self.secretName(session: session.name ?? ""), namespace: session.namespace ?? "default")
        secret.labels = [Self.label: session.name ?? ""]
        // Built, not set with `OwnerReferences.setController`: the Secret is new (nothing to
        // conflict with), and callers expect only KubeClientError from here.
        secret.object.ownerReferences = [OwnerReferences.reference(to: session, .labSessions)]
        secret.stringData = [Self.tokenKey: token]
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.secrets, namespace: session.namespace, object: secret.object)
        }
        if created != nil { return token }
        return try await stored(for: session) ?? token
    }

    func stored(for session: JSONValue) async throws(KubeClientError) -> String? {
        let secret = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.secrets, namespace: session.namespace, name: Self.secretName(session: session.name ?? ""))
        }
        return Self.token(in: secret)
    }

    /// The token a session's Secret holds (`data.token`).
    static func token(in secret: JSONValue?) -> String? {
        secret.flatMap { Secret($0).string(tokenKey) }
    }

    func remove(for session: JSONValue) async throws(KubeClientError) {
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.secrets, namespace: session.namespace, name: Self.secretName(session: session.name ?? ""))
        }
    }
}
