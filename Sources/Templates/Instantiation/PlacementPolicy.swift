import KubeClient
import KubeModel

/// Where a template's objects may go. OpenShift checks, with a SubjectAccessReview per
/// object, that the instance's requester could create it; Virtyard has no trusted requester
/// (`spec.requester` is whatever the writer put there), so it keeps a TemplateInstance from
/// being a way around RBAC instead: objects go into the instance's own namespace only, never
/// cluster-scoped, and no RBAC objects.
enum PlacementPolicy {
    static let refusedGroups: Set<String> = ["rbac.authorization.k8s.io"]

    /// Nil when `object` of `resource` may be created for an instance in `namespace`, else why not.
    static func refusal(for object: JSONValue, resource: ResourceType, instanceNamespace namespace: String) -> String? {
        let what = "\(resource.kind) \(object.name ?? object[path: ["metadata", "generateName"]]?.stringValue ?? "(unnamed)")"
        guard resource.namespaced else {
            return "\(what): cluster-scoped objects are not created from templates (Virtyard does not check the requester's permissions)"
        }
        guard !refusedGroups.contains(resource.group) else {
            return "\(what): \(resource.group) objects are not created from templates (Virtyard does not check the requester's permissions)"
        }
        if let target = object.namespace, !target.isEmpty, target != namespace {
            return "\(what): namespace \(target) is not the TemplateInstance's namespace \(namespace)"
        }
        return nil
    }
}
