import KubeModel
import Logging

/// Serves the resources a CustomResourceDefinition declares and reports it `Established`.
final class CRDController: Sendable {
    let store: ObjectStore
    let registry: ResourceRegistry
    let logger: Logger

    init(store: ObjectStore, registry: ResourceRegistry, logger: Logger) {
        self.store = store
        self.registry = registry
        self.logger = logger
    }

    /// Registers every stored CRD (at start-up, before the API listens).
    func registerStored() {
        for item in store.list(BuiltinResources.customResourceDefinitions.groupResource).items {
            let crd = item.object
            if let name = crd.name { registry.register(CRDValidation.resources(of: crd), owner: name) }
        }
    }

    /// Registers the CRD's resources and writes its accepted names and conditions.
    func sync(_ crd: JSONValue) async {
        guard let name = crd.name else { return }
        registry.register(CRDValidation.resources(of: crd), owner: name)
        let key = StorageKey(BuiltinResources.customResourceDefinitions.groupResource, name: name)
        do {
            try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                guard var object = current?.object else { return .unchanged }
                let wanted = Self.status(for: object)
                if Self.sameStatus(object["status"], wanted) { return .unchanged }
                object["status"] = wanted
                return .put(object)
            }
        } catch {
            logger.warning("could not update CRD status", metadata: ["crd": "\(name)", "error": "\(error)"])
        }
    }

    func unregister(_ crd: JSONValue) {
        if let name = crd.name { registry.unregister(owner: name) }
    }

    private static func status(for crd: JSONValue) -> JSONValue {
        let now = Timestamp.now()
        let names = crd[path: ["spec", "names"]] ?? [:]
        var accepted = names
        if accepted["singular"] == nil, let kind = names["kind"]?.stringValue { accepted["singular"] = .string(kind.lowercased()) }
        if accepted["listKind"] == nil, let kind = names["kind"]?.stringValue { accepted["listKind"] = .string(kind + "List") }
        let storedVersions = (crd[path: ["spec", "versions"]]?.arrayValue ?? [])
            .filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
        let previous = crd[path: ["status", "conditions"]]?.arrayValue ?? []
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            let since = previous.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }?["lastTransitionTime"]
            return [
                "type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                "lastTransitionTime": since ?? .string(now),
            ]
        }
        var stored = crd[path: ["status", "storedVersions"]]?.arrayValue ?? []
        for version in storedVersions where !stored.contains(version) { stored.append(version) }
        return [
            "acceptedNames": accepted,
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
            "storedVersions": .array(stored),
        ]
    }

    private static func sameStatus(_ current: JSONValue?, _ wanted: JSONValue) -> Bool {
        guard let current else { return false }
        return current["acceptedNames"] == wanted["acceptedNames"] && current["storedVersions"] == wanted["storedVersions"]
            && current["conditions"]?.arrayValue?.count == wanted["conditions"]?.arrayValue?.count
    }
}
