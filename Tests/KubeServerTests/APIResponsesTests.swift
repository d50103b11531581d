import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

/// Responses shaped as kube-apiserver's: DELETE answers, error `Status` details, and the
/// authorization verdicts (403, reviews, impersonation).
@Suite struct APIResponsesTests {
    private func withAPI(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["test-token"]))
        try await server.ensureDefaultNamespaces()
        try await Application(responder: server.makeResponder()).test(.router) { client in try await body(client) }
    }

    private func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> (Int, JSONValue) {
        var headers: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]
        headers.append(contentsOf: extra)
        return try await client.execute(
            uri: uri, method: method, headers: headers,
            body: body.map { ByteBuffer(bytes: $0.serialized()) }
        ) { response in
            let bytes = Array(response.body.readableBytesView)
            return (response.status.code, (try? JSONValue(parsing: bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
        }
    }

    @Test func deleteAnswersTheObjectOnlyForTheKindsWhoseRegistrySaysSo() async throws {
        try await withAPI { client in
            let account: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]]
            #expect(try await call(client, .post, "/api/v1/namespaces/default/serviceaccounts", account).0 == 201)
            let (code, deleted) = try await call(client, .delete, "/api/v1/namespaces/default/serviceaccounts/robot")
            #expect(code == 200)
            #expect(deleted["kind"] == "ServiceAccount" && deleted.name == "robot")

            let map: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "m"]]
            #expect(try await call(client, .post, "/api/v1/namespaces/default/configmaps", map).0 == 201)
            let (statusCode, status) = try await call(client, .delete, "/api/v1/namespaces/default/configmaps/m")
            #expect(statusCode == 200)
            #expect(status["kind"] == "Status" && status["status"] == "Success")
            #expect(status[path: ["details", "kind"]] == "configmaps")
            #expect(status[path: ["details", "group"]] == nil)
        }
    }

    @Test func aDeleteHeldByFinalizersAnswersTheObjectForEveryKind() async throws {
        try await withAPI { client in
            let map: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "held", "finalizers": ["example.com/hold"]],
            ]
            #expect(try await call(client, .post, "/api/v1/namespaces/default/configmaps", map).0 == 201)
            let (code, object) = try await call(client, .delete, "/api/v1/namespaces/default/configmaps/held")
            #expect(code == 200)
            #expect(object["kind"] == "ConfigMap")
            #expect(object[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
        }
    }

    @Test func errorStatusOmitsEmptyFieldsAsGoDoes() async throws {
        try await withAPI { client in
            let (code, status) = try await call(client, .get, "/api/v1/namespaces/default/pods/missing")
            #expect(code == 404)
            #expect(status["details"] == ["name": "missing", "kind": "pods"])
            let bare = APIError.badRequest("no").wireStatus
            #expect(bare["details"] == nil)
            let emptyGroup = APIError(code: 404, reason: .notFound, message: "x", group: "", kind: "", name: "n").wireStatus
            #expect(emptyGroup["details"] == ["name": "n"])
        }
    }

    @Test func anImpersonatedAccountWithoutBindingsIsForbiddenWithKubeApiserversMessage() async throws {
        try await withAPI { client in
            let account = "system:serviceaccount:default:x"
            let (code, status) = try await call(
                client, .get, "/api/v1/namespaces/default/pods",
                headers: [Impersonation.user: account])
            #expect(code == 403)
            #expect(
                status["message"]
                    == .string(
                        "pods is forbidden: User \"\(account)\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
                    ))
            #expect(status["details"] == ["kind": "pods"])
            // Discovery is every authenticated user's (bootstrap policy).
            #expect(try await call(client, .get, "/apis", headers: [Impersonation.user: account]).0 == 200)
            // A group without a user is refused.
            #expect(try await call(client, .get, "/apis", headers: [Impersonation.group: "g"]).0 == 400)
        }
    }

    @Test func selfSubjectAccessReviewIsTruthful() async throws {
        try await withAPI { client in
            let review: JSONValue = [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": ["resourceAttributes": ["namespace": "default", "verb": "list", "resource": "pods"]],
            ]
            let path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
            let (adminCode, admin) = try await call(client, .post, path, review)
            #expect(adminCode == 201)
            #expect(admin[path: ["status", "allowed"]] == true)
            let (_, account) = try await call(
                client, .post, path, review,
                headers: [Impersonation.user: "system:serviceaccount:default:x"])
            #expect(account[path: ["status", "allowed"]] == false)

            let role: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "r"],
                "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]]],
            ]
            #expect(try await call(client, .post, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", role).0 == 201)
            let binding: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "b"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"],
                "subjects": [["kind": "ServiceAccount", "name": "x", "namespace": "default"]],
            ]
            #expect(try await call(client, .post, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", binding).0 == 201)
            let (_, granted) = try await call(
                client, .post, path, review,
                headers: [Impersonation.user: "system:serviceaccount:default:x"])
            #expect(granted[path: ["status", "allowed"]] == true)
            #expect(
                granted[path: ["status", "reason"]]
                    == "RBAC: allowed by RoleBinding \"b/default\" of Role \"r\" to ServiceAccount \"x/default\"")
            let (listCode, _) = try await call(
                client, .get, "/api/v1/namespaces/default/pods",
                headers: [Impersonation.user: "system:serviceaccount:default:x"])
            #expect(listCode == 200)
        }
    }

    @Test func eachVirtualClusterEvaluatesItsOwnBindings() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["admin"]))
        try await server.ensureDefaultNamespaces()
        _ = try await server.virtualClusters.create(id: "lab", tokens: ["session"])
        try await Application(responder: server.makeResponder()).test(.router) { client in
            func send(
                _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil, token: String,
                as user: String? = nil
            ) async throws -> Int {
                var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                if let user { headers[Impersonation.user] = user }
                return try await client.execute(
                    uri: uri, method: method, headers: headers,
                    body: body.map { ByteBuffer(bytes: $0.serialized()) }
                ) { $0.status.code }
            }
            let account = "system:serviceaccount:default:student"
            let pods = "/api/v1/namespaces/default/pods"
            // The session token is the lab cluster's admin; the account starts with nothing.
            #expect(try await send(.get, "/clusters/lab" + pods, token: "session") == 200)
            #expect(try await send(.get, "/clusters/lab" + pods, token: "session", as: account) == 403)
            let binding: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "student"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"],
                "subjects": [["kind": "ServiceAccount", "name": "student", "namespace": "default"]],
            ]
            let bindings = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings"
            #expect(try await send(.post, "/clusters/lab" + bindings, binding, token: "session") == 201)
            // `view` is aggregated by the cluster's own controller; wait for its rules.
            var attempts = 0
            while try await send(.get, "/clusters/lab" + pods, token: "session", as: account) != 200, attempts < 200 {
                attempts += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await send(.get, "/clusters/lab" + pods, token: "session", as: account) == 200)
            #expect(try await send(.delete, "/clusters/lab" + pods + "/x", token: "session", as: account) == 403)
            // The host's bindings are its own.
            #expect(try await send(.get, pods, token: "admin", as: account) == 403)
        }
    }
}
