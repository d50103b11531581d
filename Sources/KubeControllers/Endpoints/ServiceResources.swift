import KubeClient

/// The kinds the Service controllers address, named once.
public enum ServiceResources {
    public static let services = ResourceType(
        group: "", version: "v1", resource: "services", kind: "Service", namespaced: true)
    public static let endpoints = ResourceType(
        group: "", version: "v1", resource: "endpoints", kind: "Endpoints", namespaced: true)
    public static let endpointSlices = ResourceType(
        group: "discovery.k8s.io", version: "v1", resource: "endpointslices", kind: "EndpointSlice",
        namespaced: true)
}
