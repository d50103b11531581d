import Foundation
import KubeModel
import Synchronization

/// Hands out Service cluster IPs from 10.96.0.0/12 and node ports from 30000-32767, unique
/// within one API tree, as kube-apiserver's allocators do. What is taken is read from the
/// Services in the store, so an address is free again once its Service is deleted and
/// survives restarts with the data; addresses handed out in the last seconds but not yet
/// stored are held in a small table, so two concurrent creates never get the same one.
struct ServiceAddressAllocator: Sendable {
    let store: ObjectStore

    /// 10.96.0.0/12, the service CIDR kubeadm and kind default to.
    static let serviceCIDRBase: UInt32 = 0x0A60_0000
    static let serviceCIDRSize: UInt32 = 1 << 20
    /// kube-apiserver gives dynamic allocations the upper part of the range and keeps the
    /// first addresses (10.96.0.1 is the `kubernetes` Service) for those asked by value.
    static let dynamicOffset: UInt32 = 256
    static let nodePorts: ClosedRange<Int64> = 30000...32767
    private static let holdSeconds: TimeInterval = 30

    private static let services = GroupResource(group: "", resource: "services")

    /// Fills `spec.clusterIP(s)` and node ports of a Service being created. A value the
    /// client chose is kept when it is free and in range; an error names the field otherwise.
    func allocate(_ service: inout JSONValue, dryRun: Bool = false) throws(APIError) {
        let type = service[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        guard type != "ExternalName" else { return }
        let (usedIPs, usedPorts) = taken()
        var causes: [APIError.Cause] = []
        let requested =
            service[path: ["spec", "clusterIP"]]?.stringValue
            ?? service[path: ["spec", "clusterIPs"]]?.arrayValue?.first?.stringValue
        switch requested {
        case "None":
            service[path: ["spec", "clusterIP"]] = "None"
            service[path: ["spec", "clusterIPs"]] = ["None"]
        case .some(let address) where !address.isEmpty:
            if let problem = Self.problem(with: address, used: usedIPs) {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: []string{\"\(address)\"}: failed to allocate IP \(address): \(problem)",
                        field: "spec.clusterIPs"))
            } else {
                hold(address)
                service[path: ["spec", "clusterIP"]] = .string(address)
                service[path: ["spec", "clusterIPs"]] = [.string(address)]
            }
        default:
            guard let address = freeIP(used: usedIPs) else {
                throw APIError(
                    code: 500, reason: .internalError,
                    message: "Internal error occurred: failed to allocate a serviceIP: range is full")
            }
            hold(address)
            service[path: ["spec", "clusterIP"]] = .string(address)
            service[path: ["spec", "clusterIPs"]] = [.string(address)]
        }
        let needsNodePorts =
            type == "NodePort"
            || (type == "LoadBalancer" && service[path: ["spec", "allocateLoadBalancerNodePorts"]]?.boolValue != false)
        if needsNodePorts {
            var ports = service[path: ["spec", "ports"]]?.arrayValue ?? []
            var chosen = usedPorts
            for index in ports.indices {
                if let asked = ports[index]["nodePort"]?.intValue, asked != 0 {
                    if !Self.nodePorts.contains(asked) {
                        causes.append(
                            .init(
                                reason: "FieldValueInvalid",
                                message:
                                    "Invalid value: \(asked): provided port is not in the valid range. The range of valid ports is \(Self.nodePorts.lowerBound)-\(Self.nodePorts.upperBound)",
                                field: "spec.ports[\(index)].nodePort"))
                    } else if chosen.contains(asked) {
                        causes.append(
                            .init(
                                reason: "FieldValueInvalid",
                                message: "Invalid value: \(asked): provided port is already allocated",
                                field: "spec.ports[\(index)].nodePort"))
                    }
                    chosen.insert(asked)
                    continue
                }
                guard let port = freePort(used: chosen) else {
                    throw APIError(
                        code: 500, reason: .internalError,
                        message: "Internal error occurred: failed to allocate a nodePort: range is full")
                }
                chosen.insert(port)
                hold("port:\(port)")
                ports[index]["nodePort"] = .int(port)
            }
            service[path: ["spec", "ports"]] = .array(ports)
        }
        if !causes.isEmpty {
            throw APIError.invalid(kind: "Service", group: "", name: service.name ?? "", causes: causes)
        }
    }

