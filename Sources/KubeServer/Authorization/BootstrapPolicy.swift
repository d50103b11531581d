import Foundation
import KubeModel

/// The ClusterRoles and ClusterRoleBindings kube-apiserver creates at start-up
/// (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`), in the subset a lab needs:
/// `cluster-admin` for `system:masters`; discovery, self-reviews and version/health for
/// every authenticated user; the user-facing `admin`, `edit` and `view`, aggregated from
/// `system:aggregate-to-*` as in a real cluster. Written only when missing, so a change an
/// administrator makes stays.
enum BootstrapPolicy {
    static let read = ["get", "list", "watch"]
    static let write = ["create", "delete", "deletecollection", "patch", "update"]

    static func rule(_ groups: [String], _ resources: [String], _ verbs: [String]) -> PolicyRule {
        PolicyRule(verbs: verbs, apiGroups: groups, resources: resources)
    }

    static let discoveryURLs = [
        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
        "/readyz", "/version", "/version/",
    ]
    static let publicInfoURLs = ["/healthz", "/livez", "/readyz", "/version", "/version/"]

    static let viewRules: [PolicyRule] = [
        rule(
            [""],
            [
                "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                "services/status",
            ], read),
        rule(
            [""],
            [
                "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                "replicationcontrollers/status", "resourcequotas", "resourcequotas/status",
            ], read),
        rule([""], ["namespaces"], read),
        rule(["discovery.k8s.io"], ["endpointslices"], read),
        rule(
            ["apps"],
            [
                "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                "statefulsets/scale", "statefulsets/status",
            ], read),
        rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], read),
        rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], read),
        rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], read),
        rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], read),
    ]

    static let editRules: [PolicyRule] = [
        rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], read),
        rule([""], ["serviceaccounts"], ["impersonate"]),
        rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], write),
        rule([""], ["pods/eviction"], ["create"]),
        rule(
            [""],
            [
                "configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy",
            ], write),
        rule([""], ["serviceaccounts/token"], ["create"]),
        rule(
            ["apps"],
            [
                "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                "replicasets/scale", "statefulsets", "statefulsets/scale",
            ], write),
        rule(["autoscaling"], ["horizontalpodautoscalers"], write),
        rule(["batch"], ["cronjobs", "jobs"], write),
        rule(["policy"], ["poddisruptionbudgets"], write),
        rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], write),
        rule(["coordination.k8s.io"], ["leases"], write + read),
    ]

    static let adminRules: [PolicyRule] = [
        rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], write + read),
    ]

    static let aggregateLabel = "rbac.authorization.k8s.io/aggregate-to-"

    /// The ClusterRoles, as stored objects.
    static var clusterRoles: [JSONValue] {
        [
            clusterRole(
                "cluster-admin",
                rules: [
                    PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                    PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
                ]),
            clusterRole("system:discovery", rules: [PolicyRule(verbs: ["get"], nonResourceURLs: discoveryURLs)]),
            clusterRole("system:public-info-viewer", rules: [PolicyRule(verbs: ["get"], nonResourceURLs: publicInfoURLs)]),
            clusterRole(
                "system:basic-user",
                rules: [
                    rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
                    rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
                ]),
            clusterRole("admin", aggregatesFrom: "admin"),
            clusterRole("edit", labels: ["\(aggregateLabel)admin": "true"], aggregatesFrom: "edit"),
            clusterRole(
                "view", labels: ["\(aggregateLabel)admin": "true", "\(aggregateLabel)edit": "true"],
                aggregatesFrom: "view"),
            clusterRole("system:aggregate-to-admin", labels: ["\(aggregateLabel)admin": "true"], rules: adminRules),
            clusterRole("system:aggregate-to-edit", labels: ["\(aggregateLabel)edit": "true"], rules: editRules),
            clusterRole("system:aggregate-to-view", labels: ["\(aggregateLabel)view": "true"], rules: viewRules),
        ]
    }

    static var clusterRoleBindings: [JSONValue] {
        [
            binding("cluster-admin", groups: [UserInfo.mastersGroup]),
            binding("system:discovery", groups: [UserInfo.authenticatedGroup]),
            binding("system:basic-user", groups: [UserInfo.authenticatedGroup]),
            binding("system:public-info-viewer", groups: [UserInfo.authenticatedGroup, UserInfo.unauthenticatedGroup]),
        ]
    }

    private static func metadata(_ name: String, labels: [String: String] = [:]) -> JSONValue {
        var allLabels: [String: JSONValue] = ["kubernetes.io/bootstrapping": "rbac-defaults"]
        for (key, value) in labels { allLabels[key] = .string(value) }
        return [
            "name": .string(name), "labels": .object(allLabels),
            "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
        ]
    }

    private static func clusterRole(
        _ name: String, labels: [String: String] = [:], rules: [PolicyRule] = [],
        aggregatesFrom aggregate: String? = nil
    ) -> JSONValue {
        var role: JSONValue = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": metadata(name, labels: labels), "rules": .array(rules.map(\.json)),
        ]
        if let aggregate {
            role["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["\(aggregateLabel)\(aggregate)": "true"]]]]
        }
        return role
    }

    private static func binding(_ name: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(name),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }

    /// Creates whatever of the policy is missing from `store`, with the metadata admission
    /// would give it (uid, creationTimestamp, generation). Written directly: these are the
    /// server's own objects, and their `system:` names are valid RBAC names (path segments)
    /// that a DNS-subdomain check would refuse.
    static func ensure(in store: ObjectStore) async throws {
        let kinds = [(RBACResources.clusterRoles, clusterRoles), (RBACResources.clusterRoleBindings, clusterRoleBindings)]
        for (resource, objects) in kinds {
            for var object in objects {
                let key = StorageKey(resource, name: object.name ?? "")
                guard store.get(key) == nil else { continue }
                object[path: ["metadata", "uid"]] = .string(ObjectUID.generate())
                object[path: ["metadata", "creationTimestamp"]] = .string(Timestamp.now())
                object[path: ["metadata", "generation"]] = .int(1)
                let candidate = object
                try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                    current == nil ? .put(candidate) : .unchanged
                }
            }
        }
    }
}
