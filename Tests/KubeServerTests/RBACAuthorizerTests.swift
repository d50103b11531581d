import KubeModel
import Testing

@testable import KubeServer

/// RBAC evaluated over stored objects, rule shape by rule shape, against what
/// kube-apiserver's authorizer decides for the same policy.
@Suite struct RBACAuthorizerTests {
    static let account = UserInfo.serviceAccount(namespace: "team", name: "robot")
    static let alice = UserInfo(name: "alice", groups: ["developers", UserInfo.authenticatedGroup])

    private func store(_ objects: [JSONValue]) async throws -> ObjectStore {
        let store = try ObjectStore(persistence: nil)
        for object in objects {
            let resource: GroupResource
            switch object["kind"]?.stringValue {
            case "Role": resource = RBACResources.roles
            case "ClusterRole": resource = RBACResources.clusterRoles
            case "RoleBinding": resource = RBACResources.roleBindings
            default: resource = RBACResources.clusterRoleBindings
            }
            let key = StorageKey(resource, namespace: object.namespace ?? "", name: object.name ?? "")
            try await store.mutate(key) { _ in .put(object) }
        }
        return store
    }

    private func role(_ name: String, namespace: String? = nil, rules: [JSONValue]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["kind": namespace == nil ? "ClusterRole" : "Role", "metadata": metadata, "rules": .array(rules)]
    }

