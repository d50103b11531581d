import KubeModel

/// kube-apiserver's checks on Services, workload controllers, Jobs, CronJobs, budgets and
/// role bindings that clients most often trip over, with its field paths and wording.
extension BuiltinValidation {
    static func service(_ object: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        let supported = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
        if !supported.contains(type) {
            causes.append(notSupported("spec.type", type, supported))
        }
        let ports = object[path: ["spec", "ports"]]?.arrayValue ?? []
        let headless = object[path: ["spec", "clusterIP"]]?.stringValue == "None"
        if ports.isEmpty, type != "ExternalName", !headless {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.ports"))
        }
        if type == "ExternalName", (object[path: ["spec", "externalName"]]?.stringValue ?? "").isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.externalName"))
        }
        for (index, port) in ports.enumerated() {
            let number = port["port"]?.intValue ?? 0
            if !(1...65535).contains(number) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \(number): must be between 1 and 65535, inclusive",
                        field: "spec.ports[\(index)].port"))
            }
            if ports.count > 1, (port["name"]?.stringValue ?? "").isEmpty {
                causes.append(
                    .init(
                        reason: "FieldValueRequired", message: "Required value",
                        field: "spec.ports[\(index)].name"))
            }
        }
        return causes
    }

    /// Deployments, ReplicaSets, StatefulSets, DaemonSets: a selector that the template's
    /// labels satisfy, and a template with containers.
    static func workload(_ object: JSONValue) -> [APIError.Cause] {
        var causes = selectorMatchesTemplate(object)
        causes += podSpec(object[path: ["spec", "template", "spec"]] ?? [:], field: "spec.template.spec")
        return causes
    }

    static func job(_ object: JSONValue, prefix: String, generatedSelector: Bool) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let spec = object[path: prefix.split(separator: ".").map(String.init)] ?? [:]
        let templateSpec = spec[path: ["template", "spec"]] ?? [:]
        causes += podSpec(templateSpec, field: "\(prefix).template.spec")
        let restartPolicy = templateSpec["restartPolicy"]?.stringValue ?? ""
        if restartPolicy != "OnFailure", restartPolicy != "Never" {
            causes.append(notSupported("\(prefix).template.spec.restartPolicy", restartPolicy, ["OnFailure", "Never"]))
        }
        guard generatedSelector else { return causes }
        let manual = spec["manualSelector"]?.boolValue == true
        let generated = spec[path: ["selector", "matchLabels", "batch.kubernetes.io/controller-uid"]]?.stringValue
        if !manual, spec["selector"] != nil, spec["selector"]?.isNull == false, generated != object.uid {
            causes.append(
                .init(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(goMap(spec[path: ["selector", "matchLabels"]])): `selector` will be auto-generated",
                    field: "spec.selector"))
        } else {
            causes += selectorMatchesTemplate(object)
        }
        return causes
    }

    static func cronJob(_ object: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let schedule = object[path: ["spec", "schedule"]]?.stringValue ?? ""
        if schedule.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.schedule"))
        } else if !schedule.hasPrefix("@") {
            let fields = schedule.split(whereSeparator: \.isWhitespace).filter { !$0.hasPrefix("TZ=") && !$0.hasPrefix("CRON_TZ=") }
            if fields.count != 5 {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"\(schedule)\": expected exactly 5 fields, found \(fields.count): \(schedule)",
                        field: "spec.schedule"))
            }
        }
        causes += job(object, prefix: "spec.jobTemplate.spec", generatedSelector: false)
        return causes
    }

    static func podDisruptionBudget(_ object: JSONValue) -> [APIError.Cause] {
        guard object.isSet(["spec", "minAvailable"]), object.isSet(["spec", "maxUnavailable"]) else { return [] }
        return [
            .init(
                reason: "FieldValueInvalid",
                message: "Invalid value: \(object["spec"]?.serializedString() ?? "{}"): minAvailable and maxUnavailable cannot be both set",
                field: "spec")
        ]
    }

    static func roleBinding(_ object: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let clusterScoped = object.kind == "ClusterRoleBinding"
        let kind = object[path: ["roleRef", "kind"]]?.stringValue ?? ""
        let allowed = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"]
        if !allowed.contains(kind) {
            causes.append(notSupported("roleRef.kind", kind, allowed))
        }
        if (object[path: ["roleRef", "name"]]?.stringValue ?? "").isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "roleRef.name"))
        }
        if object[path: ["roleRef", "apiGroup"]]?.stringValue != "rbac.authorization.k8s.io" {
            let group = object[path: ["roleRef", "apiGroup"]]?.stringValue ?? ""
            causes.append(notSupported("roleRef.apiGroup", group, ["rbac.authorization.k8s.io"]))
        }
        for (index, subject) in (object["subjects"]?.arrayValue ?? []).enumerated() {
            if (subject["name"]?.stringValue ?? "").isEmpty {
                causes.append(
                    .init(
                        reason: "FieldValueRequired", message: "Required value",
                        field: "subjects[\(index)].name"))
            }
            let kind = subject["kind"]?.stringValue ?? ""
            if !["ServiceAccount", "User", "Group"].contains(kind) {
                causes.append(notSupported("subjects[\(index)].kind", kind, ["ServiceAccount", "User", "Group"]))
            }
        }
        return causes
    }

    // MARK: Pieces

    /// `spec.selector` is required, and the template's labels must satisfy it.
    private static func selectorMatchesTemplate(_ object: JSONValue) -> [APIError.Cause] {
        guard let selector = object[path: ["spec", "selector"]], selector.objectValue != nil else {
            return [.init(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")]
        }
        let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        if matchLabels.isEmpty && expressions.isEmpty {
            return [
                .init(
                    reason: "FieldValueInvalid", message: "Invalid value: \(goMap(nil)): empty selector is invalid for deployment",
                    field: "spec.selector")
            ]
        }
        let labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        let matches =
            matchLabels.allSatisfy { labels[$0.key] == $0.value }
            && expressions.allSatisfy { expression in
                let key = expression["key"]?.stringValue ?? ""
                let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)
                let value = labels[key]?.stringValue
                switch expression["operator"]?.stringValue {
                case "In": return value.map(values.contains) ?? false
                case "NotIn": return value.map { !values.contains($0) } ?? true
                case "Exists": return value != nil
                case "DoesNotExist": return value == nil
                default: return false
                }
            }
        guard !matches else { return [] }
        return [
            .init(
                reason: "FieldValueInvalid",
                message:
                    "Invalid value: \(goMap(object[path: ["spec", "template", "metadata", "labels"]])): `selector` does not match template `labels`",
                field: "spec.template.metadata.labels")
        ]
    }

    static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> APIError.Cause {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        let message =
            value.isEmpty
            ? "Required value: supported values: \(list)"
            : "Unsupported value: \"\(value)\": supported values: \(list)"
        return .init(reason: value.isEmpty ? "FieldValueRequired" : "FieldValueNotSupported", message: message, field: field)
    }

    /// A label map as Go's `%#v` prints it: `map[string]string{"app":"web"}`.
    static func goMap(_ value: JSONValue?) -> String {
        guard let fields = value?.objectValue else { return "map[string]string(nil)" }
        let entries = fields.keys.sorted().map { "\"\($0)\":\"\(fields[$0]?.stringValue ?? "")\"" }
        return "map[string]string{\(entries.joined(separator: ", "))}"
    }
}
