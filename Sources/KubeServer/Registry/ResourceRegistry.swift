import KubeModel
import Synchronization

/// The kinds this server serves, by group, version and plural name: the built-in kinds and
/// those that CustomResourceDefinitions add while the server runs.
public final class ResourceRegistry: Sendable {
    private struct State {
        var byGroupVersion: [String: [String: APIResource]] = [:]
        /// Group versions in registration order, so discovery lists them stably.
        var groupVersions: [(group: String, version: String)] = []
        var owners: [String: [APIResource]] = [:]
    }

    private let state = Mutex(State())

    public init(builtins: [APIResource] = BuiltinResources.all) {
        register(builtins, owner: "builtin")
    }

    /// Adds or replaces the resources that `owner` (a CRD name) serves.
    public func register(_ resources: [APIResource], owner: String) {
        state.withLock { state in
            for old in state.owners[owner] ?? [] {
                state.byGroupVersion[old.apiVersion]?[old.resource] = nil
            }
            for resource in resources {
                if state.byGroupVersion[resource.apiVersion] == nil {
                    state.groupVersions.append((resource.group, resource.version))
                }
                state.byGroupVersion[resource.apiVersion, default: [:]][resource.resource] = resource
            }
            state.owners[owner] = resources
            state.groupVersions.removeAll {
                state.byGroupVersion[$0.group.isEmpty ? $0.version : "\($0.group)/\($0.version)"]?.isEmpty ?? true
            }
            for key in state.byGroupVersion.keys where state.byGroupVersion[key]?.isEmpty == true {
                state.byGroupVersion[key] = nil
            }
        }
    }

    public func unregister(owner: String) {
        register([], owner: owner)
        state.withLock { _ = $0.owners.removeValue(forKey: owner) }
    }

    public func lookup(group: String, version: String, resource: String) -> APIResource? {
        let apiVersion = group.isEmpty ? version : "\(group)/\(version)"
        return state.withLock { $0.byGroupVersion[apiVersion]?[resource] }
    }

    public func resources(apiVersion: String) -> [APIResource] {
        state.withLock { Array(($0.byGroupVersion[apiVersion] ?? [:]).values) }.sorted { $0.resource < $1.resource }
    }

    /// Every served resource, in discovery order.
    public func allResources() -> [APIResource] {
        state.withLock { state in
            state.groupVersions.flatMap { gv -> [APIResource] in
                let key = gv.group.isEmpty ? gv.version : "\(gv.group)/\(gv.version)"
                return (state.byGroupVersion[key] ?? [:]).values.sorted { $0.resource < $1.resource }
            }
        }
    }

    /// Groups with their served versions, the first listed being preferred.
    public func groups() -> [(group: String, versions: [String])] {
        state.withLock { state in
            var order: [String] = []
            var versions: [String: [String]] = [:]
            for gv in state.groupVersions {
                if versions[gv.group] == nil { order.append(gv.group) }
                versions[gv.group, default: []].append(gv.version)
            }
            return order.map { ($0, versions[$0]!) }
        }
    }

    /// Every version under which a stored resource is served (used to find a resource's
    /// objects independent of the version a request names).
    public func versions(of groupResource: GroupResource) -> [APIResource] {
        allResources().filter { $0.groupResource == groupResource }
    }

    /// One served version per stored resource: what namespace deletion and garbage
    /// collection walk.
    public func storedResources() -> [APIResource] {
        var seen = Set<GroupResource>()
        return allResources().filter { seen.insert($0.groupResource).inserted }
    }
}
