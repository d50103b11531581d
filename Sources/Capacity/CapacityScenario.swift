import Foundation
import KubeModel

/// A node-classifier-sim scenario (the capacity capability's; a lab's scenario is LabPool's
/// `Scenario`): nodes, each with the VMs the scenario puts there (the
/// scheduler still decides where they land) or, for nodes without VMs, fixed usage figures.
public struct CapacityScenario: Sendable, Equatable {
    public var name: String
    public var nodes: [ScenarioNode]

    public var vmCount: Int { nodes.reduce(0) { $0 + $1.vms.count } }
}

public struct ScenarioNode: Sendable, Equatable {
    public var name: String
    /// The four figures written for a node with no VMs (node-classifier-sim's older files);
    /// they count as load that is not a VM.
    public var baseline: NodeUsageFigures?
    public var vms: [ScenarioVM]
}

/// One VM in node-classifier-sim's resource model: its size and how busy it is.
public struct ScenarioVM: Sendable, Equatable {
    public var id: String
    public var cpuCores: Double
    public var memoryBytes: Int64
    /// 0…1 of its own cores and memory.
    public var cpuUtilization: Double
    public var memoryUtilization: Double

    /// Share of a node of `nodeCores` cores this VM keeps busy.
    public func cpuConsumption(nodeCores: Double) -> Double { cpuCores * cpuUtilization / nodeCores }
    public func memoryConsumption(nodeMemory: Double) -> Double { Double(memoryBytes) * memoryUtilization / nodeMemory }
}

/// A node's four figures as node-classifier-sim's older scenario files give them, each 0…1.
public struct NodeUsageFigures: Sendable, Equatable, Codable {
    public var cpuUsage: Double
    public var cpuPressure: Double
    public var memoryUsage: Double
    public var memoryPressure: Double

    public init(cpuUsage: Double, cpuPressure: Double, memoryUsage: Double, memoryPressure: Double) {
        self.cpuUsage = cpuUsage
        self.cpuPressure = cpuPressure
        self.memoryUsage = memoryUsage
        self.memoryPressure = memoryPressure
    }
}

