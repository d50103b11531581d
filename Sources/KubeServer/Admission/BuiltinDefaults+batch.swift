import KubeModel

extension BuiltinDefaults {
    /// batch/v1 (pkg/apis/batch/v1/defaults.go and the Job storage strategy).
    static func batch(_ object: inout JSONValue, resource: String, operation: Operation) {
        switch resource {
        case "jobs":
            PodSpecDefaults.applyToTemplate(at: ["spec", "template"], of: &object)
            if !object.isSet(["spec", "completions"]), !object.isSet(["spec", "parallelism"]) {
                object[path: ["spec", "completions"]] = 1
            }
            object.setDefault(["spec", "parallelism"], 1)
            // With a per-index limit the global one is effectively off.
            object.setDefault(["spec", "backoffLimit"], object.isSet(["spec", "backoffLimitPerIndex"]) ? 2_147_483_647 : 6)
            object.setDefault(["spec", "completionMode"], "NonIndexed")
            object.setDefault(["spec", "suspend"], false)
            if !object.isSet(["spec", "podFailurePolicy"]) {
                object.setDefault(["spec", "podReplacementPolicy"], "TerminatingOrFailed")
            }
            if operation == .create { generateJobSelector(&object) }
            // A Job without labels of its own carries its pods' (the generated ones included).
            if object[path: ["metadata", "labels"]]?.objectValue?.isEmpty ?? true,
                let labels = object[path: ["spec", "template", "metadata", "labels"]], labels.objectValue != nil
            {
                object[path: ["metadata", "labels"]] = labels
            }
            resetStatus(&object, operation: operation)
        case "cronjobs":
            object.setDefault(["spec", "concurrencyPolicy"], "Allow")
            object.setDefault(["spec", "suspend"], false)
            object.setDefault(["spec", "successfulJobsHistoryLimit"], 3)
            object.setDefault(["spec", "failedJobsHistoryLimit"], 1)
            PodSpecDefaults.applyToTemplate(at: ["spec", "jobTemplate", "spec", "template"], of: &object)
            resetStatus(&object, operation: operation)
        default:
            break
        }
    }

    /// Unless `manualSelector` is true, a Job selects its pods by its own uid, and its pod
    /// template carries the labels that selector matches (the legacy unprefixed pair too).
    /// A selector the client sent anyway is refused by validation (``BuiltinValidation``).
    private static func generateJobSelector(_ object: inout JSONValue) {
        guard object[path: ["spec", "manualSelector"]]?.boolValue != true, !object.isSet(["spec", "selector"]),
            let uid = object.uid, let name = object.name
        else { return }
        object[path: ["spec", "selector"]] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
        var labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = .string(uid)
        labels["batch.kubernetes.io/job-name"] = .string(name)
        labels["controller-uid"] = .string(uid)
        labels["job-name"] = .string(name)
        object[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
    }
}
