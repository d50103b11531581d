import Foundation
import KubeModel

/// The columns kube-apiserver prints for the built-in kinds a lab works with most
/// (`kubectl get deploy,rs,sts,ds,job,cronjob,svc,cm,secret,sa,rolebinding`), with the same
/// names, order and `-o wide` extras.
extension TablePrinter {
    static func builtinColumns(group: String, resource: String) -> [Column]? {
        switch (group, resource) {
        case ("apps", "deployments"): return deploymentColumns
        case ("apps", "replicasets"), ("", "replicationcontrollers"): return replicaSetColumns
        case ("apps", "statefulsets"): return statefulSetColumns
        case ("apps", "daemonsets"): return daemonSetColumns
        case ("batch", "jobs"): return jobColumns
        case ("batch", "cronjobs"): return cronJobColumns
        case ("", "services"): return serviceColumns
        case ("policy", "poddisruptionbudgets"): return podDisruptionBudgetColumns
        case ("autoscaling", "horizontalpodautoscalers"): return horizontalPodAutoscalerColumns
        case ("", "configmaps"): return [nameColumn, count("Data", ["data"], plus: ["binaryData"]), ageColumn]
        case ("", "secrets"):
            return [nameColumn, text("Type", ["type"]), count("Data", ["data"]), ageColumn]
        case ("", "endpoints"): return [nameColumn, endpointsColumn, ageColumn]
        case ("discovery.k8s.io", "endpointslices"):
            return [nameColumn, text("AddressType", ["addressType"]), slicePortsColumn, sliceEndpointsColumn, ageColumn]
        case ("", "serviceaccounts"): return [nameColumn, count("Secrets", ["secrets"]), ageColumn]
        case ("rbac.authorization.k8s.io", "rolebindings"), ("rbac.authorization.k8s.io", "clusterrolebindings"):
            return bindingColumns
        case ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles"):
            return [
                nameColumn,
                Column(name: "Created At", type: "string") { object, _ in
                    object[path: ["metadata", "creationTimestamp"]] ?? ""
                },
            ]
        default: return nil
        }
    }

    private static func int(_ object: JSONValue, _ path: [String]) -> Int64 { object[path: path]?.intValue ?? 0 }

    private static func text(_ name: String, _ path: [String], priority: Int64 = 0) -> Column {
        Column(name: name, type: "string", priority: priority) { object, _ in
            .string(object[path: path]?.stringValue ?? "")
        }
    }

    private static func count(_ name: String, _ path: [String], plus other: [String] = []) -> Column {
        Column(name: name, type: "integer") { object, _ in
            func size(_ value: JSONValue?) -> Int {
                value?.objectValue?.count ?? value?.arrayValue?.count ?? 0
            }
            return .int(Int64(size(object[path: path]) + (other.isEmpty ? 0 : size(object[path: other]))))
        }
    }

    /// `-o wide`'s Containers, Images and Selector of a workload's pod template.
    private static let templateColumns: [Column] = [
        Column(name: "Containers", type: "string", priority: 1) { object, _ in
            let containers = object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
            return .string(containers.compactMap { $0["name"]?.stringValue }.joined(separator: ","))
        },
        Column(name: "Images", type: "string", priority: 1) { object, _ in
            let containers = object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
            return .string(containers.compactMap { $0["image"]?.stringValue }.joined(separator: ","))
        },
        Column(name: "Selector", type: "string", priority: 1) { object, _ in
            .string(ResourceHandler.selectorText(object[path: ["spec", "selector"]]))
        },
    ]

    static let deploymentColumns: [Column] =
        [
            nameColumn,
            Column(name: "Ready", type: "string") { object, _ in
                .string("\(int(object, ["status", "readyReplicas"]))/\(object[path: ["spec", "replicas"]]?.intValue ?? 1)")
            },
            Column(name: "Up-to-date", type: "integer") { object, _ in .int(int(object, ["status", "updatedReplicas"])) },
            Column(name: "Available", type: "integer") { object, _ in .int(int(object, ["status", "availableReplicas"])) },
            ageColumn,
        ] + templateColumns

