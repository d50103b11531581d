import KubeModel

/// The smaller groups' defaults, each from its pkg/apis/<group>/v1/defaults.go.
extension BuiltinDefaults {
    /// autoscaling/v2: one replica at least, and 80% CPU when no metric is named.
    static func autoscaling(_ object: inout JSONValue, resource: String, operation: Operation) {
        guard resource == "horizontalpodautoscalers" else { return }
        object.setDefault(["spec", "minReplicas"], 1)
        if object[path: ["spec", "metrics"]]?.arrayValue?.isEmpty ?? true {
            object[path: ["spec", "metrics"]] = [
                [
                    "type": "Resource",
                    "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]],
                ]
            ]
        }
        resetStatus(&object, operation: operation, initial: ["desiredReplicas": 0])
    }

    static func networking(_ object: inout JSONValue, resource: String, operation: Operation) {
        switch resource {
        case "networkpolicies":
            object.updateEach(["spec", "ingress"]) { rule in rule.updateEach(["ports"]) { $0.setDefault(["protocol"], "TCP") } }
            object.updateEach(["spec", "egress"]) { rule in rule.updateEach(["ports"]) { $0.setDefault(["protocol"], "TCP") } }
            if object[path: ["spec", "policyTypes"]]?.arrayValue?.isEmpty ?? true {
                var types: [JSONValue] = ["Ingress"]
                if object.isSet(["spec", "egress"]) { types.append("Egress") }
                object[path: ["spec", "policyTypes"]] = .array(types)
            }
        case "ingresses":
            resetStatus(&object, operation: operation, initial: ["loadBalancer": [:]])
        default:
            break
        }
    }

    /// policy/v1: a new PodDisruptionBudget shows its counters at zero.
    static func policy(_ object: inout JSONValue, resource: String, operation: Operation) {
        guard resource == "poddisruptionbudgets" else { return }
        resetStatus(
            &object, operation: operation,
            initial: [
                "currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0,
            ])
    }

    static func scheduling(_ object: inout JSONValue, resource: String) {
        guard resource == "priorityclasses" else { return }
        object.setDefault(["preemptionPolicy"], "PreemptLowerPriority")
    }

    static func storage(_ object: inout JSONValue, resource: String) {
        switch resource {
        case "storageclasses":
            object.setDefault(["reclaimPolicy"], "Delete")
            object.setDefault(["volumeBindingMode"], "Immediate")
        case "csidrivers":
            object.setDefault(["spec", "attachRequired"], true)
            object.setDefault(["spec", "podInfoOnMount"], false)
            object.setDefault(["spec", "storageCapacity"], false)
            object.setDefault(["spec", "fsGroupPolicy"], "ReadWriteOnceWithFSType")
            object.setDefault(["spec", "requiresRepublish"], false)
            object.setDefault(["spec", "seLinuxMount"], false)
            object.setDefault(["spec", "volumeLifecycleModes"], ["Persistent"])
        default:
            break
        }
    }

    static func discovery(_ object: inout JSONValue, resource: String) {
        guard resource == "endpointslices" else { return }
        object.updateEach(["ports"]) { port in
            port.setDefault(["protocol"], "TCP")
            port.setDefault(["name"], "")
        }
    }

    /// Webhooks: fail closed, match equivalent versions, every namespace and object, 10 s.
    static func admissionRegistration(_ object: inout JSONValue, resource: String) {
        switch resource {
        case "validatingwebhookconfigurations", "mutatingwebhookconfigurations":
            let mutating = resource == "mutatingwebhookconfigurations"
            object.updateEach(["webhooks"]) { webhook in
                webhook.setDefault(["failurePolicy"], "Fail")
                webhook.setDefault(["matchPolicy"], "Equivalent")
                webhook.setDefault(["namespaceSelector"], [:])
                webhook.setDefault(["objectSelector"], [:])
                webhook.setDefault(["timeoutSeconds"], 10)
                if mutating { webhook.setDefault(["reinvocationPolicy"], "Never") }
                webhook.updateEach(["rules"]) { $0.setDefault(["scope"], "*") }
                webhook.updateObject(["clientConfig", "service"]) { $0.setDefault(["port"], 443) }
            }
        case "validatingadmissionpolicies":
            object.setDefault(["spec", "failurePolicy"], "Fail")
            object.updateObject(["spec", "matchConstraints"]) { constraints in
                constraints.setDefault(["matchPolicy"], "Equivalent")
                constraints.setDefault(["namespaceSelector"], [:])
                constraints.setDefault(["objectSelector"], [:])
                constraints.updateEach(["resourceRules"]) { $0.setDefault(["scope"], "*") }
            }
        default:
            break
        }
    }
}
