import KubeModel

/// Whether an object a template created is ready, for the kinds OpenShift's template
/// controller can tell (its `readiness.go`): Deployments, StatefulSets and Jobs. OpenShift's
/// own kinds (Build, BuildConfig, DeploymentConfig, Route) do not exist here.
///
/// Only objects annotated `template.alpha.openshift.io/wait-for-ready: "true"` are waited
/// for; the rest count as ready once created.
enum Readiness {
    struct Outcome: Equatable {
        var ready: Bool
        var failed: Bool
    }

    /// Whether there is a check for this kind.
    static func canCheck(group: String, kind: String) -> Bool {
        switch (group, kind) {
        case ("apps", "Deployment"), ("apps", "StatefulSet"), ("batch", "Job"): return true
        default: return false
        }
    }

    static func isWaitedFor(_ object: JSONValue) -> Bool {
        object.annotations[TemplateNames.waitForReadyAnnotation]?.lowercased() == "true"
    }

    static func check(_ object: JSONValue, group: String, kind: String) -> Outcome {
        switch (group, kind) {
        case ("apps", "Deployment"): return deployment(object)
        case ("apps", "StatefulSet"): return statefulSet(object)
        case ("batch", "Job"): return job(object)
        default: return Outcome(ready: true, failed: false)
        }
    }

    /// Progressing with reason NewReplicaSetAvailable and Available, at the current
    /// generation; failed when Progressing is False (the deadline passed).
    static func deployment(_ object: JSONValue) -> Outcome {
        guard isSynced(object), let progressing = conditions(object).condition("Progressing") else {
            return Outcome(ready: false, failed: false)
        }
        let available = conditions(object).condition("Available")
        let ready = progressing.isTrue && progressing.reason == "NewReplicaSetAvailable" && available?.isTrue == true
        return Outcome(ready: ready, failed: progressing.status == .false)
    }

    /// Every replica ready, at the current generation; never failed.
    static func statefulSet(_ object: JSONValue) -> Outcome {
        let wanted = object[path: ["spec", "replicas"]]?.intValue ?? 1
        let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
        return Outcome(ready: isSynced(object) && ready == wanted, failed: false)
    }

    /// Complete once it has a completion time; failed once a pod failed.
    static func job(_ object: JSONValue) -> Outcome {
        let complete = object[path: ["status", "completionTime"]].map { !$0.isNull } ?? false
        let failed = (object[path: ["status", "failed"]]?.intValue ?? 0) > 0
        return Outcome(ready: complete, failed: failed)
    }

    private static func isSynced(_ object: JSONValue) -> Bool {
        object[path: ["status", "observedGeneration"]]?.intValue == (object.generation ?? 0)
    }

    private static func conditions(_ object: JSONValue) -> [JSONValue] {
        object[path: ["status", "conditions"]]?.arrayValue ?? []
    }
}
