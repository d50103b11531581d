/// Who a request acts as, after authentication and impersonation: kube-apiserver's
/// `user.Info` (name, uid, groups, extra).
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// The group whose members bypass authorization, as kube-apiserver's privileged-group
    /// authorizer lets them.
    public static let mastersGroup = "system:masters"
    public static let authenticatedGroup = "system:authenticated"
    public static let unauthenticatedGroup = "system:unauthenticated"
    public static let anonymousName = "system:anonymous"

    /// The holder of an admin token (the server's, or a lab session's in its virtual cluster).
    public static let admin = UserInfo(name: "system:admin", groups: [mastersGroup, authenticatedGroup])

    public var isPrivileged: Bool { groups.contains(Self.mastersGroup) }

    /// A ServiceAccount as the API sees it: `system:serviceaccount:<ns>:<name>`, in
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    public static func serviceAccount(namespace: String, name: String, uid: String = "") -> UserInfo {
        UserInfo(
            name: ServiceAccountName.username(namespace: namespace, name: name), uid: uid,
            groups: ServiceAccountName.groups(namespace: namespace) + [authenticatedGroup])
    }
}

/// kube-apiserver's `serviceaccount` naming helpers.
enum ServiceAccountName {
    static let prefix = "system:serviceaccount:"
    static let allGroup = "system:serviceaccounts"

    static func username(namespace: String, name: String) -> String { "\(prefix)\(namespace):\(name)" }

    static func groups(namespace: String) -> [String] { [allGroup, "\(allGroup):\(namespace)"] }

    /// `system:serviceaccount:ns:name` → (ns, name); nil for any other user name.
    static func split(_ username: String) -> (namespace: String, name: String)? {
        guard username.hasPrefix(prefix) else { return nil }
        let parts = username.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
