import HTTPTypes
import KubeModel

extension RequestAttributes {
    /// kube-apiserver's `RequestInfoFactory`: what `method` on `path` asks of the
    /// authorizer. Discovery documents (`/api`, `/apis/apps/v1`) and everything outside
    /// the API are non-resource paths, whose verb is the HTTP method in lower case.
    init(user: UserInfo, method: HTTPRequest.Method, rawPath: String, path: APIPath, query: [String: String]) {
        guard case .resource(let resource) = path else {
            self.init(user: user, verb: method.rawValue.lowercased(), path: rawPath)
            return
        }
        var verb: String
        switch (method, resource.name) {
        case (.get, nil), (.head, nil):
            verb = resource.watchPrefix || ["true", "1"].contains(query["watch"] ?? "") ? "watch" : "list"
        case (.get, .some), (.head, .some): verb = resource.watchPrefix ? "watch" : "get"
        case (.post, _): verb = "create"
        case (.put, _): verb = "update"
        case (.patch, _): verb = "patch"
        case (.delete, nil): verb = "deletecollection"
        case (.delete, .some): verb = "delete"
        default: verb = method.rawValue.lowercased()
        }
        var name = resource.name ?? ""
        // A list or watch of one name (`fieldSelector=metadata.name=x`) is checked against it.
        if name.isEmpty, verb == "list" || verb == "watch", let selector = query["fieldSelector"] {
            let terms = selector.split(separator: ",")
            for term in terms where term.hasPrefix("metadata.name=") {
                let value = term.dropFirst("metadata.name=".count).drop { $0 == "=" }
                if terms.count == 1, !value.isEmpty, !value.contains("/"), value != ".", value != ".." { name = String(value) }
            }
        }
        var namespace = resource.namespace ?? ""
        // `/api/v1/namespaces/<name>` is in its own namespace, as kube-apiserver reads it.
        if resource.group.isEmpty, resource.resource == "namespaces", namespace.isEmpty { namespace = name }
        self.init(
            user: user, verb: verb, namespace: namespace, apiGroup: resource.group, apiVersion: resource.version,
            resource: resource.resource, subresource: resource.subresource ?? "", name: name)
    }
}
