import KubeModel

/// The checks KubeVirt's validating webhook (virt-api) makes that its CRD schema cannot
/// express, for the kinds the embedded API serves on KubeVirt's behalf.
enum KubeVirtAdmission {
    /// The run strategies virt-controller knows.
    static let runStrategies: Set<String> = ["Always", "Halted", "Manual", "RerunOnFailure", "Once", "WaitAsReceiver"]

    static func validate(_ object: JSONValue, resource: APIResource) -> [APIError.Cause] {
        guard resource.group == "kubevirt.io", resource.resource == "virtualmachines" else { return [] }
        var causes: [APIError.Cause] = []
        let spec = object["spec"]
        let running = spec?["running"].flatMap { $0.isNull ? nil : $0 }
        let strategy = spec?["runStrategy"].flatMap { $0.isNull ? nil : $0 }
        if running != nil, strategy != nil {
            causes.append(
                .init(
                    reason: "FieldValueInvalid",
                    message:
                        "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead",
                    field: "spec.running"))
        }
        if let strategy {
            let name = strategy.stringValue ?? strategy.serializedString()
            if !runStrategies.contains(name) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid RunStrategy (\(name)); one of \(runStrategies.sorted().joined(separator: ", "))",
                        field: "spec.runStrategy"))
            }
        }
        return causes
    }
}
