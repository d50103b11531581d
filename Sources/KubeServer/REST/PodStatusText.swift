import KubeModel

/// The STATUS column of `kubectl get pods`, as kubectl's printer computes it from the pod:
/// the phase, overridden by the pod's reason, by the first init container still at work
/// (`Init:0/2`, `Init:CrashLoopBackOff`), or by the last container's waiting or terminated
/// reason (`ContainerCreating`, `Completed`, `Error`, `ExitCode:3`); `Terminating` while
/// it is deleted.
enum PodStatusText {
    static func of(_ pod: JSONValue) -> String {
        let status = pod["status"] ?? [:]
        var reason = status["phase"]?.stringValue ?? "Pending"
        if let podReason = status["reason"]?.stringValue, !podReason.isEmpty { reason = podReason }
        if reason == "Pending",
            let scheduled = status["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == "PodScheduled" }),
            scheduled["status"]?.stringValue == "False",
            let why = scheduled["reason"]?.stringValue, why == "SchedulingGated"
        {
            reason = why
        }
        let initCount = pod[path: ["spec", "initContainers"]]?.arrayValue?.count ?? 0
        var initializing = false
        for (index, container) in (status["initContainerStatuses"]?.arrayValue ?? []).enumerated() {
            let state = container["state"] ?? [:]
            if let terminated = state["terminated"] {
                if terminated["exitCode"]?.intValue == 0 { continue }
                reason = "Init:" + terminatedText(terminated)
            } else if let waiting = waitingReason(state), waiting != "PodInitializing" {
                reason = "Init:" + waiting
            } else {
                reason = "Init:\(index)/\(initCount)"
            }
            initializing = true
            break
        }
        if !initializing {
            var hasRunning = false
            for container in (status["containerStatuses"]?.arrayValue ?? []).reversed() {
                let state = container["state"] ?? [:]
                if let waiting = waitingReason(state) {
                    reason = waiting
                } else if let terminated = state["terminated"] {
                    reason = terminatedText(terminated)
                } else if container["ready"]?.boolValue == true, state["running"] != nil {
                    hasRunning = true
                }
            }
            // Some containers ended, others still run: the pod is not "Completed".
            if reason == "Completed", hasRunning {
                let ready = status["conditions"]?.arrayValue?.contains {
                    $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
                }
                reason = ready == true ? "Running" : "NotReady"
            }
        }
        if pod.deletionTimestamp != nil {
            reason = status["reason"]?.stringValue == "NodeLost" ? "Unknown" : "Terminating"
        }
        return reason
    }

    private static func waitingReason(_ state: JSONValue) -> String? {
        guard let reason = state["waiting"]?["reason"]?.stringValue, !reason.isEmpty else { return nil }
        return reason
    }

    /// A terminated state's reason, or what kubectl shows without one.
    private static func terminatedText(_ terminated: JSONValue) -> String {
        if let reason = terminated["reason"]?.stringValue, !reason.isEmpty { return reason }
        if let signal = terminated["signal"]?.intValue, signal != 0 { return "Signal:\(signal)" }
        return "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
    }
}
