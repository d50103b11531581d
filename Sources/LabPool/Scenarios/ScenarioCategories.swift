import KubeModel

/// The categories scenarios are filed under (`topics` name them), from cks-backend's
/// `categories.yaml` at the top of the scenario directory:
///
/// ```yaml
/// categories:
///   pod-security: {name: "Pod Security", description: "…"}
/// ```
///
/// Each scenario of the directory carries them (`spec.categories`), so that they are kept in
/// the cluster with the scenarios; without any, the API answers cks-backend's own defaults.
public struct ScenarioCategories: Sendable, Equatable {
    public struct Category: Sendable, Equatable {
        public var name: String
        public var description: String
    }

    /// By id.
    public var categories: [String: Category]

    public static let defaults = ScenarioCategories(categories: [
        "pod-security": Category(name: "Pod Security", description: ""),
        "network-security": Category(name: "Network Security", description: ""),
        "rbac": Category(name: "RBAC and Authentication", description: ""),
        "secrets": Category(name: "Secrets Management", description: ""),
        "etcd-security": Category(name: "ETCD Security", description: ""),
        "runtime-security": Category(name: "Runtime Security", description: ""),
    ])

    init(categories: [String: Category]) {
        self.categories = categories
    }

    /// Reads `categories.yaml`'s contents; errors name the field.
    init(_ document: [String: JSONValue], file: String) throws(ScenarioFileError) {
        let top = try Fields(.object(document), file: file)
        try top.onlyKeys(["categories"])
        guard let listed = document["categories"], listed != .null else {
            self.categories = [:]
            return
        }
        guard let entries = listed.objectValue else {
            throw ScenarioFileError(
                file: file, field: "categories", "must be a mapping of id to {name, description}, not a \(listed.typeName)")
        }
        guard entries.count <= 1000 else { throw ScenarioFileError(file: file, field: "categories", "has more than 1000 entries") }
        var categories: [String: Category] = [:]
        for (id, entry) in entries {
            let fields = try Fields(entry, file: file, prefix: "categories.\(id)")
            try fields.onlyKeys(["name", "description"])
            categories[id] = Category(
                name: try fields.text("name", required: true, maximum: 1024) ?? id,
                description: try fields.text("description", required: false) ?? "")
        }
        self.categories = categories
    }

    /// The categories a scenario carries (`spec.categories`), as ``stored`` writes them;
    /// entries that do not read are left out.
    init(stored: JSONValue?) {
        var categories: [String: Category] = [:]
        for (id, entry) in stored?.objectValue ?? [:] {
            guard let name = entry["name"]?.stringValue else { continue }
            categories[id] = Category(name: name, description: entry["description"]?.stringValue ?? "")
        }
        self.categories = categories
    }

    /// For `spec.categories`.
    var stored: JSONValue {
        .object(categories.mapValues { ["name": .string($0.name), "description": .string($0.description)] })
    }

    /// As cks-backend answers `GET /api/v1/scenarios/categories`: id → name.
    var json: JSONValue {
        .object(categories.mapValues { .string($0.name) })
    }
}
