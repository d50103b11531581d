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

    /// One pass over every aggregated ClusterRole.
    func reconcileAll() async {
        let roles = store.list(RBACResources.clusterRoles).items.map(\.object)
        for role in roles where role["aggregationRule"]?["clusterRoleSelectors"] != nil {
            let rules = Self.aggregatedRules(for: role, among: roles)
            guard let name = role.name else { continue }
            let wanted = JSONValue.array(rules.map(\.json))
            do {
                try await store.mutate(StorageKey(RBACResources.clusterRoles, name: name)) {
                    (current: StoredObject?) throws(APIError) -> Mutation in
                    guard var object = current?.object, object["rules"] != wanted else { return .unchanged }
                    object["rules"] = wanted
                    return .put(object)
                }
            } catch {
                logger.warning("could not write an aggregated ClusterRole", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// The rules `role` aggregates from `roles`: for each selector in turn, the matching
    /// roles by name, skipping `role` itself and rules already taken.
    static func aggregatedRules(for role: JSONValue, among roles: [JSONValue]) -> [PolicyRule] {
        let sorted = roles.sorted { ($0.name ?? "") < ($1.name ?? "") }
        var rules: [PolicyRule] = []
        for selectorJSON in role["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue ?? [] {
            // A selector that cannot be read selects nothing (validation refuses it on write).
            guard let selector = try? LabelSelector(json: selectorJSON) else { continue }
            for candidate in sorted where candidate.name != role.name && selector.matches(candidate.labels) {
                for rule in candidate["rules"]?.arrayValue?.map(PolicyRule.init(json:)) ?? [] where !rules.contains(rule) {
                    rules.append(rule)
                }
            }
        }
        return rules
    }
}
