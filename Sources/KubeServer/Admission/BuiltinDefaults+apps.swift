import KubeModel

extension BuiltinDefaults {
    /// apps/v1 (pkg/apis/apps/v1/defaults.go and the apps storage strategies).
    static func apps(_ object: inout JSONValue, resource: String, operation: Operation) {
        guard resource != "controllerrevisions" else { return }
        PodSpecDefaults.applyToTemplate(at: ["spec", "template"], of: &object)
        switch resource {
        case "deployments":
            object.setDefault(["spec", "replicas"], 1)
            object.setDefault(["spec", "strategy", "type"], "RollingUpdate")
            if object[path: ["spec", "strategy", "type"]]?.stringValue == "RollingUpdate" {
                object.setDefault(["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
                object.setDefault(["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            object.setDefault(["spec", "revisionHistoryLimit"], 10)
            object.setDefault(["spec", "progressDeadlineSeconds"], 600)
            resetStatus(&object, operation: operation)
        case "replicasets":
            object.setDefault(["spec", "replicas"], 1)
            resetStatus(&object, operation: operation, initial: ["replicas": 0])
        case "statefulsets":
            object.setDefault(["spec", "replicas"], 1)
            object.setDefault(["spec", "podManagementPolicy"], "OrderedReady")
            object.setDefault(["spec", "updateStrategy", "type"], "RollingUpdate")
            if object[path: ["spec", "updateStrategy", "type"]]?.stringValue == "RollingUpdate" {
                object.setDefault(["spec", "updateStrategy", "rollingUpdate", "partition"], 0)
            }
            object.setDefault(["spec", "revisionHistoryLimit"], 10)
            object.setDefault(["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"], "Retain")
            object.setDefault(["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"], "Retain")
            object.updateEach(["spec", "volumeClaimTemplates"]) { claim in
                claim.setDefault(["spec", "volumeMode"], "Filesystem")
                claim.setDefault(["status", "phase"], "Pending")
            }
            resetStatus(&object, operation: operation, initial: ["replicas": 0, "availableReplicas": 0])
        case "daemonsets":
            object.setDefault(["spec", "updateStrategy", "type"], "RollingUpdate")
            if object[path: ["spec", "updateStrategy", "type"]]?.stringValue == "RollingUpdate" {
                object.setDefault(["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
                object.setDefault(["spec", "updateStrategy", "rollingUpdate", "maxSurge"], 0)
            }
            object.setDefault(["spec", "revisionHistoryLimit"], 10)
            resetStatus(
                &object, operation: operation,
                initial: [
                    "currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0,
                ])
        default:
            break
        }
    }
}
