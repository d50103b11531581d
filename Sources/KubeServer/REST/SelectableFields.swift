import KubeModel

/// The fields a field selector may name, per kind, as kube-apiserver allows them; every
/// kind allows `metadata.name` and `metadata.namespace`.
enum SelectableFields {
    static func fields(for resource: APIResource) -> Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        guard resource.schema == nil else { return fields }
        switch (resource.group, resource.resource) {
        case ("", "pods"):
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                "status.nominatedNodeName",
            ])
        case ("", "events"):
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
            ])
        case ("", "namespaces"):
            fields.insert("status.phase")
        case ("", "nodes"):
            fields.insert("spec.unschedulable")
        case ("", "secrets"):
            fields.insert("type")
        case ("", "persistentvolumes"):
            fields.insert("name")
        case ("", "replicationcontrollers"):
            fields.insert("status.replicas")
        default:
            break
        }
        return fields
    }
}
