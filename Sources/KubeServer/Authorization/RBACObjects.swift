import KubeModel

/// The stored RBAC kinds, read as the authorizer needs them.
enum RBACResources {
    static let group = "rbac.authorization.k8s.io"
    static let roles = GroupResource(group: group, resource: "roles")
    static let clusterRoles = GroupResource(group: group, resource: "clusterroles")
    static let roleBindings = GroupResource(group: group, resource: "rolebindings")
    static let clusterRoleBindings = GroupResource(group: group, resource: "clusterrolebindings")
}

/// A binding's `subjects[]` entry.
struct RBACSubject: Sendable, Hashable {
    var kind: String
    var name: String
    var namespace: String

    init(kind: String, name: String, namespace: String = "") {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    init(json: JSONValue) {
        self.init(
            kind: json["kind"]?.stringValue ?? "", name: json["name"]?.stringValue ?? "",
            namespace: json["namespace"]?.stringValue ?? "")
    }

    /// `appliesToUser`: a ServiceAccount subject without a namespace means the binding's
    /// own namespace (none for a ClusterRoleBinding, which then matches nobody).
    func applies(to user: UserInfo, bindingNamespace: String) -> Bool {
        switch kind {
        case "User": return user.name == name
        case "Group": return user.groups.contains(name)
        case "ServiceAccount":
            let namespace = self.namespace.isEmpty ? bindingNamespace : self.namespace
            guard !namespace.isEmpty else { return false }
            return user.name == ServiceAccountName.username(namespace: namespace, name: name)
        default: return false
        }
    }

    /// `describeSubject`, for the reason an allowed review gives.
    func described(bindingNamespace: String) -> String {
        if kind == "ServiceAccount" {
            let namespace = self.namespace.isEmpty ? bindingNamespace : self.namespace
            return "\(kind) \(RequestAttributes.quoted("\(name)/\(namespace)"))"
        }
        return "\(kind) \(RequestAttributes.quoted(name))"
    }
}

/// A RoleBinding or ClusterRoleBinding.
struct RBACBinding: Sendable {
    var name: String
    /// Empty for a ClusterRoleBinding.
    var namespace: String
    var roleKind: String
    var roleName: String
    var subjects: [RBACSubject]

    init(json: JSONValue) {
        name = json.name ?? ""
        namespace = json.namespace ?? ""
        roleKind = json[path: ["roleRef", "kind"]]?.stringValue ?? ""
        roleName = json[path: ["roleRef", "name"]]?.stringValue ?? ""
        subjects = json["subjects"]?.arrayValue?.map(RBACSubject.init(json:)) ?? []
    }

    /// The first subject that is `user`, if any.
    func subject(matching user: UserInfo) -> RBACSubject? {
        subjects.first { $0.applies(to: user, bindingNamespace: namespace) }
    }

    /// `clusterRoleBindingDescriber` / `roleBindingDescriber`.
    func described(subject: RBACSubject) -> String {
        let who = subject.described(bindingNamespace: namespace)
        if namespace.isEmpty {
            return "ClusterRoleBinding \(RequestAttributes.quoted(name)) of \(roleKind) \(RequestAttributes.quoted(roleName)) to \(who)"
        }
        return
            "RoleBinding \(RequestAttributes.quoted("\(name)/\(namespace)")) of \(roleKind) \(RequestAttributes.quoted(roleName)) to \(who)"
    }
}
