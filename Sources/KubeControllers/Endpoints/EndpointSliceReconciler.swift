import ControllerKit
import KubeClient
import KubeModel
import Logging

/// Keeps the EndpointSlices of each Service with a selector (kube-controller-manager's
/// EndpointSlice controller): slices named `<service>-<random>`, owned by the Service,
/// labelled with its name, rewritten in place as pods come and go; extra ones deleted.
///
/// The existing slices are listed from the API, not the cache: a slice created a moment ago
/// under a generated name must be seen by the next reconcile, or it would be created twice.
struct EndpointSliceReconciler: Reconciler {
    let api: any KubernetesAPI
    let services: Informer
    let pods: Informer
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let existing = try await api.list(
            ServiceResources.endpointSlices, namespace: key.namespace,
            options: ListOptions(labelSelector: EndpointSliceObject.selector(serviceName: key.name))
        ).items.sorted { ($0.name ?? "") < ($1.name ?? "") }
        guard let service = services.get(key), service.deletionTimestamp == nil,
            ServiceBackends.selector(of: service) != nil
        else {
            // Deleted (the garbage collector would follow the owner reference too), or no
            // longer selecting: the slices are no longer this controller's to keep.
            try await delete(existing, namespace: key.namespace)
            return .done
        }
        let ports = service[path: ["spec", "ports"]]?.arrayValue?.count ?? 0
        let plan = EndpointSlicePlan(
            ServiceBackends(service: service, pods: pods.list(namespace: key.namespace)), servicePorts: ports)
        let owner = OwnerReferences.reference(to: service, ServiceResources.services)
        // Slices owned by an earlier Service of the same name go; the rest are reused in order.
        let reusable = existing.filter { $0.isControlled(by: service) }
        try await delete(existing.filter { !$0.isControlled(by: service) }, namespace: key.namespace)
        for (index, slice) in plan.slices.enumerated() {
            if index < reusable.count {
                _ = try await api.createOrPatch(
                    ServiceResources.endpointSlices,
                    EndpointSliceObject.desired(slice, for: service, owner: owner, name: reusable[index].name))
            } else {
                _ = try await api.create(
                    ServiceResources.endpointSlices, namespace: key.namespace,
                    object: EndpointSliceObject.desired(slice, for: service, owner: owner, name: nil))
            }
        }
        try await delete(Array(reusable.dropFirst(plan.slices.count)), namespace: key.namespace)
        return .done
    }

    private func delete(_ slices: [JSONValue], namespace: String?) async throws {
        for slice in slices {
            guard let name = slice.name else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(
                    ServiceResources.endpointSlices, namespace: namespace, name: name,
                    options: DeleteOptions(preconditionUID: slice.uid))
            }
        }
    }
}
