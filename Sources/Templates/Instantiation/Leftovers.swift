import KubeClient
import KubeModel

/// Objects an earlier pass over the same instance created (they carry its owner label) but
/// that `status.objects` does not list yet: the pass was cut short by a restart or a
/// conflicting status write. Processing again generates new values for `generate`
/// parameters, so such an object may have a name the new pass would not give it; taking it
/// instead of creating another keeps one object per template entry.
struct Leftovers {
    private var byResource: [ResourceType: [JSONValue]]

    /// Lists, for each resource, the instance's objects in its namespace. A list that fails
    /// counts as empty: creating then meets AlreadyExists for a same-named object, which the
    /// owner label settles.
    static func find(_ resources: [ResourceType], api: any KubernetesAPI, instance: TemplateInstanceView) async -> Leftovers {
        var byResource: [ResourceType: [JSONValue]] = [:]
        let selector = "\(TemplateNames.instanceOwnerLabel)=\(instance.uid)"
        for resource in Set(resources) {
            let items = try? await api.list(resource, namespace: instance.namespace, options: ListOptions(labelSelector: selector)).items
            byResource[resource] = (items ?? []).filter { $0.deletionTimestamp == nil }
        }
        return Leftovers(byResource: byResource)
    }

    /// The object of that name, if the instance has it.
    mutating func claim(_ resource: ResourceType, name: String) -> JSONValue? {
        guard let index = byResource[resource]?.firstIndex(where: { $0.name == name }) else { return nil }
        return byResource[resource]?.remove(at: index)
    }

    /// Any remaining object of the resource.
    mutating func claimAny(_ resource: ResourceType) -> JSONValue? {
        guard byResource[resource]?.isEmpty == false else { return nil }
        return byResource[resource]?.removeFirst()
    }
}
