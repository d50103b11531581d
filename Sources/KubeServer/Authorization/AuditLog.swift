import Foundation
import KubeModel
import Synchronization

/// `--audit-log`: one line of JSON per authorized request, in the shape of kube-apiserver's
/// audit log at level `Metadata` (`audit.k8s.io/v1` `Event`): who asked, which verb on which
/// resource, and the authorizer's decision with its reason. What it is for: proving which RBAC
/// rules a component uses (deploy/rbac.yaml must grant no more than the controllers use) and
/// finding the requests that were refused.
///
/// Written at the authorization decision (stage `RequestReceived`; the response's code is not
/// recorded). The file is private (0600): it names users and paths, never tokens or bodies.
public final class AuditLog: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let handle: Mutex<FileHandle>

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw Failure(description: "cannot create the audit log \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure(description: "cannot open the audit log \(path) for writing")
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        handle.seekToEndOfFile()
        self.handle = Mutex(handle)
    }

    /// - Parameters:
    ///   - caller: who authenticated; `request.user` is who the request acts as (an
    ///     impersonated user, as kube-apiserver's `impersonatedUser`, when they differ).
    func record(_ request: RequestAttributes, caller: UserInfo, uri: String, allowed: Bool, reason: String) {
        var event: [String: JSONValue] = [
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "stage": "RequestReceived",
            "auditID": .string(ObjectUID.generate()),
            "requestURI": .string(uri), "verb": .string(request.verb),
            "user": Self.user(caller),
            "stageTimestamp": .string(Timestamp.microString(Date())),
            "annotations": [
                "authorization.k8s.io/decision": allowed ? "allow" : "forbid",
                "authorization.k8s.io/reason": .string(reason),
            ],
        ]
        if caller != request.user { event["impersonatedUser"] = Self.user(request.user) }
        if request.isResourceRequest {
            var reference: [String: JSONValue] = ["resource": .string(request.resource), "apiGroup": .string(request.apiGroup)]
            if !request.apiVersion.isEmpty { reference["apiVersion"] = .string(request.apiVersion) }
            if !request.namespace.isEmpty { reference["namespace"] = .string(request.namespace) }
            if !request.name.isEmpty { reference["name"] = .string(request.name) }
            if !request.subresource.isEmpty { reference["subresource"] = .string(request.subresource) }
            event["objectRef"] = .object(reference)
        }
        let line = JSONValue.object(event).serialized() + [0x0A]
        // A full disk loses lines, never the server.
        handle.withLock { try? $0.write(contentsOf: Data(line)) }
    }

    static func user(_ user: UserInfo) -> JSONValue {
        ["username": .string(user.name), "groups": .array(user.groups.map { .string($0) })]
    }
}
