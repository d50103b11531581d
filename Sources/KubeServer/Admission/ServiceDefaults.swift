import KubeModel

/// A Service's defaults (`SetDefaults_Service`) and the IP family fields kube-apiserver's
/// service storage fills in on a single-stack IPv4 cluster. The cluster IP and node ports
/// are allocated by ``ServiceAddressAllocator``.
enum ServiceDefaults {
    static func apply(_ object: inout JSONValue, operation: BuiltinDefaults.Operation) {
        object.setDefault(["spec", "type"], "ClusterIP")
        object.setDefault(["spec", "sessionAffinity"], "None")
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        if object[path: ["spec", "sessionAffinity"]]?.stringValue == "ClientIP" {
            object.setDefault(["spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"], 10800)
        }
        object.updateEach(["spec", "ports"]) { port in
            port.setDefault(["protocol"], "TCP")
            let target = port["targetPort"]
            if target == nil || target?.isNull == true || target?.intValue == 0 || target?.stringValue == "" {
                port["targetPort"] = port["port"] ?? 0
            }
        }
        if type == "NodePort" || type == "LoadBalancer" {
            object.setDefault(["spec", "externalTrafficPolicy"], "Cluster")
        }
        if type == "LoadBalancer" {
            object.setDefault(["spec", "allocateLoadBalancerNodePorts"], true)
        }
        if type != "ExternalName" {
            // clusterIP and clusterIPs say the same thing; either fills the other.
            if let address = object[path: ["spec", "clusterIP"]]?.stringValue, !address.isEmpty {
                object.setDefault(["spec", "clusterIPs"], [.string(address)])
            } else if let first = object[path: ["spec", "clusterIPs"]]?.arrayValue?.first {
                object[path: ["spec", "clusterIP"]] = first
            }
            object.setDefault(["spec", "internalTrafficPolicy"], "Cluster")
            // Single-stack IPv4. A headless Service without a selector may span families.
            let headless = object[path: ["spec", "clusterIP"]]?.stringValue == "None"
            let selectorless = object[path: ["spec", "selector"]]?.objectValue?.isEmpty ?? true
            object.setDefault(["spec", "ipFamilyPolicy"], headless && selectorless ? "RequireDualStack" : "SingleStack")
            object.setDefault(["spec", "ipFamilies"], ["IPv4"])
        }
        BuiltinDefaults.resetStatus(&object, operation: operation, initial: ["loadBalancer": [:]])
        object.setDefault(["status", "loadBalancer"], [:])
    }
}
