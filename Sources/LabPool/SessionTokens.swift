import Foundation
import KubeClient
import KubeModel

/// A session's bearer token: random, kept in the Secret `lab-session-<name>` (key `token`)
/// that the session owns, so that it survives a restart and goes with the session.
struct SessionTokens: Sendable {
    /// On a session's token Secret, valued with the session's name.
    static let label = "virtyard.io/lab-session"

    let api: any KubernetesAPI

    static func secretName(session: String) -> String { "lab-session-\(session)" }

    /// A new token: the platform's one generator (``BearerToken/generate()``).
    static func generate() -> String { BearerToken.generate() }

    /// The session's token, made and stored on first use.
    func ensure(for session: JSONValue) async throws(KubeClientError) -> String {
        let token = Self.generate()
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": ["name": .string(Self.secretName(session: session.name ?? "")), "namespace": .string(session.namespace ?? "default"),
                         "labels": .object([Self.label: .string(session.name ?? "")]),
                         "ownerReferences": [["apiVersion": .string(Lab.apiVersion), "kind": "LabSession",
                                              "name": .string(session.name ?? ""), "uid": .string(session.uid ?? ""),
                                              "controller": true, "blockOwnerDeletion": true]]],
            "stringData": ["token": .string(token)],
        ]
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.secrets, namespace: session.namespace, object: secret)
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

    /// The token a session's Secret holds (`data.token`, base64).
    static func token(in secret: JSONValue?) -> String? {
        guard let encoded = secret?[path: ["data", "token"]]?.stringValue, let data = Data(base64Encoded: encoded) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func remove(for session: JSONValue) async throws(KubeClientError) {
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.secrets, namespace: session.namespace, name: Self.secretName(session: session.name ?? ""))
        }
    }
}
