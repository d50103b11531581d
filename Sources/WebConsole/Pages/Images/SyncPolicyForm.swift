import Foundation
import ImageSync
import KubeClient
import KubeModel

/// The sync policy as the images page shows and edits it: ConfigMap `sync-operator-policy` in
/// the controller's namespace (``ConsoleServices/imagePolicyNamespace``), read the way ImageSync reads it (``SyncPolicy/parse(_:base:)``
/// over the defaults, data-sync-operator's environment variables applied). Saving validates
/// every key first, with ImageSync's own rules, and writes nothing if one is wrong; the
/// controller picks the new version up from its watch, as it would a `kubectl apply`.
struct SyncPolicyForm {
    static let descriptions: [String: String] = [
        "concurrency": "Images syncing at once, at most (a whole number ≥ 1).",
        "retryLimit": "Retries after a failed attempt (≥ 0); the next failure is final.",
        "retryBackoffDuration": "Wait after the first failure; each further failure waits 3× longer (a Go duration: 90s, 5m).",
        "maxRetryBackoff": "The longest wait between retries.",
        "attemptTimeout": "The longest one attempt may stay Syncing.",
        "syncDeadline": "No retry starts later than this after the first start.",
        "attemptRestartLimit": "Transfer restarts from zero within one attempt (≥ 1).",
    ]

    /// What the ConfigMap holds now (nil: there is none).
    var stored: [String: String]?
    /// The policy its version puts in force, or the defaults.
    var inForce: SyncPolicy
    /// Why the stored version is refused (the controller keeps the previous policy).
    var storedProblem: String?
    /// The inputs as shown: the stored value, else the value in force.
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    var problem: String?
    var saved = false

    static var defaults: SyncPolicy { (try? SyncPolicy.defaults()) ?? .builtIn }

    /// The form for the ConfigMap as it is (`configMap` nil: absent).
    /// Where the ConfigMap lives (shown on the page).
    let namespace: String

    init(configMap: JSONValue?, namespace: String = ImageSyncControllers.Configuration().namespace) {
        self.namespace = namespace
        let defaults = Self.defaults
        inForce = defaults
        if let configMap {
            let data = ConfigMap(configMap).data
            stored = data
            do throws(SyncPolicy.InvalidValue) {
                inForce = try SyncPolicy.parse(data, base: defaults)
            } catch {
                storedProblem = error.description
                inForce = SyncPolicy.parseValidKeys(data, base: defaults).0
            }
        }
        for key in SyncPolicy.configMapKeys {
            values[key] = stored?[key] ?? inForce.configMapValue(forKey: key) ?? ""
        }
    }

    /// The form as posted, checked: every problem is put beside its key.
    mutating func take(_ form: FormData) -> [String: String]? {
        var data: [String: String] = [:]
        for key in SyncPolicy.configMapKeys {
            let value = (form[key] ?? "").trimmingCharacters(in: .whitespaces)
            values[key] = value
            if value.utf8.count > 64 {
                errors[key] = "At most 64 characters."
            } else if !value.isEmpty {
                data[key] = value
            }
        }
        for problem in SyncPolicy.parseValidKeys(data, base: Self.defaults).1 where errors[problem.key] == nil {
            errors[problem.key] = "\"\(problem.value)\" \(problem.problem)."
        }
        return errors.isEmpty ? data : nil
    }

    /// Writes `data` as the ConfigMap's data: an update of the version read (a conflict means
    /// someone changed it meanwhile), or a create.
    static func write(
        _ data: [String: String], existing: JSONValue?, namespace: String, api: any KubernetesAPI
    ) async throws(KubeClientError) {
        let values = JSONValue.object(data.mapValues(JSONValue.string))
        if var object = existing {
            object["data"] = values
            _ = try await api.update(.configMaps, namespace: namespace, object: object)
        } else {
            let object: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string(SyncPolicy.configMapName), "namespace": .string(namespace)],
                "data": values,
            ]
            _ = try await api.create(.configMaps, namespace: namespace, object: object)
        }
    }

    /// Reads the ConfigMap; nil when there is none.
    static func read(namespace: String, api: any KubernetesAPI) async throws(KubeClientError) -> JSONValue? {
        do throws(KubeClientError) {
            return try await api.get(.configMaps, namespace: namespace, name: SyncPolicy.configMapName)
        } catch  where error.isNotFound {
            return nil
        }
    }

    func model(csrf: String?) -> [String: Any] {
        let inputs = SyncPolicy.configMapKeys.map { key -> [String: Any] in
            var entry: [String: Any] = [
                "key": key, "id": "policy-\(key)", "value": values[key] ?? "",
                "hint": Self.descriptions[key] ?? "", "inForce": inForce.configMapValue(forKey: key) ?? "",
            ]
            var described = ["policy-\(key)-hint"]
            if let error = errors[key] {
                entry["error"] = error
                described.append("policy-\(key)-error")
            }
            entry["describedBy"] = described.joined(separator: " ")
            return entry
        }
        var model: [String: Any] = [
            "policyInputs": inputs, "policyNamespace": namespace, "policyName": SyncPolicy.configMapName,
            "policySummary": inForce.description,
        ]
        if stored == nil { model["policyFromDefaults"] = true }
        if let storedProblem { model["policyStoredProblem"] = storedProblem }
        if let problem { model["policyProblem"] = problem }
        if saved { model["policySaved"] = true }
        if let csrf { model["csrf"] = csrf }
        return model
    }
}