    static let replicaSetColumns: [Column] =
        [
            nameColumn,
            Column(name: "Desired", type: "integer") { object, _ in .int(object[path: ["spec", "replicas"]]?.intValue ?? 1) },
            Column(name: "Current", type: "integer") { object, _ in .int(int(object, ["status", "replicas"])) },
            Column(name: "Ready", type: "integer") { object, _ in .int(int(object, ["status", "readyReplicas"])) },
            ageColumn,
        ] + templateColumns

    static let statefulSetColumns: [Column] =
        [
            nameColumn,
            Column(name: "Ready", type: "string") { object, _ in
                .string("\(int(object, ["status", "readyReplicas"]))/\(object[path: ["spec", "replicas"]]?.intValue ?? 1)")
            },
            ageColumn,
        ] + templateColumns.dropLast()

    static let daemonSetColumns: [Column] =
        [
            nameColumn,
            Column(name: "Desired", type: "integer") { object, _ in .int(int(object, ["status", "desiredNumberScheduled"])) },
            Column(name: "Current", type: "integer") { object, _ in .int(int(object, ["status", "currentNumberScheduled"])) },
            Column(name: "Ready", type: "integer") { object, _ in .int(int(object, ["status", "numberReady"])) },
            Column(name: "Up-to-date", type: "integer") { object, _ in .int(int(object, ["status", "updatedNumberScheduled"])) },
            Column(name: "Available", type: "integer") { object, _ in .int(int(object, ["status", "numberAvailable"])) },
            Column(name: "Node Selector", type: "string") { object, _ in
                .string(pairsText(object[path: ["spec", "template", "spec", "nodeSelector"]]))
            },
            ageColumn,
        ] + templateColumns

    static let jobColumns: [Column] =
        [
            nameColumn,
            Column(name: "Status", type: "string") { job, _ in
                let conditions = job[path: ["status", "conditions"]]?.arrayValue ?? []
                func holds(_ type: String) -> Bool {
                    conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
                }
                if holds("Complete") { return "Complete" }
                if holds("Failed") { return "Failed" }
                if job.deletionTimestamp != nil { return "Terminating" }
                if holds("Suspended") { return "Suspended" }
                return "Running"
            },
            Column(name: "Completions", type: "string") { job, _ in
                let succeeded = int(job, ["status", "succeeded"])
                if let completions = job[path: ["spec", "completions"]]?.intValue { return .string("\(succeeded)/\(completions)") }
                return .string("\(succeeded)/1 of \(job[path: ["spec", "parallelism"]]?.intValue ?? 1)")
            },
            Column(name: "Duration", type: "string") { job, now in
                guard let start = job[path: ["status", "startTime"]]?.stringValue else { return "" }
                let end = job[path: ["status", "completionTime"]]?.stringValue
                let finish = end.flatMap { ISO8601DateFormatter().date(from: $0) } ?? now
                return .string(age(start, now: finish))
            },
            ageColumn,
        ] + templateColumns

