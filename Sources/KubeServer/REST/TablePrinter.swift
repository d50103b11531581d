import Foundation
import KubeModel

/// A client asked for Tables: of which resource, with how much of each object.
struct TableRequest: Sendable {
    var resource: APIResource
    var includeObject: String?
}

/// `meta.k8s.io/v1` Table responses, which `kubectl get` asks for first: the columns a real
/// API server prints for the built-in kinds Virtyard simulates, and a CRD's
/// `additionalPrinterColumns` for custom resources.
struct TablePrinter {
    struct Column: Sendable {
        var name: String
        var type: String
        var format: String = ""
        var description: String = ""
        var priority: Int64 = 0
        var cell: @Sendable (JSONValue, Date) -> JSONValue
    }

    let now: Date

    init(now: Date = Date()) { self.now = now }

    /// `includeObject`: `None`, `Metadata` (the default) or `Object`.
    func table(for resource: APIResource, objects: [JSONValue], resourceVersion: String?, includeObject: String?) -> JSONValue {
        let columns = Self.columns(for: resource)
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        let rows: [JSONValue] = objects.map { object in
            var row: JSONValue = ["cells": .array(columns.map { $0.cell(object, now) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": object.metadata,
                ]
            }
            return row
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(
                columns.map { column in
                    [
                        "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                        "description": .string(column.description), "priority": .int(column.priority),
                    ]
                }),
            "rows": .array(rows),
        ]
    }

    static let nameColumn = Column(
        name: "Name", type: "string", format: "name",
        description: "Name must be unique within a namespace."
    ) { object, _ in
        .string(object.name ?? "")
    }

    static let ageColumn = Column(
        name: "Age", type: "string",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created."
    ) { object, now in
        .string(age(object[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now))
    }

    static func columns(for resource: APIResource) -> [Column] {
        if !resource.printerColumns.isEmpty { return customColumns(resource.printerColumns) }
        switch (resource.group, resource.resource) {
        case ("", "pods"): return podColumns
        case ("", "nodes"): return nodeColumns
        case ("", "events"): return eventColumns
        case ("", "persistentvolumeclaims"): return claimColumns
        case ("", "namespaces"):
            return [
                nameColumn,
                Column(name: "Status", type: "string") { object, _ in
                    object[path: ["status", "phase"]] ?? "Active"
                }, ageColumn,
            ]
        default:
            return builtinColumns(group: resource.group, resource: resource.resource) ?? [nameColumn, ageColumn]
        }
    }

    /// A CRD's columns: Name first, then each declared column (an `Age` column of type date
    /// prints as a duration, like every other date).
    static func customColumns(_ definitions: [JSONValue]) -> [Column] {
        var columns = [nameColumn]
        for definition in definitions {
            let path = definition["jsonPath"]?.stringValue ?? ""
            let type = definition["type"]?.stringValue ?? "string"
            columns.append(
                Column(
                    name: definition["name"]?.stringValue ?? path, type: type,
                    format: definition["format"]?.stringValue ?? "",
                    description: definition["description"]?.stringValue ?? "",
                    priority: definition["priority"]?.intValue ?? 0
                ) { object, now in
                    let values = PrinterColumnPath(path).evaluate(object)
                    guard let first = values.first else { return .null }
                    if type == "date", let text = first.stringValue { return .string(age(text, now: now)) }
                    if values.count > 1 {
                        return .string(values.map { $0.stringValue ?? $0.serializedString() }.joined(separator: ","))
                    }
                    return first
                })
        }
        if !definitions.contains(where: { $0["jsonPath"]?.stringValue == ".metadata.creationTimestamp" }) {
            columns.append(ageColumn)
        }
        return columns
    }

    static let podColumns: [Column] = [
        nameColumn,
        Column(name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic.") { pod, _ in
            let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
            let total = max(statuses.count, pod[path: ["spec", "containers"]]?.arrayValue?.count ?? 0)
            return .string("\(statuses.filter { $0["ready"]?.boolValue == true }.count)/\(total)")
        },
        Column(name: "Status", type: "string", description: "The aggregate status of the containers in this pod.") { pod, _ in
            .string(PodStatusText.of(pod))
        },
        Column(name: "Restarts", type: "string", description: "The number of times the containers in this pod have been restarted.") {
            pod, _ in
            let restarts =
                pod[path: ["status", "containerStatuses"]]?.arrayValue?
                .reduce(Int64(0)) { $0 + ($1["restartCount"]?.intValue ?? 0) } ?? 0
            return .string(String(restarts))
        },
        ageColumn,
        Column(name: "IP", type: "string", description: "IP address allocated to the pod.", priority: 1) { pod, _ in
            .string(pod[path: ["status", "podIP"]]?.stringValue ?? "<none>")
        },
        Column(name: "Node", type: "string", description: "Name of the Node the Pod is assigned to.", priority: 1) { pod, _ in
            .string(pod[path: ["spec", "nodeName"]]?.stringValue ?? "<none>")
        },
        Column(name: "Nominated Node", type: "string", priority: 1) { pod, _ in
            .string(pod[path: ["status", "nominatedNodeName"]]?.stringValue ?? "<none>")
        },
        Column(name: "Readiness Gates", type: "string", priority: 1) { pod, _ in
            let gates = pod[path: ["spec", "readinessGates"]]?.arrayValue ?? []
            return .string(gates.isEmpty ? "<none>" : "\(gates.count)")
        },
    ]

    static let nodeColumns: [Column] = [
        nameColumn,
        Column(name: "Status", type: "string", description: "The status of the node") { node, _ in
            let ready = node[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
            var status = ready?["status"]?.stringValue == "True" ? "Ready" : ready == nil ? "Unknown" : "NotReady"
            if node[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
            return .string(status)
        },
        Column(name: "Roles", type: "string", description: "The roles of the node") { node, _ in
            let roles = node.labels.keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }
                .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
            return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        },
        ageColumn,
        Column(name: "Version", type: "string", description: "Kubelet Version reported by the node.") { node, _ in
            .string(node[path: ["status", "nodeInfo", "kubeletVersion"]]?.stringValue ?? "")
        },
        Column(name: "Internal-IP", type: "string", priority: 1) { node, _ in
            .string(address(node, "InternalIP"))
        },
        Column(name: "External-IP", type: "string", priority: 1) { node, _ in
            .string(address(node, "ExternalIP"))
        },
        Column(name: "OS-Image", type: "string", priority: 1) { node, _ in
            .string(node[path: ["status", "nodeInfo", "osImage"]]?.stringValue ?? "")
        },
        Column(name: "Kernel-Version", type: "string", priority: 1) { node, _ in
            .string(node[path: ["status", "nodeInfo", "kernelVersion"]]?.stringValue ?? "")
        },
        Column(name: "Container-Runtime", type: "string", priority: 1) { node, _ in
            .string(node[path: ["status", "nodeInfo", "containerRuntimeVersion"]]?.stringValue ?? "")
        },
    ]

    /// As `kubectl get events` prints them: when, what, about which object (the name last,
    /// shown only with `-o wide`).
    static let eventColumns: [Column] = [
        Column(name: "Last Seen", type: "string") { event, now in
            let last =
                event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue
                ?? event[path: ["metadata", "creationTimestamp"]]?.stringValue
            return .string(age(last, now: now))
        },
        Column(name: "Type", type: "string") { event, _ in event["type"] ?? "" },
        Column(name: "Reason", type: "string") { event, _ in event["reason"] ?? "" },
        Column(name: "Object", type: "string") { event, _ in
            .string(
                "\((event[path: ["involvedObject", "kind"]]?.stringValue ?? "").lowercased())/"
                    + (event[path: ["involvedObject", "name"]]?.stringValue ?? ""))
        },
        Column(name: "Subobject", type: "string", priority: 1) { event, _ in
            event[path: ["involvedObject", "fieldPath"]] ?? ""
        },
        Column(name: "Source", type: "string", priority: 1) { event, _ in
            event[path: ["source", "component"]] ?? event["reportingComponent"] ?? ""
        },
        Column(name: "Message", type: "string") { event, _ in event["message"] ?? "" },
        Column(name: "First Seen", type: "string", priority: 1) { event, now in
            .string(age(event["firstTimestamp"]?.stringValue ?? event[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now))
        },
        Column(name: "Count", type: "string", priority: 1) { event, _ in
            .string(String(event["count"]?.intValue ?? 1))
        },
        Column(name: "Name", type: "string", priority: 1) { event, _ in event[path: ["metadata", "name"]] ?? "" },
    ]

    static let claimColumns: [Column] = [
        nameColumn,
        Column(name: "Status", type: "string") { claim, _ in
            claim.deletionTimestamp != nil ? "Terminating" : claim[path: ["status", "phase"]] ?? "Pending"
        },
        Column(name: "Volume", type: "string") { claim, _ in claim[path: ["spec", "volumeName"]] ?? "" },
        Column(name: "Capacity", type: "string") { claim, _ in claim[path: ["status", "capacity", "storage"]] ?? "" },
        Column(name: "Access Modes", type: "string") { claim, _ in
            let short = ["ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"]
            let modes = claim[path: ["status", "accessModes"]]?.arrayValue?.compactMap(\.stringValue) ?? []
            return .string(modes.map { short[$0] ?? $0 }.joined(separator: ","))
        },
        Column(name: "StorageClass", type: "string") { claim, _ in
            claim[path: ["spec", "storageClassName"]] ?? "<unset>"
        },
        Column(name: "VolumeAttributesClass", type: "string") { claim, _ in
            claim[path: ["spec", "volumeAttributesClassName"]] ?? "<unset>"
        },
        ageColumn,
        Column(name: "VolumeMode", type: "string", priority: 1) { claim, _ in
            claim[path: ["spec", "volumeMode"]] ?? "Filesystem"
        },
    ]

    static func address(_ node: JSONValue, _ type: String) -> String {
        node[path: ["status", "addresses"]]?.arrayValue?.first { $0["type"]?.stringValue == type }?["address"]?.stringValue
            ?? "<none>"
    }

    /// kubectl's short human durations: `45s`, `5m10s`, `3h`, `2d4h`, `400d`.
    static func age(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let created = Timestamp.date(timestamp) else { return "<unknown>" }
        let seconds = max(0, Int(now.timeIntervalSince(created)))
        let minutes = seconds / 60
        let hours = minutes / 60
        let days = hours / 24
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<600: return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s"
        case ..<10_800: return "\(minutes)m"
        case ..<28_800: return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m"
        case ..<172_800: return "\(hours)h"
        case ..<691_200: return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h"
        case ..<63_072_000: return "\(days)d"
        default: return "\(days / 365)y\(days % 365)d"
        }
    }
}

/// The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*]`, `.a['key.with.dots']`
/// and filters `[?(@.type=='Ready')]`. Evaluates to every match.
struct PrinterColumnPath {
    enum Step {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String)
    }

    let steps: [Step]

    init(_ text: String) {
        var steps: [Step] = []
        var rest = Substring(text.trimmingCharacters(in: CharacterSet(charactersIn: "{}$")))
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let (name, length) = Self.fieldName(rest)
                if !name.isEmpty { steps.append(.field(name)) }
                rest = rest.dropFirst(length)
            } else if rest.hasPrefix("[") {
                guard let close = Self.closingBracket(rest) else { break }
                let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner) {
                    steps.append(.index(index))
                } else if inner.hasPrefix("'") || inner.hasPrefix("\"") {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")"), let equals = inner.range(of: "==") {
                    let key = inner[inner.index(inner.startIndex, offsetBy: 4)..<equals.lowerBound]
                        .trimmingCharacters(in: .whitespaces)
                    let value = inner[equals.upperBound..<inner.index(before: inner.endIndex)]
                        .trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
                    steps.append(.filter(path: key.split(separator: ".").map(String.init), value: value))
                }
            } else {
                rest = rest.dropFirst()
            }
        }
        self.steps = steps
    }

    /// A field name up to the next unescaped `.` or `[`, and how many characters it took:
    /// `template\.kubevirt\.io/version` names one label key, as kubectl's JSONPath reads it.
    static func fieldName(_ text: Substring) -> (name: String, length: Int) {
        var name = ""
        var length = 0
        var escaped = false
        for character in text {
            if escaped {
                name.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "." || character == "[" {
                break
            } else {
                name.append(character)
            }
            length += 1
        }
        return (name, length)
    }

    private static func closingBracket(_ text: Substring) -> Substring.Index? {
        var quote: Character?
        for index in text.indices.dropFirst() {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "]" {
                return index
            }
        }
        return nil
    }

    func evaluate(_ object: JSONValue) -> [JSONValue] {
        var current = [object]
        for step in steps {
            current = current.flatMap { value -> [JSONValue] in
                switch step {
                case .field(let name): return value[name].map { [$0] } ?? []
                case .index(let index):
                    guard let array = value.arrayValue else { return [] }
                    let position = index < 0 ? array.count + index : index
                    return array.indices.contains(position) ? [array[position]] : []
                case .all: return value.arrayValue ?? value.objectValue.map { Array($0.values) } ?? []
                case .filter(let path, let expected):
                    return (value.arrayValue ?? []).filter { element in
                        let found = element[path: path]
                        return found?.stringValue == expected || found.map { $0.serializedString() } == expected
                    }
                }
            }
        }
        return current.filter { !$0.isNull }
    }
}
