import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// kube-controller-manager's Service controllers on ControllerKit: Service → Endpoints and
/// Service → EndpointSlices, from the pods each Service selects. Like
/// ``WorkloadControllers``, for embedded mode only: a real cluster runs its own.
public enum ServiceControllers {
    /// The two controllers, sharing `informers` (services, pods, endpoints, endpoint slices);
    /// run them in the group that runs the factory.
    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        logger: Logger = Logger(label: "virtyard.service-controllers")
    ) -> [any Service] {
        let services = informers.informer(for: ServiceResources.services)
        let pods = informers.informer(for: .pods)
        let endpoints = informers.informer(for: ServiceResources.endpoints)
        let slices = informers.informer(for: ServiceResources.endpointSlices)
        // A pod maps to every Service of its namespace that selects it; the controller maps
        // both the old and the new pod, so a pod that stops matching is removed too.
        let selectingServices: @Sendable (JSONValue) -> [ObjectKey] = { pod in
            services.list(namespace: pod.namespace).compactMap { service in
                guard let selector = ServiceBackends.selector(of: service),
                    ServiceBackends.matches(selector, pod)
                else { return nil }
                return ObjectKey(service)
            }
        }
        let sameName: @Sendable (JSONValue) -> [ObjectKey] = { object in ObjectKey(object).map { [$0] } ?? [] }
        let serviceOfSlice: @Sendable (JSONValue) -> [ObjectKey] = { slice in
            guard let name = slice.labels[EndpointSliceObject.serviceNameLabel] else { return [] }
            return [ObjectKey(namespace: slice.namespace, name: name)]
        }
        let settings = ControllerConfiguration(workers: 2)
        return [
            Controller(
                name: "endpoints",
                reconciler: EndpointsReconciler(api: api, services: services, pods: pods, logger: logger),
                for: services, watches: [.mapped(pods, selectingServices), .mapped(endpoints, sameName)],
                configuration: settings, logger: logger),
            Controller(
                name: "endpointslice",
                reconciler: EndpointSliceReconciler(api: api, services: services, pods: pods, logger: logger),
                for: services, watches: [.mapped(pods, selectingServices), .mapped(slices, serviceOfSlice)],
                configuration: settings, logger: logger),
        ]
    }
}
