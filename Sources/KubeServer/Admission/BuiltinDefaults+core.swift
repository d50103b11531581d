import Foundation
import KubeModel

extension BuiltinDefaults {
    /// The core group (pkg/apis/core/v1/defaults.go and the core storage strategies).
    static func core(_ object: inout JSONValue, resource: String, operation: Operation) {
        switch resource {
        case "namespaces":
            object.setDefault(["spec", "finalizers"], ["kubernetes"])
            object.setDefault(["status", "phase"], "Active")
        case "pods":
            object.setDefault(["status", "phase"], "Pending")
            object.updateObject(["spec"]) { spec in
                PodSpecDefaults.apply(toSpec: &spec)
                spec.setDefault(["enableServiceLinks"], true)
            }
        case "secrets":
            // stringData is write-only: it lands base64-encoded in data, as Kubernetes does.
            if let plain = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? [:]
                for (key, value) in plain {
                    data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
                }
                object["data"] = .object(data)
                object["stringData"] = nil
            }
            object.setDefault(["type"], "Opaque")
        case "services":
            ServiceDefaults.apply(&object, operation: operation)
        case "endpoints":
            object.updateEach(["subsets"]) { subset in
                subset.updateEach(["ports"]) { $0.setDefault(["protocol"], "TCP") }
            }
        case "replicationcontrollers":
            replicationController(&object, operation: operation)
        case "podtemplates":
            PodSpecDefaults.applyToTemplate(at: ["template"], of: &object)
        case "persistentvolumeclaims":
            object.setDefault(["spec", "volumeMode"], "Filesystem")
            object.setDefault(["status", "phase"], "Pending")
        case "persistentvolumes":
            object.setDefault(["spec", "persistentVolumeReclaimPolicy"], "Retain")
            object.setDefault(["spec", "volumeMode"], "Filesystem")
            object.setDefault(["status", "phase"], "Pending")
        default:
            break
        }
    }

    /// A ReplicationController's selector and labels come from its template when unset.
    private static func replicationController(_ object: inout JSONValue, operation: Operation) {
        if let templateLabels = object[path: ["spec", "template", "metadata", "labels"]],
            templateLabels.objectValue?.isEmpty == false
        {
            if object[path: ["spec", "selector"]]?.objectValue?.isEmpty ?? true {
                object[path: ["spec", "selector"]] = templateLabels
            }
            if object[path: ["metadata", "labels"]]?.objectValue?.isEmpty ?? true {
                object[path: ["metadata", "labels"]] = templateLabels
            }
        }
        object.setDefault(["spec", "replicas"], 1)
        PodSpecDefaults.applyToTemplate(at: ["spec", "template"], of: &object)
        resetStatus(&object, operation: operation, initial: ["replicas": 0])
    }
}
