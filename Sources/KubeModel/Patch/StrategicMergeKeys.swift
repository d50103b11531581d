import Foundation

/// How strategic merge patch treats each list field of the built-in kinds. Kubernetes reads
/// this from `patchStrategy`/`patchMergeKey` tags on its Go types; the server has no Go
/// types, so the handful of lists that merge are listed here, in one place, and every
/// other list is replaced whole.
public enum StrategicMergeKeys {
    public enum Strategy: Sendable, Equatable {
        /// Elements are objects matched by the value of this key.
        case merge(key: String)
        /// Elements are scalars; the lists are merged as a set, order kept.
        case mergePrimitives
        /// The patch's list replaces the original.
        case replace
    }

    /// Container-like lists, whose `ports` merge by `containerPort`.
    private static let containerLists: Set<String> = ["containers", "initContainers", "ephemeralContainers"]

    private static let byName: Set<String> = [
        "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets",
        "resourceClaims", "schedulingGates",
    ]

    /// The strategy for the list stored under `field`.
    ///
    /// - Parameter path: the object keys leading to the object that holds `field`, from the
    ///   root of the resource; list fields appear by name, element indices are left out
    ///   (`["spec", "template", "spec", "containers"]` for a container's fields).
    public static func strategy(forField field: String, under path: [String]) -> Strategy {
        if byName.contains(field) { return .merge(key: "name") }
        switch field {
        case "ports":
            if let parent = path.last, containerLists.contains(parent) { return .merge(key: "containerPort") }
            return .merge(key: "port")
        case "volumeMounts": return .merge(key: "mountPath")
        case "volumeDevices": return .merge(key: "devicePath")
        case "conditions": return .merge(key: "type")
        case "hostAliases": return .merge(key: "ip")
        case "podIPs": return .merge(key: "ip")
        case "topologySpreadConstraints": return .merge(key: "topologyKey")
        case "ownerReferences" where path.last == "metadata": return .merge(key: "uid")
        case "finalizers" where path.last == "metadata": return .mergePrimitives
        // ServiceAccount.secrets and Node.status.addresses.
        case "secrets" where path.isEmpty: return .merge(key: "name")
        case "addresses" where path == ["status"]: return .merge(key: "type")
        default: return .replace
        }
    }
}
