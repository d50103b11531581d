import Foundation
import KubeClient
import KubeModel

/// `POST /api/v1/clusters/{name}/validate`: checks computed from the cluster as it is now —
/// its phase, each node's VM and VMI, and each node as the provisioned cluster's own API
/// reports it (a check naming every node that is not Ready).
extension ProvisioningService {
    struct Check {
        enum Status: String {
            case passed = "PASSED"
            case warning = "WARNING"
            case failed = "FAILED"
        }
        var name: String
        var category: String
        var status: Status
        var message: String

        var json: JSONValue {
            ["name": .string(name), "category": .string(category), "status": .string(status.rawValue), "message": .string(message)]
        }
    }

    func validate(_ name: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let current = try await cluster(try Self.clusterName(name), connection)
        var checks: [Check] = []
        let phase = current[path: ["status", "phase"]]?.stringValue.flatMap(ClusterPhase.init(rawValue:)) ?? .pending
        switch phase {
        case .completed:
            checks.append(Check(name: "cluster-phase", category: "cluster", status: .passed, message: "the cluster is COMPLETED"))
        case .failed, .rolledBack, .cancelled:
            checks.append(Check(name: "cluster-phase", category: "cluster", status: .failed, message: "the cluster is \(phase.rawValue)"))
        default:
            checks.append(
                Check(name: "cluster-phase", category: "cluster", status: .warning, message: "the cluster is still \(phase.rawValue)"))
        }
        guard let spec = Self.spec(of: current), let validated = try? ClusterSpecValidation.validate(spec) else {
            checks.append(
                Check(name: "specification", category: "cluster", status: .failed, message: "the stored specification is not valid"))
            return Self.report(name, checks)
        }
        // Temporary nodes (OKD's bootstrap) are gone once the cluster is up.
        let nodes = validated.nodes.filter { !(phase == .completed && $0.group.temporary) }
        let machines = try await vmStates(name, connection)
        for node in nodes {
            checks.append(contentsOf: machineChecks(node.vmName, machines))
        }
        if validated.type != .generic {
            checks.append(contentsOf: await nodeChecks(name, nodes: nodes, version: validated.version))
        }
        return Self.report(name, checks)
    }

    /// Per VM: whether it exists, and whether its VMI runs.
    private func machineChecks(_ vm: String, _ machines: VMStates) -> [Check] {
        guard machines.vms.contains(vm) else {
            return [Check(name: "vm/\(vm)", category: "infrastructure", status: .failed, message: "VirtualMachine \(vm) does not exist")]
        }
        var checks = [Check(name: "vm/\(vm)", category: "infrastructure", status: .passed, message: "VirtualMachine \(vm) exists")]
        if let phase = machines.vmiPhases[vm] {
            checks.append(
                Check(
                    name: "vmi/\(vm)", category: "infrastructure", status: phase == "Running" ? .passed : .failed,
                    message: phase == "Running" ? "\(vm) is running" : "\(vm) is not running (VMI phase \(phase))"))
        } else {
            checks.append(Check(name: "vmi/\(vm)", category: "infrastructure", status: .failed, message: "\(vm) is not running (no VMI)"))
        }
        return checks
    }

    /// Per node: Ready in the provisioned cluster, at the requested version. Without access
    /// to the cluster (`access == nil`) readiness is what the VMIs say, checked above.
    private func nodeChecks(_ name: String, nodes: [PlannedNode], version: ClusterVersion?) async -> [Check] {
        guard let access = configuration.access else { return [] }
        guard let registered = await access.nodes(namespace: namespace, cluster: name) else {
            return [Check(name: "kubernetes-api", category: "kubernetes", status: .failed, message: "the cluster's API does not answer")]
        }
        var checks = [Check(name: "kubernetes-api", category: "kubernetes", status: .passed, message: "the cluster's API answers")]
        let byName = Dictionary(registered.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let failures = await access.bootFailures(namespace: namespace, cluster: name)
        for node in nodes where node.role != .bastion {
            guard let found = byName[node.vmName] else {
                let why = failures[node.vmName].map { ": its boot configuration was rejected: \($0)" } ?? ""
                checks.append(
                    Check(
                        name: "node/\(node.vmName)", category: "kubernetes", status: .failed,
                        message: "node \(node.vmName) has not joined\(why)"))
                continue
            }
            if found.ready {
                checks.append(
                    Check(name: "node/\(node.vmName)", category: "kubernetes", status: .passed, message: "node \(node.vmName) is Ready"))
            } else {
                checks.append(
                    Check(name: "node/\(node.vmName)", category: "kubernetes", status: .failed, message: "node \(node.vmName) is not Ready")
                )
            }
            if let version, found.kubeletVersion != version.text, found.kubeletVersion != version.kubernetesVersion {
                checks.append(
                    Check(
                        name: "version/\(node.vmName)", category: "kubernetes", status: .warning,
                        message: "node \(node.vmName) runs \(found.kubeletVersion), the cluster asks for \(version.text)"))
            }
        }
        return checks
    }

    struct VMStates {
        var vms: Set<String>
        var vmiPhases: [String: String]
    }

    /// The cluster's VMs and their VMIs' phases, by VM name.
    private func vmStates(_ name: String, _ connection: Connection) async throws(ProvisioningAPIError) -> VMStates {
        let selector = ListOptions(labelSelector: "\(ProvisioningLabels.cluster)=\(name)")
        do {
            let vms = try await connection.api.list(.virtualMachines, namespace: namespace, options: selector).items
            // A VMI carries its VM's name; its labels are the template's, so list them all.
            let vmis = try await connection.api.list(.virtualMachineInstances, namespace: namespace, options: ListOptions()).items
            let names = Set(vms.compactMap(\.name))
            var phases: [String: String] = [:]
            for vmi in vmis {
                guard let vmName = vmi.name, names.contains(vmName) else { continue }
                phases[vmName] = vmi[path: ["status", "phase"]]?.stringValue ?? "Pending"
            }
            return VMStates(vms: names, vmiPhases: phases)
        } catch {
            throw .api("could not read the VMs of cluster \(name)", error)
        }
    }

    private static func report(_ name: String, _ checks: [Check]) -> JSONValue {
        let status: Check.Status =
            checks.contains { $0.status == .failed } ? .failed : checks.contains { $0.status == .warning } ? .warning : .passed
        let failed = checks.filter { $0.status == .failed }.count
        let summary =
            status == .passed ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed"
        return [
            "clusterName": .string(name), "status": .string(status.rawValue), "checks": .array(checks.map(\.json)),
            "summary": .string(summary), "timestamp": .string(Timestamp.string(Date())),
        ]
    }
}
