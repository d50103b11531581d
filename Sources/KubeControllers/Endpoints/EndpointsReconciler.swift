import ControllerKit
import KubeClient
import KubeModel
import Logging

/// Keeps an `Endpoints` object of the same name for each Service with a selector
/// (kube-controller-manager's Endpoints controller), and deletes it with the Service.
///
/// A Service without a selector is left alone: its Endpoints are the user's. Keys are Service
/// keys; pods map to the Services that select them, Endpoints to the Service of their name.
struct EndpointsReconciler: Reconciler {
    let api: any KubernetesAPI
    let services: Informer
    let pods: Informer
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let service = services.get(key), service.deletionTimestamp == nil else {
            try await deleteOurs(key)
            return .done
        }
        guard ServiceBackends.selector(of: service) != nil else { return .done }
        let backends = ServiceBackends(service: service, pods: pods.list(namespace: key.namespace))
        _ = try await api.createOrPatch(
            ServiceResources.endpoints, EndpointsObject.desired(for: service, backends: backends))
        return .done
    }

    /// Deletes the Endpoints of a deleted Service when this controller wrote them (a user's
    /// Endpoints of a selector-less Service are not ours to remove).
    private func deleteOurs(_ key: ObjectKey) async throws {
        let existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(ServiceResources.endpoints, namespace: key.namespace, name: key.name)
        }
        guard let existing, existing.labels[EndpointsObject.managedByLabel] == EndpointsObject.managedBy else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(
                ServiceResources.endpoints, namespace: key.namespace, name: key.name,
                options: DeleteOptions(preconditionUID: existing.uid))
        }
    }
}
