import KubeClient
import KubeModel
import Synchronization

/// Finds the resource that serves a kind, for creating a template's objects through the
/// generic ``KubernetesAPI`` (client-go's RESTMapper, reduced to what templates need).
public protocol ResourceResolver: Sendable {
    /// The resource serving `kind` at `apiVersion`, or ``ResolveError/noMatch(apiVersion:kind:)``.
    func resource(apiVersion: String, kind: String) async throws(ResolveError) -> ResourceType
}

/// Why a kind has no resource.
public enum ResolveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither a built-in kind nor a served custom resource.
    case noMatch(apiVersion: String, kind: String)
    /// The CustomResourceDefinitions could not be read.
    case lookupFailed(String)

    public var description: String {
        switch self {
        case .noMatch(let apiVersion, let kind):
            return "no matches for kind \"\(kind)\" in version \"\(apiVersion)\""
        case .lookupFailed(let reason): return "unable to look up custom resources: \(reason)"
        }
    }
}

/// Resolves built-in kinds from a table and custom kinds from the cluster's
/// CustomResourceDefinitions (a served version of a CRD with that group and kind), which
/// covers everything Virtyard's embedded server serves and the usual kinds of a real cluster.
///
/// Custom kinds found are remembered; a miss asks the cluster again, so a CRD installed
/// after start-up is found on the next try.
public final class ClusterResourceResolver: ResourceResolver {
    private let api: any KubernetesAPI
    private let found = Mutex<[String: ResourceType]>([:])

    public init(api: any KubernetesAPI) {
        self.api = api
    }

    public func resource(apiVersion: String, kind: String) async throws(ResolveError) -> ResourceType {
        let (group, version) = Self.split(apiVersion)
        if let builtin = BuiltinKinds.resource(group: group, version: version, kind: kind) { return builtin }
        let key = "\(apiVersion)/\(kind)"
        if let known = found.withLock({ $0[key] }) { return known }
        let definitions: ObjectList
        do {
            definitions = try await api.list(.customResourceDefinitions, namespace: nil, options: ListOptions())
        } catch {
            throw .lookupFailed(error.description)
        }
        for definition in definitions.items {
            guard let resource = Self.resource(of: definition, group: group, version: version, kind: kind) else { continue }
            found.withLock { $0[key] = resource }
            return resource
        }
        throw .noMatch(apiVersion: apiVersion, kind: kind)
    }

    /// The resource `definition` serves for `group`/`version`/`kind`, if it does.
    static func resource(of definition: JSONValue, group: String, version: String, kind: String) -> ResourceType? {
        guard definition[path: ["spec", "group"]]?.stringValue == group,
            definition[path: ["spec", "names", "kind"]]?.stringValue == kind,
            let plural = definition[path: ["spec", "names", "plural"]]?.stringValue,
            let versions = definition[path: ["spec", "versions"]]?.arrayValue,
            versions.contains(where: { $0["name"]?.stringValue == version && $0["served"]?.boolValue != false })
        else { return nil }
        let namespaced = definition[path: ["spec", "scope"]]?.stringValue != "Cluster"
        return ResourceType(group: group, version: version, resource: plural, kind: kind, namespaced: namespaced)
    }

    static func split(_ apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.firstIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }
}
