import KubeModel

/// The pods behind a Service, as both endpoint controllers see them: which pods count, whether
/// each is ready, and the port each Service port reaches on it. A pure function of the Service
/// and the pods of its namespace, tested without an API server.
struct ServiceBackends: Equatable {
    /// One Service port resolved on one pod (`EndpointPort`).
    struct Port: Hashable, Comparable {
        var name: String
        var port: Int64
        var `protocol`: String

        static func < (a: Port, b: Port) -> Bool { (a.name, a.port) < (b.name, b.port) }

        /// As an Endpoints port: an unnamed Service port has no `name`.
        var endpointsJSON: JSONValue {
            var fields: [String: JSONValue] = ["port": .int(port), "protocol": .string(`protocol`)]
            if !name.isEmpty { fields["name"] = .string(name) }
            return .object(fields)
        }

        /// As an EndpointSlice port: the name is always there, empty for an unnamed one.
        var sliceJSON: JSONValue { ["name": .string(name), "port": .int(port), "protocol": .string(`protocol`)] }
    }

    /// One pod that backs the Service.
    struct Backend: Equatable {
        var ip: String
        var nodeName: String?
        var podName: String
        var podNamespace: String
        var podUID: String
        /// Ready, or the Service publishes not-ready addresses.
        var ready: Bool
        /// The pod's own `Ready` condition (EndpointSlice `serving`).
        var serving: Bool
        var terminating: Bool
        var ports: [Port]

        var targetRef: JSONValue {
            ["kind": "Pod", "namespace": .string(podNamespace), "name": .string(podName), "uid": .string(podUID)]
        }
    }

    var backends: [Backend]

    /// The Service's `spec.selector`; nil when it has none (its Endpoints are the user's).
    static func selector(of service: JSONValue) -> [String: String]? {
        guard let fields = service[path: ["spec", "selector"]]?.objectValue, !fields.isEmpty else { return nil }
        return fields.compactMapValues(\.stringValue)
    }

    /// Whether `pod` carries every label of `selector` (a Service selector is equality only).
    static func matches(_ selector: [String: String], _ pod: JSONValue) -> Bool {
        let labels = pod.labels
        return selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// The backends of `service` among `pods` (the pods of its namespace): pods the selector
    /// matches that have an IP and have not finished. Pods being deleted are left out, as
    /// kube-controller-manager leaves them out of Endpoints; EndpointSlices list them as
    /// `terminating` only when the Service publishes not-ready addresses, so here too.
    init(service: JSONValue, pods: [JSONValue]) {
        guard let selector = Self.selector(of: service) else {
            backends = []
            return
        }
        let publishNotReady = service[path: ["spec", "publishNotReadyAddresses"]]?.boolValue ?? false
        let servicePorts = service[path: ["spec", "ports"]]?.arrayValue ?? []
        backends = pods.compactMap { object -> Backend? in
            let pod = Pod(object)
            guard Self.matches(selector, object), let ip = pod.podIP, !ip.isEmpty,
                pod.phase?.isFinished != true, let name = object.name
            else { return nil }
            let terminating = object.deletionTimestamp != nil
            if terminating && !publishNotReady { return nil }
            let podReady = pod.conditions.condition("Ready")?.isTrue ?? false
            return Backend(
                ip: ip, nodeName: pod.nodeName, podName: name, podNamespace: object.namespace ?? "",
                podUID: object.uid ?? "", ready: publishNotReady || (podReady && !terminating),
                serving: podReady, terminating: terminating,
                ports: servicePorts.compactMap { Self.resolve($0, on: pod) }.sorted())
        }
        .sorted { ($0.ip, $0.podName) < ($1.ip, $1.podName) }
    }

    /// A Service port on a pod: `targetPort` as a number, or as the name of a container port
    /// of the pod (then the pod must declare it, or the port is left out, as in kube); unset,
    /// the Service's `port`.
    static func resolve(_ servicePort: JSONValue, on pod: Pod) -> Port? {
        let name = servicePort["name"]?.stringValue ?? ""
        let proto = servicePort["protocol"]?.stringValue ?? "TCP"
        let number: Int64?
        switch servicePort["targetPort"] {
        case .string(let named)?:
            if let literal = Int64(named) {
                number = literal
            } else {
                number =
                    pod.containers.lazy.flatMap { $0["ports"]?.arrayValue ?? [] }
                    .first { $0["name"]?.stringValue == named && ($0["protocol"]?.stringValue ?? "TCP") == proto }?[
                        "containerPort"]?.intValue
            }
        case let value?:
            number = value.intValue
        case nil:
            number = servicePort["port"]?.intValue
        }
        guard let number, number > 0 else { return nil }
        return Port(name: name, port: number, protocol: proto)
    }
}
