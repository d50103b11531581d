import KubeModel

/// The `Endpoints` object kube-controller-manager's Endpoints controller writes for a Service.
enum EndpointsObject {
    /// The label this controller puts on the Endpoints it manages (kube 1.33's
    /// `endpoints.kubernetes.io/managed-by`), so that an Endpoints object a user wrote is never
    /// taken for one of ours.
    static let managedByLabel = "endpoints.kubernetes.io/managed-by"
    static let managedBy = "endpoint-controller"
    /// Set on the Endpoints of a headless Service (`clusterIP: None`), as kube does.
    static let headlessLabel = "service.kubernetes.io/headless"

    /// `subsets`: backends grouped by the ports they resolve to (pods whose named ports differ
    /// land in different subsets, as in `endpoints.RepackSubsets`); ready ones in `addresses`,
    /// the others in `notReadyAddresses`. A backend that resolves no port of a Service that has
    /// ports is left out.
    static func subsets(_ backends: ServiceBackends, servicePorts: Int) -> JSONValue {
        var groups: [[ServiceBackends.Port]: [ServiceBackends.Backend]] = [:]
        for backend in backends.backends where servicePorts == 0 || !backend.ports.isEmpty {
            groups[backend.ports, default: []].append(backend)
        }
        let ordered = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }
        return .array(
            ordered.map { ports in
                let members = groups[ports] ?? []
                var subset: [String: JSONValue] = [:]
                let ready = members.filter(\.ready).map(address)
                let notReady = members.filter { !$0.ready }.map(address)
                if !ready.isEmpty { subset["addresses"] = .array(ready) }
                if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
                if !ports.isEmpty { subset["ports"] = .array(ports.map(\.endpointsJSON)) }
                return .object(subset)
            })
    }

    /// The whole object for `service`: its labels (as kube copies them), ours, and the subsets.
    static func desired(for service: JSONValue, backends: ServiceBackends) -> JSONValue {
        var labels = service.labels
        labels[managedByLabel] = managedBy
        if service[path: ["spec", "clusterIP"]]?.stringValue == "None" { labels[headlessLabel] = "" }
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": .string(service.name ?? ""), "namespace": .string(service.namespace ?? "")],
        ]
        object.labels = labels
        let ports = service[path: ["spec", "ports"]]?.arrayValue?.count ?? 0
        object["subsets"] = subsets(backends, servicePorts: ports)
        return object
    }

    private static func address(_ backend: ServiceBackends.Backend) -> JSONValue {
        var address: [String: JSONValue] = ["ip": .string(backend.ip), "targetRef": backend.targetRef]
        if let node = backend.nodeName, !node.isEmpty { address["nodeName"] = .string(node) }
        return .object(address)
    }
}