    private func binding(
        _ name: String, namespace: String? = nil, roleKind: String, role: String,
        subjects: [JSONValue]
    ) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return [
            "kind": namespace == nil ? "ClusterRoleBinding" : "RoleBinding", "metadata": metadata,
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(role)],
            "subjects": .array(subjects),
        ]
    }

    struct RuleCase: CustomTestStringConvertible, Sendable {
        var name: String
        var rule: JSONValue
        var request: RequestAttributes
        var allowed: Bool
        var testDescription: String { name }
    }

    static func resource(
        _ verb: String, _ resource: String, group: String = "", subresource: String = "",
        name: String = "", namespace: String = "team"
    ) -> RequestAttributes {
        RequestAttributes(
            user: account, verb: verb, namespace: namespace, apiGroup: group, resource: resource,
            subresource: subresource, name: name)
    }

    static let ruleCases: [RuleCase] = [
        .init(
            name: "exact verb and resource", rule: ["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]],
            request: resource("list", "pods"), allowed: true),
        .init(
            name: "other verb", rule: ["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]],
            request: resource("delete", "pods", name: "p"), allowed: false),
        .init(
            name: "verb *", rule: ["apiGroups": [""], "resources": ["pods"], "verbs": ["*"]],
            request: resource("deletecollection", "pods"), allowed: true),
        .init(
            name: "other group", rule: ["apiGroups": [""], "resources": ["deployments"], "verbs": ["get"]],
            request: resource("get", "deployments", group: "apps", name: "d"), allowed: false),
        .init(
            name: "group *", rule: ["apiGroups": ["*"], "resources": ["deployments"], "verbs": ["get"]],
            request: resource("get", "deployments", group: "apps", name: "d"), allowed: true),
        .init(
            name: "resource * covers subresources", rule: ["apiGroups": [""], "resources": ["*"], "verbs": ["get"]],
            request: resource("get", "pods", subresource: "log", name: "p"), allowed: true),
        .init(
            name: "pods does not cover pods/log", rule: ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]],
            request: resource("get", "pods", subresource: "log", name: "p"), allowed: false),
        .init(
            name: "pods/log", rule: ["apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]],
            request: resource("get", "pods", subresource: "log", name: "p"), allowed: true),
        .init(
            name: "pods/log does not cover pods", rule: ["apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]],
            request: resource("get", "pods", name: "p"), allowed: false),
        .init(
            name: "*/status", rule: ["apiGroups": ["*"], "resources": ["*/status"], "verbs": ["update"]],
            request: resource("update", "deployments", group: "apps", subresource: "status", name: "d"), allowed: true),
        .init(
            name: "*/status not */scale", rule: ["apiGroups": ["*"], "resources": ["*/status"], "verbs": ["update"]],
            request: resource("update", "deployments", group: "apps", subresource: "scale", name: "d"), allowed: false),
        .init(
            name: "resourceNames match",
            rule: ["apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["one"], "verbs": ["get"]],
            request: resource("get", "configmaps", name: "one"), allowed: true),
        .init(
            name: "resourceNames other name",
            rule: ["apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["one"], "verbs": ["get"]],
            request: resource("get", "configmaps", name: "two"), allowed: false),
        .init(
            name: "resourceNames never cover a list",
            rule: ["apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["one"], "verbs": ["list"]],
            request: resource("list", "configmaps"), allowed: false),
        .init(
            name: "nonResourceURL exact", rule: ["nonResourceURLs": ["/healthz"], "verbs": ["get"]],
            request: RequestAttributes(user: account, verb: "get", path: "/healthz"), allowed: true),
        .init(
            name: "nonResourceURL prefix *", rule: ["nonResourceURLs": ["/apis/*"], "verbs": ["get"]],
            request: RequestAttributes(user: account, verb: "get", path: "/apis/apps/v1"), allowed: true),
        .init(
            name: "nonResourceURL prefix * not a sibling", rule: ["nonResourceURLs": ["/apis/*"], "verbs": ["get"]],
            request: RequestAttributes(user: account, verb: "get", path: "/api/v1"), allowed: false),
        .init(
            name: "nonResourceURL rule never matches a resource", rule: ["nonResourceURLs": ["*"], "verbs": ["*"]],
            request: resource("get", "pods", name: "p"), allowed: false),
        .init(
            name: "resource rule never matches a path", rule: ["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]],
            request: RequestAttributes(user: account, verb: "get", path: "/healthz"), allowed: false),
    ]

    @Test(arguments: ruleCases)
    func ruleShapes(_ rule: RuleCase) async throws {
        // Paths have no namespace, so only cluster-wide bindings reach them (as in kube).
        let clusterWide = !rule.request.isResourceRequest
        let subject: JSONValue = ["kind": "ServiceAccount", "name": "robot", "namespace": "team"]
        let store = try await store(
            clusterWide
                ? [role("r", rules: [rule.rule]), binding("b", roleKind: "ClusterRole", role: "r", subjects: [subject])]
                : [
                    role("r", namespace: "team", rules: [rule.rule]),
                    binding("b", namespace: "team", roleKind: "Role", role: "r", subjects: [subject]),
                ])
        let decision = RBACAuthorizer(store: store).authorize(rule.request)
        #expect(decision.allowed == rule.allowed)
        if rule.allowed {
            #expect(
                decision.reason
                    == (clusterWide
                        ? "RBAC: allowed by ClusterRoleBinding \"b\" of ClusterRole \"r\" to ServiceAccount \"robot/team\""
                        : "RBAC: allowed by RoleBinding \"b/team\" of Role \"r\" to ServiceAccount \"robot/team\""))
        }
    }

    @Test func aRoleBindingNeverGrantsAPath() async throws {
        let store = try await store([
            role("paths", rules: [["nonResourceURLs": ["*"], "verbs": ["*"]]]),
            binding(
                "b", namespace: "team", roleKind: "ClusterRole", role: "paths",
                subjects: [["kind": "ServiceAccount", "name": "robot"]]),
        ])
        #expect(!RBACAuthorizer(store: store).authorize(RequestAttributes(user: Self.account, verb: "get", path: "/healthz")).allowed)
    }

    struct SubjectCase: CustomTestStringConvertible, Sendable {
        var name: String
        var subject: JSONValue
        var bindingNamespace: String?
        var user: UserInfo
        var allowed: Bool
        var testDescription: String { name }
    }

    static let subjectCases: [SubjectCase] = [
        .init(name: "user", subject: ["kind": "User", "name": "alice"], bindingNamespace: "team", user: alice, allowed: true),
        .init(name: "other user", subject: ["kind": "User", "name": "bob"], bindingNamespace: "team", user: alice, allowed: false),
        .init(name: "group", subject: ["kind": "Group", "name": "developers"], bindingNamespace: "team", user: alice, allowed: true),
        .init(
            name: "system:authenticated", subject: ["kind": "Group", "name": "system:authenticated"], bindingNamespace: "team",
            user: account, allowed: true),
        .init(
            name: "system:serviceaccounts", subject: ["kind": "Group", "name": "system:serviceaccounts"], bindingNamespace: nil,
            user: account, allowed: true),
        .init(
            name: "system:serviceaccounts:<ns>", subject: ["kind": "Group", "name": "system:serviceaccounts:team"],
            bindingNamespace: "team", user: account, allowed: true),
        .init(
            name: "system:serviceaccounts:<other ns>", subject: ["kind": "Group", "name": "system:serviceaccounts:other"],
            bindingNamespace: "team", user: account, allowed: false),
        .init(
            name: "service account, namespace defaulted to the binding's", subject: ["kind": "ServiceAccount", "name": "robot"],
            bindingNamespace: "team", user: account, allowed: true),
        .init(
            name: "service account of a ClusterRoleBinding needs a namespace", subject: ["kind": "ServiceAccount", "name": "robot"],
            bindingNamespace: nil, user: account, allowed: false),
        .init(
            name: "service account in another namespace", subject: ["kind": "ServiceAccount", "name": "robot", "namespace": "other"],
            bindingNamespace: "team", user: account, allowed: false),
        .init(
            name: "a user named like the account is not the account", subject: ["kind": "User", "name": "robot"],
            bindingNamespace: "team", user: account, allowed: false),
    ]

    @Test(arguments: subjectCases)
    func subjects(_ subject: SubjectCase) async throws {
        let rules: [JSONValue] = [["apiGroups": [""], "resources": ["pods"], "verbs": ["list"]]]
        let store = try await store([
            role("reader", rules: rules),
            binding("b", namespace: subject.bindingNamespace, roleKind: "ClusterRole", role: "reader", subjects: [subject.subject]),
        ])
        var request = Self.resource("list", "pods")
        request.user = subject.user
        #expect(RBACAuthorizer(store: store).authorize(request).allowed == subject.allowed)
    }

    @Test func aRoleBindingGrantsOnlyInItsNamespaceAClusterRoleBindingEverywhere() async throws {
        let rules: [JSONValue] = [["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]]
        let subjects: [JSONValue] = [["kind": "User", "name": "alice"]]
        let local = try await store([
            role("secret-reader", rules: rules),
            binding("b", namespace: "team", roleKind: "ClusterRole", role: "secret-reader", subjects: subjects),
        ])
        var request = Self.resource("get", "secrets", name: "s")
        request.user = Self.alice
        #expect(RBACAuthorizer(store: local).authorize(request).allowed)
        request.namespace = "other"
        #expect(!RBACAuthorizer(store: local).authorize(request).allowed)
        request.namespace = ""
        #expect(!RBACAuthorizer(store: local).authorize(request).allowed)

        let global = try await store([
            role("secret-reader", rules: rules),
            binding("b", roleKind: "ClusterRole", role: "secret-reader", subjects: subjects),
        ])
        let decision = RBACAuthorizer(store: global).authorize(request)
        #expect(decision.allowed)
        #expect(decision.reason == "RBAC: allowed by ClusterRoleBinding \"b\" of ClusterRole \"secret-reader\" to User \"alice\"")
        request.namespace = "other"
        #expect(RBACAuthorizer(store: global).authorize(request).allowed)
    }

    @Test func aMissingRoleIsTheDenialsReason() async throws {
        let store = try await store([
            binding(
                "b", namespace: "team", roleKind: "Role", role: "missing",
                subjects: [["kind": "ServiceAccount", "name": "robot"]])
        ])
        let request = Self.resource("list", "pods")
        let decision = RBACAuthorizer(store: store).authorize(request)
        #expect(!decision.allowed)
        #expect(decision.reason == "RBAC: role.rbac.authorization.k8s.io \"missing\" not found")
        let error = request.forbidden(reason: decision.reason)
        #expect(
            error.message == "pods is forbidden: User \"system:serviceaccount:team:robot\" cannot list resource \"pods\" "
                + "in API group \"\" in the namespace \"team\": RBAC: role.rbac.authorization.k8s.io \"missing\" not found")
    }

    @Test func forbiddenMessagesAreKubeApiservers() {
        let user = Self.account
        let list = RequestAttributes(user: user, verb: "list", namespace: "default", resource: "pods")
        #expect(
            list.forbidden(reason: "").message
                == "pods is forbidden: User \"system:serviceaccount:team:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        )
        let named = RequestAttributes(user: user, verb: "get", apiGroup: "apps", resource: "deployments", subresource: "scale", name: "web")
        let error = named.forbidden(reason: "")
        #expect(
            error.message
                == "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:team:robot\" cannot get resource \"deployments/scale\" in API group \"apps\" at the cluster scope"
        )
        #expect(error.wireStatus["details"] == ["name": "web", "group": "apps", "kind": "deployments"])
        let path = RequestAttributes(user: user, verb: "get", path: "/apis")
        #expect(path.forbidden(reason: "").message == "forbidden: User \"system:serviceaccount:team:robot\" cannot get path \"/apis\"")
        #expect(path.forbidden(reason: "").wireStatus["details"] == nil)
    }

    @Test func mastersMayDoAnythingWithoutAnyBinding() async throws {
        let authorizer = APIAuthorizer(store: try ObjectStore(persistence: nil))
        let decision = authorizer.authorize(RequestAttributes(user: .admin, verb: "delete", resource: "nodes", name: "n"))
        #expect(decision.allowed && decision.reason.isEmpty)
        #expect(!authorizer.authorize(Self.resource("get", "pods", name: "p")).allowed)
    }

    @Test func aggregationCollectsMatchingRolesInNameOrderOnce() {
        let pods: JSONValue = ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]
        let jobs: JSONValue = ["apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get"]]
        let aggregated: JSONValue = [
            "kind": "ClusterRole", "metadata": ["name": "monitoring", "labels": ["team": "x"]],
            "aggregationRule": ["clusterRoleSelectors": [["matchLabels": ["team": "x"]]]],
        ]
        let roles: [JSONValue] = [
            aggregated,
            ["kind": "ClusterRole", "metadata": ["name": "b-jobs", "labels": ["team": "x"]], "rules": [jobs, pods]],
            ["kind": "ClusterRole", "metadata": ["name": "a-pods", "labels": ["team": "x"]], "rules": [pods]],
            [
                "kind": "ClusterRole", "metadata": ["name": "unlabelled"],
                "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]]],
            ],
        ]
        let rules = ClusterRoleAggregator.aggregatedRules(for: aggregated, among: roles)
        #expect(rules == [PolicyRule(json: pods), PolicyRule(json: jobs)])
    }

    @Test func aggregationWritesTheRulesIntoTheStoredRole() async throws {
        let pods: JSONValue = ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]
        let store = try await store([
            [
                "kind": "ClusterRole", "metadata": ["name": "reader"],
                "aggregationRule": ["clusterRoleSelectors": [["matchLabels": ["aggregate-to-reader": "true"]]]],
            ],
            ["kind": "ClusterRole", "metadata": ["name": "pods", "labels": ["aggregate-to-reader": "true"]], "rules": [pods]],
        ])
        await ClusterRoleAggregator(store: store, logger: .init(label: "test")).reconcileAll()
        let stored = try #require(store.get(StorageKey(RBACResources.clusterRoles, name: "reader")))
        #expect(stored.object["rules"] == [PolicyRule(json: pods).json])
    }

    @Test func rulesReviewListsWhatTheBindingsGrant() async throws {
        let store = try await store([
            role("r", namespace: "team", rules: [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]]),
            binding("b", namespace: "team", roleKind: "Role", role: "r", subjects: [["kind": "ServiceAccount", "name": "robot"]]),
            role("paths", rules: [["nonResourceURLs": ["/healthz"], "verbs": ["get"]]]),
            binding("p", roleKind: "ClusterRole", role: "paths", subjects: [["kind": "Group", "name": "system:serviceaccounts"]]),
        ])
        let rules = APIAuthorizer(store: store).rules(for: Self.account, namespace: "team")
        #expect(rules.resource == [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"])])
        #expect(rules.nonResource == [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"])])
        #expect(APIAuthorizer(store: store).rules(for: Self.account, namespace: "other").resource.isEmpty)
    }
}
