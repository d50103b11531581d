import KubeModel

/// RBAC over one API tree's stored Roles, ClusterRoles and their bindings, evaluated as
/// kube-apiserver's RBAC authorizer evaluates it: every ClusterRoleBinding naming the user,
/// then every RoleBinding of the request's namespace naming the user; the first rule that
/// allows the request decides. A binding applies from the moment it is written, as in
/// kube-apiserver once its informer has seen it: only each version's decoding is kept.
struct RBACAuthorizer: Sendable {
    let store: ObjectStore

    /// What a check concluded, with kube-apiserver's reason text.
    struct Decision: Sendable, Equatable {
        var allowed: Bool
        /// `RBAC: allowed by …`, or the errors met (`RBAC: role.rbac… "x" not found`).
        var reason: String
    }

    func authorize(_ request: RequestAttributes) -> Decision {
        var reason: String?
        var errors: [String] = []
        visitRules(for: request.user, namespace: request.namespace) { source, rule, error in
            if let rule, rule.allows(request) {
                reason = "RBAC: allowed by \(source)"
                return false
            }
            if let error { errors.append(error) }
            return true
        }
        if let reason { return Decision(allowed: true, reason: reason) }
        return Decision(allowed: false, reason: Self.aggregate(errors).map { "RBAC: \($0)" } ?? "")
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide rules included), and
    /// the errors met on the way: `SelfSubjectRulesReview`'s answer.
    func rules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [String]) {
        var rules: [PolicyRule] = []
        var errors: [String] = []
        visitRules(for: user, namespace: namespace) { _, rule, error in
            if let rule { rules.append(rule) }
            if let error { errors.append(error) }
            return true
        }
        return (rules, errors)
    }

    /// `visitRulesFor`: calls `visit(source, rule, error)` for each rule bound to `user`,
    /// until it answers false.
    private func visitRules(
        for user: UserInfo, namespace: String,
        _ visit: (String, PolicyRule?, String?) -> Bool
    ) {
        for (slot, stored) in store.sortedEntries(RBACResources.clusterRoleBindings).entries {
            let key = StorageKey(RBACResources.clusterRoleBindings, name: slot.name)
            let binding = store.decoded.value(of: stored, at: key, RBACBinding.init(json:))
            guard let subject = binding.subject(matching: user) else { continue }
            let source = binding.described(subject: subject)
            switch roleRules(kind: binding.roleKind, name: binding.roleName, namespace: "") {
            case .success(let rules):
                for rule in rules where !visit(source, rule, nil) { return }
            case .failure(let error):
                if !visit(source, nil, error.message) { return }
            }
        }
        guard !namespace.isEmpty else { return }
        for (slot, stored) in store.sortedEntries(RBACResources.roleBindings, namespace: namespace).entries {
            let key = StorageKey(RBACResources.roleBindings, namespace: slot.namespace, name: slot.name)
            let binding = store.decoded.value(of: stored, at: key, RBACBinding.init(json:))
            guard let subject = binding.subject(matching: user) else { continue }
            let source = binding.described(subject: subject)
            switch roleRules(kind: binding.roleKind, name: binding.roleName, namespace: namespace) {
            case .success(let rules):
                for rule in rules where !visit(source, rule, nil) { return }
            case .failure(let error):
                if !visit(source, nil, error.message) { return }
            }
        }
    }

    struct RoleError: Error {
        var message: String
    }

    /// `GetRoleReferenceRules`: a ClusterRole's rules, or a Role's in the binding's namespace.
    private func roleRules(kind: String, name: String, namespace: String) -> Result<[PolicyRule], RoleError> {
        let key: StorageKey
        let singular: String
        switch kind {
        case "ClusterRole":
            key = StorageKey(RBACResources.clusterRoles, name: name)
            singular = "clusterrole"
        case "Role" where !namespace.isEmpty:
            key = StorageKey(RBACResources.roles, namespace: namespace, name: name)
            singular = "role"
        default:
            return .failure(RoleError(message: "unsupported role reference kind: \(RequestAttributes.quoted(kind))"))
        }
        guard let stored = store.get(key) else {
            // Listers name the resource by its singular: `role.rbac.authorization.k8s.io "x" not found`.
            return .failure(RoleError(message: "\(singular).\(RBACResources.group) \(RequestAttributes.quoted(name)) not found"))
        }
        return .success(store.decoded.value(of: stored, at: key) { $0["rules"]?.arrayValue?.map(PolicyRule.init(json:)) ?? [] })
    }

    /// `utilerrors.NewAggregate(errors).Error()`: one message alone, several in brackets,
    /// duplicates once.
    static func aggregate(_ errors: [String]) -> String? {
        var seen = Set<String>()
        let unique = errors.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0: return nil
        case 1: return unique[0]
        default: return "[" + unique.joined(separator: ", ") + "]"
        }
    }
}

/// kube-apiserver's authorizer chain as Virtyard runs it: `system:masters` may do anything
/// (the privileged-group authorizer, before any other), then RBAC; no opinion is a denial.
public struct APIAuthorizer: Sendable {
    let rbac: RBACAuthorizer

    init(store: ObjectStore) {
        rbac = RBACAuthorizer(store: store)
    }

    func authorize(_ request: RequestAttributes) -> RBACAuthorizer.Decision {
        if request.user.isPrivileged { return .init(allowed: true, reason: "") }
        return rbac.authorize(request)
    }

    /// The rules `user` holds in `namespace`: the privileged group's `*` rules, then RBAC's.
    func rules(for user: UserInfo, namespace: String) -> (resource: [PolicyRule], nonResource: [PolicyRule], errors: [String]) {
        var rules: [PolicyRule] = []
        if user.isPrivileged {
            rules.append(PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]))
            rules.append(PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]))
        }
        let found = rbac.rules(for: user, namespace: namespace)
        rules += found.rules
        return (rules.filter { !$0.resources.isEmpty }, rules.filter { !$0.nonResourceURLs.isEmpty }, found.errors)
    }
}
