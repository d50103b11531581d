import Foundation
import KubeModel

extension ResourceHandler {
    /// `serviceaccounts/<name>/token`: a TokenRequest (authentication.k8s.io/v1) answered
    /// with a token that authenticates as the ServiceAccount (`kubectl create token`).
    func createToken(_ call: Call) throws(APIError) -> APIResponse {
        guard let tokens = serviceAccountTokens else {
            throw APIError(code: 404, reason: .notFound, message: "the server does not issue ServiceAccount tokens")
        }
        let request = try parseBody(call)
        guard request.objectValue != nil else { throw APIError.badRequest("the request body must be a JSON object") }
        let key = call.key
        guard let uid = store.get(key)?.metadata.uid else {
            throw APIError.notFound("serviceaccounts", group: "", name: key.name)
        }
        let requested = request[path: ["spec", "expirationSeconds"]]
        guard requested == nil || requested == .null || requested?.intValue != nil else {
            throw APIError.badRequest("spec.expirationSeconds must be an integer number of seconds")
        }
        let expirationSeconds = requested?.intValue ?? ServiceAccountTokens.defaultExpirationSeconds
        if let problem = Self.expirationProblem(expirationSeconds) {
            throw APIError.invalid(
                kind: "TokenRequest", group: "authentication.k8s.io", name: key.name,
                causes: [.init(reason: "FieldValueInvalid", message: problem, field: "spec.expirationSeconds")])
        }
        var audiences = (request[path: ["spec", "audiences"]]?.arrayValue ?? []).compactMap(\.stringValue)
        if audiences.isEmpty { audiences = [ServiceAccountTokens.issuer] }
        let issued = tokens.issue(
            namespace: key.namespace, name: key.name, uid: uid, audiences: audiences, expirationSeconds: expirationSeconds)
        let response: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": [
                "name": .string(key.name), "namespace": .string(key.namespace),
                "creationTimestamp": .string(Timestamp.now()),
            ],
            "spec": [
                "audiences": .array(audiences.map(JSONValue.string)), "expirationSeconds": .int(expirationSeconds),
                "boundObjectRef": request[path: ["spec", "boundObjectRef"]] ?? .null,
            ],
            "status": [
                "token": .string(issued.token),
                "expirationTimestamp": .string(Timestamp.string(issued.expiration)),
            ],
        ]
        return .object(201, response.serialized())
    }

    /// kube-apiserver's bounds on a requested lifetime, in its words.
    static func expirationProblem(_ seconds: Int64) -> String? {
        if seconds < ServiceAccountTokens.minimumExpirationSeconds {
            return "Invalid value: \(seconds): may not specify a duration less than 10 minutes"
        }
        if seconds > ServiceAccountTokens.maximumExpirationSeconds {
            return "Invalid value: \(seconds): may not specify a duration larger than 2^32 seconds"
        }
        return nil
    }
}
