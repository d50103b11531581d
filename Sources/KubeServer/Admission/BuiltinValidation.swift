import KubeModel

/// The checks Kubernetes makes on the built-in kinds beyond names and labels. Not the whole
/// of Kubernetes' validation: the rules clients most often trip over.
enum BuiltinValidation {
    static func validate(_ object: JSONValue, resource: APIResource) -> [APIError.Cause] {
        switch (resource.group, resource.resource) {
        case ("", "configmaps"):
            return dataKeys(object, fields: ["data", "binaryData"])
        case ("", "secrets"):
            return dataKeys(object, fields: ["data", "stringData"])
        case ("", "pods"):
            return pod(object)
        case ("", "services"):
            return service(object)
        case ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"):
            return workload(object)
        case ("batch", "jobs"):
            return job(object, prefix: "spec", generatedSelector: true)
        case ("batch", "cronjobs"):
            return cronJob(object)
        case ("policy", "poddisruptionbudgets"):
            return podDisruptionBudget(object)
        case ("rbac.authorization.k8s.io", "rolebindings"), ("rbac.authorization.k8s.io", "clusterrolebindings"):
            return roleBinding(object)
        default:
            return []
        }
    }

    /// ConfigMap and Secret keys: `[-._a-zA-Z0-9]+`, at most 253 characters.
    private static func dataKeys(_ object: JSONValue, fields: [String]) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for field in fields {
            let keys = (object[field]?.objectValue ?? [:]).keys
            for key in keys.filter({ !isConfigKey($0) }).sorted() {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message:
                            "Invalid value: \"\(key)\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                        field: "\(field)[\(key)]"))
            }
        }
        return causes
    }

    /// Letters, digits, `-`, `_` and `.`, at most 253 of them, not `.` or `..`.
    private static func isConfigKey(_ key: String) -> Bool {
        let bytes = key.utf8
        return !bytes.isEmpty && bytes.count <= 253 && key != "." && key != ".."
            && bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    true
                default: false
                }
            }
    }

    private static func pod(_ object: JSONValue) -> [APIError.Cause] {
        podSpec(object["spec"] ?? [:], field: "spec")
    }

    /// The container checks of a PodSpec at `field` (`spec`, `spec.template.spec`).
    static func podSpec(_ spec: JSONValue, field: String) -> [APIError.Cause] {
        guard let containers = spec["containers"]?.arrayValue, !containers.isEmpty else {
            return [.init(reason: "FieldValueRequired", message: "Required value", field: "\(field).containers")]
        }
        var causes: [APIError.Cause] = []
        var seen = Set<String>()
        for (index, container) in containers.enumerated() {
            let name = container["name"]?.stringValue ?? ""
            if let problem = NameValidation.dnsLabel(name) {
                causes.append(
                    .init(
                        reason: name.isEmpty ? "FieldValueRequired" : "FieldValueInvalid",
                        message: name.isEmpty ? "Required value" : "Invalid value: \"\(name)\": \(problem)",
                        field: "\(field).containers[\(index)].name"))
            } else if !seen.insert(name).inserted {
                causes.append(
                    .init(
                        reason: "FieldValueDuplicate", message: "Duplicate value: \"\(name)\"",
                        field: "\(field).containers[\(index)].name"))
            }
            if (container["image"]?.stringValue ?? "").isEmpty {
                causes.append(
                    .init(
                        reason: "FieldValueRequired", message: "Required value",
                        field: "\(field).containers[\(index)].image"))
            }
        }
        return causes
    }
}
