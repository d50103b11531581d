import KubeModel

/// One rule of a Role or ClusterRole, matched as kube-apiserver's RBAC matches it
/// (`pkg/apis/rbac/v1/evaluation_helpers.go`, `plugin/pkg/auth/authorizer/rbac`).
public struct PolicyRule: Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(
        verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
        nonResourceURLs: [String] = []
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// Reads a stored rule; fields of the wrong type count as empty (the object passed
    /// validation when it was written).
    public init(json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(
            verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
            resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    /// The rule as JSON, empty lists left out (Go's `omitempty`).
    public var json: JSONValue {
        var object: [String: JSONValue] = ["verbs": .array(verbs.map { .string($0) })]
        if !apiGroups.isEmpty { object["apiGroups"] = .array(apiGroups.map { .string($0) }) }
        if !resources.isEmpty { object["resources"] = .array(resources.map { .string($0) }) }
        if !resourceNames.isEmpty { object["resourceNames"] = .array(resourceNames.map { .string($0) }) }
        if !nonResourceURLs.isEmpty { object["nonResourceURLs"] = .array(nonResourceURLs.map { .string($0) }) }
        return .object(object)
    }

    /// `RuleAllows`: a resource request needs verb, group, resource (or `*/subresource`)
    /// and name to match; a non-resource request needs verb and URL.
    public func allows(_ request: RequestAttributes) -> Bool {
        guard matchesVerb(request.verb) else { return false }
        if request.isResourceRequest {
            return matchesGroup(request.apiGroup)
                && matchesResource(request.combinedResource, subresource: request.subresource)
                && matchesName(request.name)
        }
        return matchesURL(request.path)
    }

    func matchesVerb(_ verb: String) -> Bool {
        verbs.contains("*") || verbs.contains(verb)
    }

    func matchesGroup(_ group: String) -> Bool {
        apiGroups.contains("*") || apiGroups.contains(group)
    }

    /// `*`, the exact `resource` or `resource/subresource`, or `*/subresource`.
    func matchesResource(_ combined: String, subresource: String) -> Bool {
        for resource in resources {
            if resource == "*" || resource == combined { return true }
            if !subresource.isEmpty, resource == "*/\(subresource)" { return true }
        }
        return false
    }

    /// No names means every name; otherwise the request must name one of them (a list or
    /// a create, which carries no name, does not match).
    func matchesName(_ name: String) -> Bool {
        resourceNames.isEmpty || resourceNames.contains(name)
    }

    /// `*`, the exact path, or a prefix ending in `*` (`/apis/*`).
    func matchesURL(_ path: String) -> Bool {
        for url in nonResourceURLs {
            if url == "*" || url == path { return true }
            if url.hasSuffix("*"), path.hasPrefix(url.trimmingSuffix("*")) { return true }
        }
        return false
    }
}

extension String {
    /// The string without any run of `character` at its end (Go's `strings.TrimRight` with
    /// one character).
    func trimmingSuffix(_ character: Character) -> String {
        var text = Substring(self)
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
