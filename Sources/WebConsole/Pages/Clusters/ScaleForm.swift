import KubeModel
import Provisioning

/// The scale form of one cluster: its fields as submitted, and the form again with the
/// provisioner's answer — the new operation, or its refusal (400, 409) beside the field.
struct ScaleForm {
    var cluster: String
    var nodeGroup: String
    var targetCount: String

    init(cluster: String, form: FormData) {
        self.cluster = cluster
        nodeGroup = form["nodeGroup"] ?? ""
        targetCount = (form["targetCount"] ?? "").trimmingCharacters(in: .whitespaces)
    }

    func submit(_ provisioning: ProvisioningService, nodeGroups: [String], user: String) async throws -> ConsoleView {
        guard nodeGroups.contains(nodeGroup) else {
            return view(nodeGroups: nodeGroups, error: "Choose one of the node groups of \(cluster).", field: "nodeGroup")
        }
        guard let count = Int(targetCount), targetCount.count <= 6 else {
            return view(nodeGroups: nodeGroups, error: "The target count must be a whole number (1 to 100).", field: "targetCount")
        }
        let outcome: Result<JSONValue, ProvisioningConsoleError>
        do {
            outcome = .success(try await provisioning.consoleScale(cluster, nodeGroup: nodeGroup, targetCount: count, user: user))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let operation):
            let id = operation["operationId"]?.stringValue ?? ""
            var accepted = view(nodeGroups: nodeGroups, error: nil, field: nil)
            accepted.model["notice"] = "Scaling \(nodeGroup) to \(count) nodes: operation \(id) accepted."
            return accepted
        case .failure(let error):
            // 404 (the cluster went) and 503 are the page's business, not the field's.
            guard error.status == .badRequest || error.status == .conflict else { throw ConsoleError(error.status, error.message) }
            return view(
                nodeGroups: nodeGroups, error: "The provisioner answered \(error.status.code): \(error.message)", field: "targetCount")
        }
    }

    func view(nodeGroups: [String], error: String?, field: String?) -> ConsoleView {
        ConsoleView(
            template: "clusters/scale-form", title: "Scale",
            model: Self.model(cluster: cluster, nodeGroups: nodeGroups, chosen: nodeGroup, count: targetCount, error: error, field: field),
            status: error == nil ? .ok : .unprocessableContent)
    }

    /// The form's model; `field` names the input the error belongs beside.
    static func model(cluster: String, nodeGroups: [String], chosen: String, count: String, error: String?, field: String?) -> [String: Any]
    {
        var model: [String: Any] = [
            "name": cluster, "count": count,
            "groups": nodeGroups.map { ["group": $0, "selected": $0 == chosen] },
        ]
        if let error {
            model[field == "nodeGroup" ? "groupError" : "countError"] = error
        }
        return model
    }
}
