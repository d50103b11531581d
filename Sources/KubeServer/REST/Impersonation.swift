import HTTPTypes
import KubeModel

/// `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-*`,
/// as kube-apiserver's impersonation filter applies them: each one must be allowed to the
/// caller with the `impersonate` verb (on `users`, `groups`, `serviceaccounts`, `uids`,
/// `userextras/<key>`); the request then runs as the impersonated user.
enum Impersonation {
    static let user = HTTPField.Name("Impersonate-User")!
    static let group = HTTPField.Name("Impersonate-Group")!
    static let uid = HTTPField.Name("Impersonate-Uid")!
    /// What every impersonation header's name starts with.
    static let prefix = "impersonate-"
    static let extraPrefix = prefix + "extra-"

    /// The user the request acts as: `caller` when it impersonates nobody.
    static func apply(_ headers: HTTPFields, caller: UserInfo, authorizer: APIAuthorizer) throws(APIError) -> UserInfo {
        // Most requests impersonate nobody: one pass over their few headers says so.
        guard headers.contains(where: { $0.name.canonicalName.hasPrefix(prefix) }) else { return caller }
        let userName = headers[user]
        let groups = headers[values: group]
        let uidValue = headers[uid]
        var extra: [String: [String]] = [:]
        for field in headers where field.name.canonicalName.hasPrefix(extraPrefix) {
            let key = String(field.name.canonicalName.dropFirst(extraPrefix.count)).removingPercentEncoding ?? ""
            extra[key, default: []].append(field.value)
        }
        guard let userName else {
            if !groups.isEmpty || uidValue != nil || !extra.isEmpty {
                throw APIError.badRequest("requested \(describe(groups: groups, uid: uidValue, extra: extra)) without impersonating a user")
            }
            return caller
        }
        // Each impersonated attribute is its own check, as in kube-apiserver.
        var checks: [RequestAttributes] = []
        var impersonatedGroups = groups
        if let account = ServiceAccountName.split(userName) {
            checks.append(
                RequestAttributes(
                    user: caller, verb: "impersonate", namespace: account.namespace,
                    resource: "serviceaccounts", name: account.name))
            if groups.isEmpty { impersonatedGroups = ServiceAccountName.groups(namespace: account.namespace) }
        } else {
            checks.append(RequestAttributes(user: caller, verb: "impersonate", resource: "users", name: userName))
        }
        for name in groups {
            checks.append(RequestAttributes(user: caller, verb: "impersonate", resource: "groups", name: name))
        }
        if let uidValue {
            checks.append(
                RequestAttributes(
                    user: caller, verb: "impersonate", apiGroup: "authentication.k8s.io",
                    resource: "uids", name: uidValue))
        }
        for (key, values) in extra.sorted(by: { $0.key < $1.key }) {
            for value in values {
                checks.append(
                    RequestAttributes(
                        user: caller, verb: "impersonate", apiGroup: "authentication.k8s.io",
                        resource: "userextras", subresource: key, name: value))
            }
        }
        for check in checks {
            let decision = authorizer.authorize(check)
            guard decision.allowed else { throw check.forbidden(reason: decision.reason) }
        }
        if userName != UserInfo.anonymousName,
            !impersonatedGroups.contains(UserInfo.authenticatedGroup), !impersonatedGroups.contains(UserInfo.unauthenticatedGroup)
        {
            impersonatedGroups.append(UserInfo.authenticatedGroup)
        }
        return UserInfo(name: userName, uid: uidValue ?? "", groups: impersonatedGroups, extra: extra)
    }

    private static func describe(groups: [String], uid: String?, extra: [String: [String]]) -> String {
        var parts = groups.map { "{Group \($0)}" }
        if let uid { parts.append("{UID \(uid)}") }
        parts += extra.keys.sorted().map { "{Extra \($0)}" }
        return "[" + parts.joined(separator: " ") + "]"
    }
}