    /// What an update may not change: a Service keeps its cluster IP, and fields the client
    /// left out keep their allocated values.
    static func carryOver(from old: JSONValue, to new: inout JSONValue) throws(APIError) {
        let oldIP = old[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        let newType = new[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        guard !oldIP.isEmpty, newType != "ExternalName" else { return }
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] where !new.isSet(["spec", field]) {
            new[path: ["spec", field]] = old[path: ["spec", field]]
        }
        let newIP = new[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        if newIP != oldIP {
            throw APIError.invalid(
                kind: "Service", group: "", name: old.name ?? "",
                causes: [
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"\(newIP)\": field is immutable", field: "spec.clusterIPs[0]")
                ])
        }
        let oldPorts = old[path: ["spec", "ports"]]?.arrayValue ?? []
        new.updateEach(["spec", "ports"]) { port in
            guard !port.isSet(["nodePort"]),
                let match = oldPorts.first(where: { $0["port"] == port["port"] && $0["protocol"] == port["protocol"] }),
                let nodePort = match["nodePort"]
            else { return }
            port["nodePort"] = nodePort
        }
    }

    // MARK: Pieces

    private func taken() -> (ips: Set<String>, ports: Set<Int64>) {
        var ips = Set<String>()
        var ports = Set<Int64>()
        for (slot, stored) in store.sortedEntries(Self.services).entries {
            let key = StorageKey(Self.services, namespace: slot.namespace, name: slot.name)
            let held = store.decoded.value(of: stored, at: key, HeldAddresses.init)
            ips.formUnion(held.ips)
            ports.formUnion(held.nodePorts)
        }
        let now = Date()
        let stored = ips.union(ports.map { "port:\($0)" })
        // A held address that reached the store is the store's to track from now on (so
        // deleting its Service frees it at once); one that never did is let go after a while.
        let held = store.addressHolds.entries.withLock { entries in
            entries = entries.filter { now.timeIntervalSince($0.value) < Self.holdSeconds && !stored.contains($0.key) }
            return Array(entries.keys)
        }
        for entry in held {
            if entry.hasPrefix("port:"), let number = Int64(entry.dropFirst(5)) {
                ports.insert(number)
            } else {
                ips.insert(entry)
            }
        }
        return (ips, ports)
    }

    private func hold(_ entry: String) {
        store.addressHolds.entries.withLock { $0[entry] = Date() }
    }

    private func freeIP(used: Set<String>) -> String? {
        let span = Self.serviceCIDRSize - Self.dynamicOffset - 1 // the broadcast address is never handed out
        let start = UInt32.random(in: 0..<span)
        for step in 0..<span {
            let offset = Self.dynamicOffset + (start + step) % span
            let address = Self.format(Self.serviceCIDRBase + offset)
            if !used.contains(address) { return address }
        }
        return nil
    }

    private func freePort(used: Set<Int64>) -> Int64? {
        let count = Self.nodePorts.count
        let start = Int.random(in: 0..<count)
        for step in 0..<count {
            let port = Self.nodePorts.lowerBound + Int64((start + step) % count)
            if !used.contains(port) { return port }
        }
        return nil
    }

    static func problem(with address: String, used: Set<String>) -> String? {
        guard let value = parse(address) else { return "not a valid IP address" }
        guard value > serviceCIDRBase, value < serviceCIDRBase + serviceCIDRSize - 1 else {
            return "the provided IP (\(address)) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
        }
        if used.contains(format(value)) { return "provided IP is already allocated" }
        return nil
    }

    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard part.count <= 3, let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}

/// Addresses and node ports handed out but maybe not stored yet, kept with the store they
/// belong to (a table keyed by the store's identity would outlive it, and a new store at the
/// same address would inherit its holds).
final class AddressHolds: Sendable {
    let entries = Mutex<[String: Date]>([:])
}

/// The cluster IPs and node ports one stored Service holds.
private struct HeldAddresses: Sendable {
    var ips: Set<String> = []
    var nodePorts: Set<Int64> = []

    init(_ service: JSONValue) {
        for ip in service[path: ["spec", "clusterIPs"]]?.arrayValue ?? [] {
            if let text = ip.stringValue { ips.insert(text) }
        }
        if let ip = service[path: ["spec", "clusterIP"]]?.stringValue { ips.insert(ip) }
        for port in service[path: ["spec", "ports"]]?.arrayValue ?? [] {
            if let number = port["nodePort"]?.intValue { nodePorts.insert(number) }
        }
    }
}
