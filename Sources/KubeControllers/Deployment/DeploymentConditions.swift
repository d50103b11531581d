import KubeModel

/// A Deployment's `status.conditions` entries carry `lastUpdateTime` as well as
/// `lastTransitionTime` (`apps/v1.DeploymentCondition`): the update time moves whenever
/// reason or message change, the transition time only when the status does.
enum DeploymentConditions {
    static let available = "Available"
    static let progressing = "Progressing"

    /// Sets the entry of `type`; returns whether the list changed.
    @discardableResult
    static func set(
        _ conditions: inout [JSONValue], type: String, status: Bool?, reason: String, message: String,
        now: String = Timestamp.now()
    ) -> Bool {
        let statusText = status.map { $0 ? "True" : "False" } ?? "Unknown"
        let index = conditions.firstIndex { $0["type"]?.stringValue == type }
        let previous = index.map { conditions[$0] }
        if let previous, previous["status"]?.stringValue == statusText, previous["reason"]?.stringValue == reason,
            previous["message"]?.stringValue == message
        {
            return false
        }
        let transition = previous.flatMap { $0["status"]?.stringValue == statusText ? $0["lastTransitionTime"] : nil }
        let entry: JSONValue = [
            "type": .string(type), "status": .string(statusText), "reason": .string(reason),
            "message": .string(message), "lastUpdateTime": .string(now),
            "lastTransitionTime": transition ?? .string(now),
        ]
        if let index { conditions[index] = entry } else { conditions.append(entry) }
        return true
    }
}
