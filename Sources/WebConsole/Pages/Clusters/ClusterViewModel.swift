import KubeModel
import Provisioning

/// The clusters page's model, built from the provisioning REST API's answers (the JSON of
/// `GET /api/v1/clusters` and `…/operations`), with no I/O so it is tested alone.
enum ClusterViewModel {
    /// How many finished operations the page lists (unfinished ones are always listed).
    static let finishedOperationsShown = 20

    static func build(clusters: [JSONValue], operations: [JSONValue]) -> [String: Any] {
        let shownOperations = ClusterViewModel.operations(operations)
        return [
            "clusters": clusters.map(cluster), "hasClusters": !clusters.isEmpty, "clusterCount": clusters.count,
            "operations": shownOperations, "hasOperations": !shownOperations.isEmpty,
        ]
    }

    static func cluster(_ json: JSONValue) -> [String: Any] {
        let name = json["name"]?.stringValue ?? ""
        let phase = json["phase"]?.stringValue ?? "PENDING"
        let decommissioning = json["decommissioning"]?.boolValue ?? false
        let groups = (json["nodeGroups"]?.arrayValue ?? []).map { group -> [String: Any] in
            let replicas = group["replicas"]?.intValue ?? 0
            let ready = group["readyReplicas"]?.intValue ?? 0
            let target = group["targetCount"]?.intValue
            return [
                "name": group["name"]?.stringValue ?? "", "role": words(group["role"]?.stringValue ?? "—"),
                "replicas": Int(replicas), "ready": Int(ready), "target": target.map { String($0) } ?? "—",
                "allReady": target.map { ready >= $0 && replicas == $0 } ?? false,
            ]
        }
        var model: [String: Any] = [
            "name": name, "type": json["type"]?.stringValue ?? "—", "version": json["version"]?.stringValue ?? "—",
            "phase": phase, "phaseLevel": decommissioning ? "warn" : phaseLevel(phase),
            "decommissioning": decommissioning,
            "nodeGroups": groups, "manageable": !decommissioning,
            // The scale form's first choice: the first group at its declared size.
            "count": groups.first?["target"] as? String ?? "1",
            "groups": groups.enumerated().map { index, group in ["group": group["name"] ?? "", "selected": index == 0] },
        ]
        // Only when there is one: the template's section shows "not yet" otherwise.
        if let endpoint = json["endpoint"]?.stringValue, !endpoint.isEmpty { model["endpoint"] = endpoint }
        return model
    }

    /// Unfinished operations and the newest finished ones, newest first.
    static func operations(_ operations: [JSONValue]) -> [[String: Any]] {
        let newestFirst = operations.reversed()
        var finishedShown = 0
        var shown: [[String: Any]] = []
        for operation in newestFirst {
            let status = operation["status"]?.stringValue ?? "PENDING"
            let finished = ClusterPhase(rawValue: status)?.isFinished ?? false
            if finished {
                guard finishedShown < finishedOperationsShown else { continue }
                finishedShown += 1
            }
            let percent = min(100, max(0, Int(operation["progressPercentage"]?.intValue ?? 0)))
            let id = operation["operationId"]?.stringValue ?? ""
            var model: [String: Any] = [
                "id": id, "cluster": operation["clusterName"]?.stringValue ?? "", "type": words(operation["type"]?.stringValue ?? "—"),
                "status": status, "statusLevel": phaseLevel(status), "percent": percent,
                "started": operation["startTime"]?.stringValue ?? "",
                "nodes": "\(operation["successfulNodes"]?.intValue ?? 0) of \(operation["totalNodes"]?.intValue ?? 0)",
            ]
            if let error = operation["errorMessage"]?.stringValue, !error.isEmpty { model["error"] = error }
            if let step = operation["currentOperation"]?.stringValue, !step.isEmpty { model["step"] = step }
            shown.append(model)
        }
        return shown
    }

    /// The validate report (`POST …/validate`): its summary and every check.
    static func report(_ json: JSONValue) -> [String: Any] {
        let status = json["status"]?.stringValue ?? "FAILED"
        let checks = (json["checks"]?.arrayValue ?? []).map { check -> [String: Any] in
            let status = check["status"]?.stringValue ?? "FAILED"
            return [
                "name": check["name"]?.stringValue ?? "", "category": check["category"]?.stringValue ?? "",
                "status": status, "statusLevel": checkLevel(status), "message": check["message"]?.stringValue ?? "",
            ]
        }
        return [
            "cluster": json["clusterName"]?.stringValue ?? "", "status": status, "statusLevel": checkLevel(status),
            "summary": json["summary"]?.stringValue ?? "", "checks": checks, "timestamp": json["timestamp"]?.stringValue ?? "",
        ]
    }

    static func phaseLevel(_ phase: String) -> String {
        switch phase {
        case "COMPLETED": "ok"
        case "FAILED", "ROLLED_BACK", "CANCELLED": "bad"
        default: "warn"
        }
    }

    static func checkLevel(_ status: String) -> String {
        switch status {
        case "PASSED": "ok"
        case "WARNING": "warn"
        default: "bad"
        }
    }

    /// `CONTROL_PLANE` → `Control plane`.
    static func words(_ text: String) -> String {
        let lower = text.lowercased().replacingOccurrences(of: "_", with: " ")
        return lower.prefix(1).uppercased() + lower.dropFirst()
    }
}
