import KubeModel

/// The EndpointSlices a Service should have: its backends grouped by the ports they resolve
/// to, each group cut into slices of at most ``maxEndpoints`` endpoints
/// (kube-controller-manager's `--max-endpoints-per-slice`, 100 by default). A Service with no
/// backends keeps one empty slice, as kube's placeholder slice.
struct EndpointSlicePlan: Equatable {
    static let maxEndpoints = 100

    struct Slice: Equatable {
        var ports: [ServiceBackends.Port]
        var endpoints: [ServiceBackends.Backend]
    }

    var slices: [Slice]

    init(_ backends: ServiceBackends, servicePorts: Int, maxEndpoints: Int = Self.maxEndpoints) {
        var groups: [[ServiceBackends.Port]: [ServiceBackends.Backend]] = [:]
        for backend in backends.backends where servicePorts == 0 || !backend.ports.isEmpty {
            groups[backend.ports, default: []].append(backend)
        }
        let ordered = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }
        slices = ordered.flatMap { ports in
            let members = groups[ports] ?? []
            return stride(from: 0, to: members.count, by: maxEndpoints).map {
                Slice(ports: ports, endpoints: Array(members[$0..<min($0 + maxEndpoints, members.count)]))
            }
        }
        if slices.isEmpty { slices = [Slice(ports: [], endpoints: [])] }
    }
}

/// The `discovery.k8s.io/v1` EndpointSlice objects of a Service.
enum EndpointSliceObject {
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedBy = "endpointslice-controller.k8s.io"

    /// The label selector of the slices this controller manages for `serviceName`.
    static func selector(serviceName: String) -> String {
        "\(serviceNameLabel)=\(serviceName),\(managedByLabel)=\(managedBy)"
    }

    /// A slice's content for `service`, named by the server from `<service>-` unless `name` is
    /// given (an existing slice being rewritten).
    static func desired(
        _ slice: EndpointSlicePlan.Slice, for service: JSONValue, owner: OwnerReference, name: String?
    ) -> JSONValue {
        let serviceName = service.name ?? ""
        var metadata: [String: JSONValue] = ["namespace": .string(service.namespace ?? "")]
        if let name { metadata["name"] = .string(name) } else { metadata["generateName"] = .string("\(serviceName)-") }
        var object: JSONValue = [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": .object(metadata),
            "addressType": "IPv4",
            "endpoints": .array(slice.endpoints.map(endpoint)),
            "ports": .array(slice.ports.map(\.sliceJSON)),
        ]
        var labels = service.labels
        labels[serviceNameLabel] = serviceName
        labels[managedByLabel] = managedBy
        if service[path: ["spec", "clusterIP"]]?.stringValue == "None" {
            labels[EndpointsObject.headlessLabel] = ""
        }
        object.labels = labels
        object.ownerReferences = [owner]
        return object
    }

    private static func endpoint(_ backend: ServiceBackends.Backend) -> JSONValue {
        var endpoint: [String: JSONValue] = [
            "addresses": [.string(backend.ip)],
            "conditions": [
                "ready": .bool(backend.ready), "serving": .bool(backend.serving),
                "terminating": .bool(backend.terminating),
            ],
            "targetRef": backend.targetRef,
        ]
        if let node = backend.nodeName, !node.isEmpty { endpoint["nodeName"] = .string(node) }
        return .object(endpoint)
    }
}
