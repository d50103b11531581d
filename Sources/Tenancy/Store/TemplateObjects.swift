import Foundation
import KubeModel

/// Reading OpenShift Templates (catalog items) and writing the TemplateInstance of a vApp.
enum TemplateObjects {
    /// A catalog item's record: its VMs are the Template's VirtualMachine objects, with
    /// `${PARAM}` in names and sizes read with the parameters' default values.
    static func record(_ object: JSONValue) -> TemplateRecord? {
        guard let metadata = object["metadata"], let uid = metadata["uid"]?.stringValue, TenancyNames.isUUID(uid),
            let name = metadata["name"]?.stringValue
        else { return nil }
        let annotations = (metadata["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let defaults = parameterDefaults(object)
        let vms = (object["objects"]?.arrayValue ?? []).enumerated().compactMap { index, item -> TemplateVM? in
            guard item["kind"]?.stringValue == "VirtualMachine" else { return nil }
            let vmName = substitute(item["metadata"]?["name"]?.stringValue ?? "vm-\(index)", defaults)
            let domain = item["spec"]?["template"]?["spec"]?["domain"]
            let cores = Int(substitute(text(domain?["cpu"]?["cores"]) ?? "1", defaults)) ?? 1
            let sockets = Int(substitute(text(domain?["cpu"]?["sockets"]) ?? "1", defaults)) ?? 1
            let memory =
                text(domain?["memory"]?["guest"]) ?? text(domain?["resources"]?["requests"]?["memory"]) ?? "1Gi"
            return TemplateVM(
                id: VAppIDs.derived(from: "templatevm/\(uid)/\(index)"), name: vmName, cpus: max(1, cores * sockets),
                memoryMB: megabytes(substitute(memory, defaults)) ?? 1024)
        }
        return TemplateRecord(
            id: uid, name: name,
            description: annotations["description"] ?? annotations["openshift.io/description"]
                ?? annotations["template.openshift.io/long-description"] ?? "",
            created: metadata["creationTimestamp"]?.stringValue ?? VAppIDs.now(),
            catalogName: annotations[VAppStore.catalogAnnotation], vms: vms)
    }

    /// The declared parameters' default values (`value`), by name.
    static func parameterDefaults(_ template: JSONValue) -> [String: String] {
        var values: [String: String] = [:]
        for parameter in template["parameters"]?.arrayValue ?? [] {
            if let name = parameter["name"]?.stringValue, let value = parameter["value"]?.stringValue { values[name] = value }
        }
        return values
    }

    static func declaresParameter(_ template: JSONValue, _ name: String) -> Bool {
        (template["parameters"]?.arrayValue ?? []).contains { $0["name"]?.stringValue == name }
    }

    /// `${NAME}` and `${{NAME}}` replaced where a value is known; others left as they are.
    static func substitute(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("${") else { return text }
        var output = text
        for (name, value) in values {
            output = output.replacingOccurrences(of: "${{\(name)}}", with: value).replacingOccurrences(of: "${\(name)}", with: value)
        }
        return output
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        default: nil
        }
    }

    /// A Kubernetes memory quantity in MiB (`2Gi`, `512Mi`, `1G`, bytes); nil when unreadable.
    static func megabytes(_ quantity: String) -> Int? {
        let units: [(String, Double)] = [
            ("Ki", 1.0 / 1024), ("Mi", 1), ("Gi", 1024), ("Ti", 1024 * 1024), ("k", 1000.0 / 1_048_576),
            ("M", 1_000_000.0 / 1_048_576), ("G", 1_000_000_000.0 / 1_048_576), ("T", 1e12 / 1_048_576),
        ]
        for (suffix, factor) in units where quantity.hasSuffix(suffix) {
            guard let number = Double(quantity.dropLast(suffix.count)) else { return nil }
            return Int((number * factor).rounded())
        }
        return Double(quantity).map { Int(($0 / 1_048_576).rounded()) }
    }

    /// The Template as a TemplateInstance carries it: without the stored object's server
    /// fields, with `vapp.ssvirt=<vApp>` among the labels given to every object, and every
    /// VirtualMachine made to start (`powerOn`) or stay stopped.
    static func embedded(_ template: JSONValue, vAppObjectName: String, powerOn: Bool?) -> JSONValue {
        guard case .object(var fields) = template else { return template }
        let metadata = template["metadata"]
        var kept: [String: JSONValue] = [:]
        for key in ["name", "namespace", "labels", "annotations"] { kept[key] = metadata?[key] }
        fields["metadata"] = .object(kept)
        fields["status"] = nil
        fields["apiVersion"] = "template.openshift.io/v1"
        fields["kind"] = "Template"
        var labels = template["labels"]?.objectValue ?? [:]
        labels[VAppStore.vAppLabel] = .string(vAppObjectName)
        fields["labels"] = .object(labels)
        if let powerOn {
            fields["objects"] = .array(
                (template["objects"]?.arrayValue ?? []).map { object in
                    guard object["kind"]?.stringValue == "VirtualMachine", case .object(var vm) = object,
                        case .object(var spec)? = vm["spec"]
                    else { return object }
                    spec["running"] = nil
                    spec["runStrategy"] = .string(powerOn ? "Always" : "Halted")
                    vm["spec"] = .object(spec)
                    return .object(vm)
                })
        }
        return .object(fields)
    }
}
