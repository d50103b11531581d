import KubeModel
import Logging

/// kube-controller-manager's ClusterRole aggregation controller, inside the API tree: a
/// ClusterRole with an `aggregationRule` gets, as its `rules`, the rules of every other
/// ClusterRole its selectors match (by name order, each rule once). Chains (`view` into
/// `edit` into `admin`) settle because each write is itself a change the next pass sees.
struct ClusterRoleAggregator: Sendable {
    let store: ObjectStore
    let logger: Logger

    /// Brings every aggregated ClusterRole up to date, then again after each change to any
    /// ClusterRole, until cancelled.
    func run() async throws {
        let filter = WatchFilter(resource: RBACResources.clusterRoles, namespace: nil, predicate: nil)
        let watch = try store.openWatch(filter, from: .after(store.currentResourceVersion))
        await reconcileAll()
        for await _ in watch.events {
            try Task.checkCancellation()
            await reconcileAll()
        }
    }

    /// One pass over every aggregated ClusterRole. Each role is read through the store's
    /// decoded views (parsed once per version), and a role whose rules are already the
    /// aggregate is not written.
    func reconcileAll() async {
        let roles = store.sortedEntries(RBACResources.clusterRoles).entries.map { slot, stored in
            store.decoded.value(of: stored, at: StorageKey(RBACResources.clusterRoles, name: slot.name), AggregationView.init)
        }
        for role in roles where role.selectors != nil {
            let rules = Self.aggregatedRules(for: role, among: roles)
            guard rules != role.rules else { continue }
            let wanted = JSONValue.array(rules.map(\.json))
            do {
                try await store.mutate(StorageKey(RBACResources.clusterRoles, name: role.name)) {
                    (current: StoredObject?) throws(APIError) -> Mutation in
                    guard var object = current?.object, object["rules"] != wanted else { return .unchanged }
                    object["rules"] = wanted
                    return .put(object)
                }
            } catch {
                logger.warning("could not write an aggregated ClusterRole", metadata: ["name": "\(role.name)", "error": "\(error)"])
            }
        }
    }

    /// What aggregation reads of a ClusterRole.
    struct AggregationView: Sendable {
        var name: String
        var labels: [String: String]
        /// `aggregationRule.clusterRoleSelectors`; nil for a role that aggregates nothing.
        var selectors: [JSONValue]?
        var rules: [PolicyRule]

        init(_ role: JSONValue) {
            name = role.name ?? ""
            labels = role.labels
            selectors = role["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue
            rules = role["rules"]?.arrayValue?.map(PolicyRule.init(json:)) ?? []
        }
    }

    /// The rules `role` aggregates from `roles`: for each selector in turn, the matching
    /// roles by name, skipping `role` itself and rules already taken.
    static func aggregatedRules(for role: JSONValue, among roles: [JSONValue]) -> [PolicyRule] {
        aggregatedRules(for: AggregationView(role), among: roles.map(AggregationView.init))
    }

    static func aggregatedRules(for role: AggregationView, among roles: [AggregationView]) -> [PolicyRule] {
        let sorted = roles.sorted { $0.name < $1.name }
        var rules: [PolicyRule] = []
        for selectorJSON in role.selectors ?? [] {
            // A selector that cannot be read selects nothing (validation refuses it on write).
            guard let selector = try? LabelSelector(json: selectorJSON) else { continue }
            for candidate in sorted where candidate.name != role.name && selector.matches(candidate.labels) {
                for rule in candidate.rules where !rules.contains(rule) {
                    rules.append(rule)
                }
            }
        }
        return rules
    }
}