/// Why a scenario body was refused; nothing was changed.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension CapacityScenario {
    /// The VM size node-classifier-sim assumes when converting its older
    /// `cpu_consumption`/`memory_consumption` VMs: 2 cores, 4 GiB.
    static let legacyCores = 2.0
    static let legacyMemory: Int64 = 4 << 30

    /// The most nodes one scenario may hold. Each becomes a node object; a 3 MiB body could
    /// otherwise ask for tens of thousands.
    public static let maximumNodes = 1_000
    /// The most VMs one scenario may hold: each becomes a VirtualMachine, its instance and a
    /// launcher pod, and a 3 MiB body could otherwise ask for a quarter of a million.
    public static let maximumVMs = 10_000
    /// The longest VM id: it is stored as an annotation value on three objects.
    public static let maximumIDLength = 253

    /// Reads `{"nodes": [...]}` (the exporter's POST body), or `{"<name>": [...]}` (a
    /// scenario file; with several scenarios, `choose` names the one to load).
    ///
    /// Node sizes convert the older consumption form (fractions of a node) into cores and
    /// bytes, so the same figures come back out of the metrics.
    public init(json body: JSONValue, choose: String? = nil, nodeCores: Double, nodeMemory: Double) throws(ScenarioError) {
        guard let fields = body.objectValue, !fields.isEmpty else {
            throw ScenarioError("the body must be a JSON object: {\"nodes\": [...]} or {\"<scenario>\": [...]}")
        }
        let name: String
        let nodesJSON: JSONValue
        if let nodes = fields["nodes"] {
            name = fields["name"]?.stringValue ?? fields["scenario"]?.stringValue ?? choose ?? "scenario"
            nodesJSON = nodes
        } else if let choose {
            guard let nodes = fields[choose] else {
                throw ScenarioError("no scenario named \"\(choose)\"; the body has \(fields.keys.sorted().joined(separator: ", "))")
            }
            name = choose
            nodesJSON = nodes
        } else if fields.count == 1, let only = fields.first {
            name = only.key
            nodesJSON = only.value
        } else {
            let names = fields.keys.sorted().joined(separator: ", ")
            throw ScenarioError("Missing nodes field: the body holds several scenarios (\(names)); choose one with ?name=")
        }
        guard let nodeList = nodesJSON.arrayValue else { throw ScenarioError("Missing nodes field: \"nodes\" must be a list") }
        guard nodeList.count <= Self.maximumNodes else {
            throw ScenarioError("nodes: \(nodeList.count) nodes; a scenario holds at most \(Self.maximumNodes)")
        }
        var vmCount = 0
        var seenNodes = Set<String>()
        var seenVMs = Set<String>()
        var nodes: [ScenarioNode] = []
        for (index, node) in nodeList.enumerated() {
            let parsed = try Self.node(node, at: index, nodeCores: nodeCores, nodeMemory: nodeMemory)
            guard seenNodes.insert(parsed.name).inserted else { throw ScenarioError("nodes[\(index)]: duplicate node \"\(parsed.name)\"") }
            for vm in parsed.vms where !seenVMs.insert(vm.id).inserted {
                throw ScenarioError("nodes[\(index)]: duplicate VM id \"\(vm.id)\"")
            }
            vmCount += parsed.vms.count
            guard vmCount <= Self.maximumVMs else {
                throw ScenarioError("nodes[\(index)]: more than \(Self.maximumVMs) VMs; a scenario holds at most \(Self.maximumVMs)")
            }
            nodes.append(parsed)
        }
        self.init(name: name, nodes: nodes)
    }

    private static func node(
        _ json: JSONValue, at index: Int, nodeCores: Double,
        nodeMemory: Double
    ) throws(ScenarioError) -> ScenarioNode {
        let path = "nodes[\(index)]"
        guard json.objectValue != nil else { throw ScenarioError("\(path): must be an object") }
        guard let name = json["name"]?.stringValue, NodeNames.isValid(name) else {
            throw ScenarioError("\(path).name: required, a DNS subdomain name (lowercase letters, digits, '-', '.')")
        }
        var figures: [Double] = []
        for field in ["cpu_usage", "cpu_pressure", "memory_usage", "memory_pressure"] {
            guard let value = json[field] else { continue }
            guard let number = value.doubleValue, (0...1).contains(number) else {
                throw ScenarioError("\(path).\(field): must be a number from 0 to 1")
            }
            figures.append(number)
        }
        let vmList = json["vms"]?.arrayValue ?? []
        if json["vms"] != nil, json["vms"]?.arrayValue == nil { throw ScenarioError("\(path).vms: must be a list") }
        guard vmList.count <= maximumVMs else {
            throw ScenarioError("\(path).vms: \(vmList.count) VMs; a scenario holds at most \(maximumVMs)")
        }
        var vms: [ScenarioVM] = []
        for (vmIndex, vm) in vmList.enumerated() {
            vms.append(try Self.vm(vm, path: "\(path).vms[\(vmIndex)]", nodeCores: nodeCores, nodeMemory: nodeMemory))
        }
        var baseline: NodeUsageFigures?
        if vms.isEmpty, figures.count == 4 {
            baseline = NodeUsageFigures(
                cpuUsage: figures[0], cpuPressure: figures[1], memoryUsage: figures[2],
                memoryPressure: figures[3])
        } else if vms.isEmpty, !figures.isEmpty {
            throw ScenarioError("\(path): a node without vms needs all of cpu_usage, cpu_pressure, memory_usage, memory_pressure")
        }
        return ScenarioNode(name: name, baseline: baseline, vms: vms)
    }

    private static func vm(_ json: JSONValue, path: String, nodeCores: Double, nodeMemory: Double) throws(ScenarioError) -> ScenarioVM {
        guard let id = json["id"]?.stringValue ?? json["id"]?.intValue.map(String.init), !id.isEmpty else {
            throw ScenarioError("\(path).id: required")
        }
        guard id.count <= maximumIDLength else {
            throw ScenarioError("\(path).id: at most \(maximumIDLength) characters")
        }
        func number(_ field: String, _ range: ClosedRange<Double>) throws(ScenarioError) -> Double? {
            guard let value = json[field] else { return nil }
            guard let number = value.doubleValue, range.contains(number) else {
                throw ScenarioError("\(path).\(field): must be a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        if let cpu = try number("cpu_consumption", 0...4), let memory = try number("memory_consumption", 0...1) {
            return ScenarioVM(
                id: id, cpuCores: legacyCores, memoryBytes: legacyMemory,
                cpuUtilization: cpu * nodeCores / legacyCores,
                memoryUtilization: memory * nodeMemory / Double(legacyMemory))
        }
        if json["cpu_consumption"] != nil || json["memory_consumption"] != nil {
            throw ScenarioError("\(path): cpu_consumption and memory_consumption go together")
        }
        let cores = try number("cpu_cores", 0.001...1024) ?? 1
        let memory = try number("memory_bytes", 1_048_576...Double(1 << 50)) ?? Double(1 << 30)
        return ScenarioVM(
            id: id, cpuCores: cores, memoryBytes: Int64(memory),
            cpuUtilization: try number("cpu_utilization", 0...1) ?? 0.5,
            memoryUtilization: try number("memory_utilization", 0...1) ?? 0.8)
    }
}

/// Kubernetes name rules for the objects a scenario creates.
enum NodeNames {
    static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" || $0 == "." }
            && name.first?.isLetterOrDigit == true && name.last?.isLetterOrDigit == true
    }

    /// A DNS label made from a scenario VM id (`VM_1` → `vm-1`), at most 63 characters.
    static func vmName(forID id: String) -> String {
        var name = String(id.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" })
        while name.contains("--") { name = name.replacingOccurrences(of: "--", with: "-") }
        name = String(name.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(63))
            .trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return name.isEmpty ? "vm" : name
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}
