import KubeModel

/// The CPU use of simulated pods, which run no containers: each Running and Ready pod uses the
/// percentage of its CPU request that its annotation
/// `virtyard.io/simulated-cpu-utilization` says (`"80"` or `"80%"`), and 0% without one — an
/// idle container. A pod requesting no CPU is reckoned against one CPU (1000m) for average
/// values; utilisation targets need requests, as with metrics-server.
enum SimulatedMetrics {
    static let cpuUtilizationAnnotation = "virtyard.io/simulated-cpu-utilization"
    static let defaultUtilization = 0

    /// The pod's simulated CPU utilisation, percent of its request.
    static func utilization(of pod: JSONValue) -> Int {
        guard var text = Pod(pod).annotation(cpuUtilizationAnnotation)?.trimmingCharacters(in: .whitespaces) else {
            return defaultUtilization
        }
        if text.hasSuffix("%") { text.removeLast() }
        return max(0, Int(text) ?? defaultUtilization)
    }

    /// The summed CPU requests of the pod's containers in millicores; nil when one container
    /// requests none, with that container's name.
    static func cpuRequest(of pod: JSONValue) -> Result<Int64, MissingRequest> {
        var total: Int64 = 0
        for container in Pod(pod).containers {
            guard let request = Quantity(json: container[path: ["resources", "requests", "cpu"]]) else {
                return .failure(MissingRequest(container: container["name"]?.stringValue ?? "", pod: pod.name ?? ""))
            }
            total += request.milliValue
        }
        return .success(total)
    }

    /// A container without a CPU request.
    struct MissingRequest: Error, Sendable, Equatable {
        var container: String
        var pod: String
    }
}
