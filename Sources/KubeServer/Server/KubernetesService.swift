import KubeModel

/// The `default/kubernetes` Service every cluster has: kube-apiserver creates it at start
/// (its "bootstrap controller"), with the first address of the service range and Endpoints
/// and an EndpointSlice naming the API server, so in-cluster clients find the API.
enum KubernetesService {
    static let name = "kubernetes"
    static let clusterIP = "10.96.0.1"
    /// kube-apiserver's secure port, which the Endpoints name.
    static let apiServerPort = 6443

    /// The three objects, with their API versions and kinds, in creation order.
    static func objects(apiServerAddress: String) -> [(group: String, version: String, resource: String, object: JSONValue)] {
        let labels: JSONValue = ["component": "apiserver", "provider": "kubernetes"]
        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": "default", "labels": labels],
            "spec": [
                "type": "ClusterIP", "clusterIP": .string(clusterIP), "clusterIPs": [.string(clusterIP)],
                "sessionAffinity": "None",
                "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(apiServerPort))]],
            ],
        ]
        let endpoints: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"]],
            "subsets": [
                [
                    "addresses": [["ip": .string(apiServerAddress)]],
                    "ports": [["name": "https", "port": .int(Int64(apiServerPort)), "protocol": "TCP"]],
                ]
            ],
        ]
        let slice: JSONValue = [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "name": .string(name), "namespace": "default",
                "labels": ["kubernetes.io/service-name": .string(name)],
            ],
            "addressType": "IPv4",
            "endpoints": [["addresses": [.string(apiServerAddress)], "conditions": ["ready": true]]],
            "ports": [["name": "https", "port": .int(Int64(apiServerPort)), "protocol": "TCP"]],
        ]
        return [
            ("", "v1", "services", service), ("", "v1", "endpoints", endpoints),
            ("discovery.k8s.io", "v1", "endpointslices", slice),
        ]
    }
}