    static let cronJobColumns: [Column] = [
        nameColumn,
        text("Schedule", ["spec", "schedule"]),
        Column(name: "Timezone", type: "string") { object, _ in object[path: ["spec", "timeZone"]] ?? "<none>" },
        Column(name: "Suspend", type: "boolean") { object, _ in .bool(object[path: ["spec", "suspend"]]?.boolValue ?? false) },
        Column(name: "Active", type: "integer") { object, _ in
            .int(Int64(object[path: ["status", "active"]]?.arrayValue?.count ?? 0))
        },
        Column(name: "Last Schedule", type: "string") { object, now in
            guard let last = object[path: ["status", "lastScheduleTime"]]?.stringValue else { return "<none>" }
            return .string(age(last, now: now))
        },
        ageColumn,
        Column(name: "Containers", type: "string", priority: 1) { object, _ in
            let containers = object[path: ["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?.arrayValue ?? []
            return .string(containers.compactMap { $0["name"]?.stringValue }.joined(separator: ","))
        },
        Column(name: "Images", type: "string", priority: 1) { object, _ in
            let containers = object[path: ["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?.arrayValue ?? []
            return .string(containers.compactMap { $0["image"]?.stringValue }.joined(separator: ","))
        },
    ]

    static let serviceColumns: [Column] = [
        nameColumn,
        Column(name: "Type", type: "string") { service, _ in service[path: ["spec", "type"]] ?? "ClusterIP" },
        Column(name: "Cluster-IP", type: "string") { service, _ in service[path: ["spec", "clusterIP"]] ?? "<none>" },
        Column(name: "External-IP", type: "string") { service, _ in
            let ingress = service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
            let addresses =
                ingress.compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
                + (service[path: ["spec", "externalIPs"]]?.arrayValue ?? []).compactMap(\.stringValue)
            if !addresses.isEmpty { return .string(addresses.joined(separator: ",")) }
            if let name = service[path: ["spec", "externalName"]]?.stringValue { return .string(name) }
            return service[path: ["spec", "type"]]?.stringValue == "LoadBalancer" ? "<pending>" : "<none>"
        },
        Column(name: "Port(s)", type: "string") { service, _ in
            let ports = service[path: ["spec", "ports"]]?.arrayValue ?? []
            guard !ports.isEmpty else { return "<none>" }
            return .string(
                ports.map { port in
                    let node = port["nodePort"]?.intValue.map { ":\($0)" } ?? ""
                    return "\(port["port"]?.intValue ?? 0)\(node)/\(port["protocol"]?.stringValue ?? "TCP")"
                }.joined(separator: ","))
        },
        ageColumn,
        Column(name: "Selector", type: "string", priority: 1) { service, _ in
            .string(pairsText(service[path: ["spec", "selector"]]))
        },
    ]

    /// At most three entries, then how many more, as kubectl's printers shorten address lists.
    private static func shortList(_ items: [String], empty: String) -> JSONValue {
        guard !items.isEmpty else { return .string(empty) }
        let shown = items.prefix(3).joined(separator: ",")
        return .string(items.count > 3 ? "\(shown) + \(items.count - 3) more..." : shown)
    }

    static let endpointsColumn = Column(name: "Endpoints", type: "string") { endpoints, _ in
        var pairs: [String] = []
        for subset in endpoints["subsets"]?.arrayValue ?? [] {
            let ports = (subset["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
            for address in subset["addresses"]?.arrayValue ?? [] {
                guard let ip = address["ip"]?.stringValue else { continue }
                pairs += ports.isEmpty ? [ip] : ports.map { "\(ip):\($0)" }
            }
        }
        return shortList(pairs, empty: "<none>")
    }

    static let slicePortsColumn = Column(name: "Ports", type: "string") { slice, _ in
        let ports = (slice["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }.map(String.init)
        return .string(ports.isEmpty ? "<unset>" : ports.joined(separator: ","))
    }

    static let sliceEndpointsColumn = Column(name: "Endpoints", type: "string") { slice, _ in
        let addresses = (slice["endpoints"]?.arrayValue ?? []).compactMap { $0["addresses"]?.arrayValue?.first?.stringValue }
        return shortList(addresses, empty: "<unset>")
    }

    static let bindingColumns: [Column] = [
        nameColumn,
        Column(name: "Role", type: "string") { binding, _ in
            .string("\(binding[path: ["roleRef", "kind"]]?.stringValue ?? "")/\(binding[path: ["roleRef", "name"]]?.stringValue ?? "")")
        },
        ageColumn,
        subjects("Users", kind: "User"), subjects("Groups", kind: "Group"),
        Column(name: "ServiceAccounts", type: "string", priority: 1) { binding, _ in
            let accounts = (binding["subjects"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == "ServiceAccount" }
            return .string(
                accounts.map { "\($0["namespace"]?.stringValue ?? ""):\($0["name"]?.stringValue ?? "")" }
                    .joined(separator: ", "))
        },
    ]

    private static func subjects(_ name: String, kind: String) -> Column {
        Column(name: name, type: "string", priority: 1) { binding, _ in
            let names = (binding["subjects"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == kind }
                .compactMap { $0["name"]?.stringValue }
            return .string(names.joined(separator: ", "))
        }
    }

    /// A string map (a node selector, a Service's selector) as kubectl prints it: sorted
    /// `key=value` pairs joined by commas, `<none>` when empty.
    static func pairsText(_ map: JSONValue?) -> String {
        let pairs = map?.objectValue ?? [:]
        guard !pairs.isEmpty else { return "<none>" }
        return pairs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
    }
}
