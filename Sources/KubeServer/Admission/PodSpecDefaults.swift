import KubeModel

/// The defaults kube-apiserver gives every PodSpec, wherever it sits: in a Pod, and in the
/// pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and
/// ReplicationControllers (`SetDefaults_PodSpec`, `SetDefaults_Container`, volumes, probes
/// and ports in k8s.io/kubernetes pkg/apis/core/v1/defaults.go).
enum PodSpecDefaults {
    /// The defaults of a pod template's spec at `path` (`["spec", "template"]`).
    static func applyToTemplate(at path: [String], of object: inout JSONValue) {
        object.updateObject(path + ["spec"]) { apply(toSpec: &$0) }
    }

    static func apply(toSpec spec: inout JSONValue) {
        spec.setDefault(["restartPolicy"], "Always")
        spec.setDefault(["dnsPolicy"], "ClusterFirst")
        spec.setDefault(["terminationGracePeriodSeconds"], 30)
        spec.setDefault(["securityContext"], [:])
        spec.setDefault(["schedulerName"], "default-scheduler")
        let hostNetwork = spec["hostNetwork"]?.boolValue ?? false
        for list in ["initContainers", "containers"] {
            spec.updateEach([list]) { container(&$0, hostNetwork: hostNetwork) }
        }
        spec.updateEach(["volumes"], volume)
    }

    private static func container(_ container: inout JSONValue, hostNetwork: Bool) {
        container.setDefault(["terminationMessagePath"], "/dev/termination-log")
        container.setDefault(["terminationMessagePolicy"], "File")
        container.setDefault(["imagePullPolicy"], .string(imagePullPolicy(for: container["image"]?.stringValue ?? "")))
        container.setDefault(["resources"], [:])
        container.updateEach(["ports"]) { port in
            port.setDefault(["protocol"], "TCP")
            if hostNetwork, let number = port["containerPort"], !port.isSet(["hostPort"]) {
                port["hostPort"] = number
            }
        }
        container.updateEach(["env"]) { variable in
            variable.updateObject(["valueFrom", "fieldRef"]) { $0.setDefault(["apiVersion"], "v1") }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            container.updateObject([probe], Self.probe)
        }
    }

    /// `Always` for `:latest` or no tag at all, `IfNotPresent` for any other tag or a digest.
    static func imagePullPolicy(for image: String) -> String {
        var reference = Substring(image)
        var hasDigest = false
        if let at = reference.firstIndex(of: "@") {
            reference = reference[..<at]
            hasDigest = true
        }
        let lastComponent = reference.split(separator: "/", omittingEmptySubsequences: false).last ?? reference
        let tag = lastComponent.firstIndex(of: ":").map { lastComponent[lastComponent.index(after: $0)...] }
        switch tag {
        case .some(let tag): return tag == "latest" ? "Always" : "IfNotPresent"
        case .none: return hasDigest ? "IfNotPresent" : "Always"
        }
    }

    private static func probe(_ probe: inout JSONValue) {
        probe.setDefault(["timeoutSeconds"], 1)
        probe.setDefault(["periodSeconds"], 10)
        probe.setDefault(["successThreshold"], 1)
        probe.setDefault(["failureThreshold"], 3)
        probe.updateObject(["httpGet"]) { $0.setDefault(["scheme"], "HTTP") }
    }

    /// A volume without a source is an emptyDir; file-projecting sources get mode 0644.
    private static func volume(_ volume: inout JSONValue) {
        let sources = (volume.objectValue ?? [:]).keys.filter { $0 != "name" }
        if sources.isEmpty { volume["emptyDir"] = [:] }
        for source in ["secret", "configMap", "downwardAPI", "projected"] {
            volume.updateObject([source]) { $0.setDefault(["defaultMode"], 420) }
        }
    }
}
