import KubeModel

/// Checks a CustomResourceDefinition and turns it into the resources it serves.
enum CRDValidation {
    static func validate(_ crd: JSONValue) throws(APIError) {
        var causes: [APIError.Cause] = []
        func require(_ condition: Bool, _ field: String, _ message: String) {
            if !condition { causes.append(.init(reason: "FieldValueRequired", message: message, field: field)) }
        }
        let spec = crd["spec"] ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec[path: ["names", "plural"]]?.stringValue ?? ""
        require(!group.isEmpty, "spec.group", "Required value")
        require(group.contains("."), "spec.group", "Invalid value: \"\(group)\": should be a domain with at least one dot")
        require(!plural.isEmpty, "spec.names.plural", "Required value")
        require(!(spec[path: ["names", "kind"]]?.stringValue ?? "").isEmpty, "spec.names.kind", "Required value")
        let scope = spec["scope"]?.stringValue ?? ""
        require(
            scope == "Namespaced" || scope == "Cluster", "spec.scope",
            "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"")
        let versions = spec["versions"]?.arrayValue ?? []
        require(!versions.isEmpty, "spec.versions", "Required value: must have exactly one version marked as storage version")
        let storage = versions.filter { $0["storage"]?.boolValue == true }
        require(
            versions.isEmpty || storage.count == 1, "spec.versions",
            "Invalid value: must have exactly one version marked as storage version")
        if let name = crd.name, !plural.isEmpty, !group.isEmpty {
            require(
                name == "\(plural).\(group)", "metadata.name",
                "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group")
        }
        if !causes.isEmpty {
            throw APIError.invalid(
                kind: "CustomResourceDefinition", group: "apiextensions.k8s.io",
                name: crd.name ?? "", causes: causes)
        }
    }

    /// One ``APIResource`` per served version.
    static func resources(of crd: JSONValue) -> [APIResource] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let plural = spec[path: ["names", "plural"]]?.stringValue,
            let kind = spec[path: ["names", "kind"]]?.stringValue
        else { return [] }
        let names = spec["names"] ?? [:]
        return (spec["versions"]?.arrayValue ?? []).compactMap { version -> APIResource? in
            guard let versionName = version["name"]?.stringValue, version["served"]?.boolValue ?? true else { return nil }
            return APIResource(
                group: group, version: versionName, resource: plural,
                singular: names["singular"]?.stringValue ?? kind.lowercased(), kind: kind,
                listKind: names["listKind"]?.stringValue ?? kind + "List",
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                hasStatus: version[path: ["subresources", "status"]] != nil,
                schema: version[path: ["schema", "openAPIV3Schema"]] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                printerColumns: version["additionalPrinterColumns"]?.arrayValue ?? [])
        }
    }
}
