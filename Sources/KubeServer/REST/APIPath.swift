import KubeModel

/// What a request path names, before any object is read.
enum APIPath: Equatable {
    case version
    case health(String)
    case coreVersions
    case groups
    case group(String)
    case resourceList(group: String, version: String)
    case openAPIIndex
    case openAPIDocument(String)
    case resource(ResourcePath)
    case notFound

    /// A path into the resources of one group version.
    struct ResourcePath: Equatable {
        var group: String
        var version: String
        var resource: String
        var namespace: String?
        var name: String?
        var subresource: String?
        /// `/api/v1/watch/...`, the deprecated watch prefix.
        var watchPrefix = false
    }

    init(_ rawPath: String, isNamespacedResource: (String, String, String) -> Bool) {
        var path = Substring(rawPath)
        while path.hasSuffix("/") && path.count > 1 { path = path.dropLast() }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch segments.first {
        case "version" where segments.count == 1:
            self = .version
        case "healthz", "readyz", "livez":
            self = .health(segments.joined(separator: "/"))
        case "openapi" where segments.count >= 2 && segments[1] == "v3":
            self = segments.count == 2 ? .openAPIIndex : .openAPIDocument(segments[2...].joined(separator: "/"))
        case "api":
            if segments.count == 1 {
                self = .coreVersions
                return
            }
            if segments.count == 2 {
                self = .resourceList(group: "", version: segments[1])
                return
            }
            self = APIPath.resource(
                group: "", version: segments[1], rest: Array(segments[2...]),
                isNamespacedResource: isNamespacedResource)
        case "apis":
            switch segments.count {
            case 1: self = .groups
            case 2: self = .group(segments[1])
            case 3: self = .resourceList(group: segments[1], version: segments[2])
            default:
                self = APIPath.resource(
                    group: segments[1], version: segments[2], rest: Array(segments[3...]),
                    isNamespacedResource: isNamespacedResource)
            }
        default:
            self = .notFound
        }
    }

    private static func resource(
        group: String, version: String, rest: [String],
        isNamespacedResource: (String, String, String) -> Bool
    ) -> APIPath {
        var rest = rest
        var watchPrefix = false
        if rest.first == "watch" {
            watchPrefix = true
            rest.removeFirst()
        }
        guard !rest.isEmpty else { return .notFound }
        // `namespaces/<ns>/<resource>/...` names a namespaced resource unless the third
        // segment is one of the namespace's own subresources.
        if rest[0] == "namespaces", rest.count >= 3, isNamespacedResource(group, version, rest[2]) {
            guard rest.count <= 5 else { return .notFound }
            return .resource(
                ResourcePath(
                    group: group, version: version, resource: rest[2], namespace: rest[1],
                    name: rest.count > 3 ? rest[3] : nil,
                    subresource: rest.count > 4 ? rest[4] : nil, watchPrefix: watchPrefix))
        }
        guard rest.count <= 3 else { return .notFound }
        return .resource(
            ResourcePath(
                group: group, version: version, resource: rest[0], namespace: nil,
                name: rest.count > 1 ? rest[1] : nil,
                subresource: rest.count > 2 ? rest[2] : nil, watchPrefix: watchPrefix))
    }
}
