import KubeModel

/// What a request asks to do, as kube-apiserver's `authorizer.Attributes` describe it:
/// a verb on a resource (with its group, namespace, subresource and name), or a verb on a
/// non-resource path (`/apis`, `/healthz`).
public struct RequestAttributes: Sendable, Hashable {
    public var user: UserInfo
    public var verb: String
    public var isResourceRequest: Bool
    /// Non-resource requests: the URL path.
    public var path: String
    public var namespace: String
    public var apiGroup: String
    public var apiVersion: String
    public var resource: String
    public var subresource: String
    public var name: String

    public init(
        user: UserInfo, verb: String, namespace: String = "", apiGroup: String = "", apiVersion: String = "",
        resource: String, subresource: String = "", name: String = ""
    ) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        self.path = ""
        self.namespace = namespace
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }

    public init(user: UserInfo, verb: String, path: String) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = false
        self.path = path
        self.namespace = ""
        self.apiGroup = ""
        self.apiVersion = ""
        self.resource = ""
        self.subresource = ""
        self.name = ""
    }

    /// `pods/log` for a subresource, `pods` otherwise.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The 403 kube-apiserver writes (`responsewriters.Forbidden` over `NewForbidden`),
    /// word for word: clients and people match on it.
    public func forbidden(reason: String) -> APIError {
        let who = "User \(Self.quoted(user.name))"
        var message: String
        if isResourceRequest {
            message = "\(who) cannot \(verb) resource \(Self.quoted(combinedResource)) in API group \(Self.quoted(apiGroup))"
            message += namespace.isEmpty ? " at the cluster scope" : " in the namespace \(Self.quoted(namespace))"
        } else {
            message = "\(who) cannot \(verb) path \(Self.quoted(path))"
        }
        if !reason.isEmpty { message += ": \(reason)" }
        guard isResourceRequest, !resource.isEmpty else {
            return APIError(code: 403, reason: .forbidden, message: "forbidden: \(message)")
        }
        let qualified = apiGroup.isEmpty ? resource : "\(resource).\(apiGroup)"
        let subject = name.isEmpty ? qualified : "\(qualified) \(Self.quoted(name))"
        return APIError(
            code: 403, reason: .forbidden, message: "\(subject) is forbidden: \(message)",
            group: apiGroup, kind: resource, name: name.isEmpty ? nil : name)
    }

    /// Go's `%q` for the strings that appear here (names, paths): quotes and backslashes
    /// escaped.
    static func quoted(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}
