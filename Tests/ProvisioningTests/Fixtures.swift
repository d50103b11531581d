import Foundation
import Provisioning

/// Specifications the tests start from: one valid cluster per type.
enum Fixtures {
    static let image = ImageSource.containerDisk("quay.io/containerdisks/ubuntu:24.04")

    static func group(
        _ name: String, _ role: NodeRole, count: Int = 1, cores: Int = 2, memoryMB: Int = 2048, image: ImageSource = image,
        antiAffinity: AntiAffinity? = nil
    ) -> NodeGroupSpec {
        NodeGroupSpec(
            name: name, role: role, count: count,
            template: NodeTemplate(cores: cores, memoryMB: memoryMB, diskGB: 20, imageSource: image),
            placement: antiAffinity.map { PlacementConstraints(antiAffinity: $0) })
    }

    static func spec(_ type: ClusterType, name: String = "demo") -> ClusterSpec {
        switch type {
        case .k3s:
            return ClusterSpec(
                name: name, type: .k3s, version: "v1.32.0+k3s1",
                nodeGroups: [group("cp", .controlPlane, count: 3), group("work", .worker, count: 2), group("infra", .infra)])
        case .rke2:
            return ClusterSpec(
                name: name, type: .rke2, version: "v1.32.0+rke2r1",
                nodeGroups: [group("cp", .controlPlane, count: 2), group("work", .worker), group("etcd", .etcd)])
        case .vanilla:
            return ClusterSpec(
                name: name, type: .vanilla, version: "v1.32.0",
                nodeGroups: [group("cp", .controlPlane, count: 2), group("work", .worker), group("infra", .infra)])
        case .talos:
            return ClusterSpec(
                name: name, type: .talos, version: "v1.32.0",
                nodeGroups: [
                    group("cp", .controlPlane, count: 2, image: .containerDisk("ghcr.io/siderolabs/talos:v1.9.5")),
                    group("work", .worker, image: .containerDisk("ghcr.io/siderolabs/talos:v1.9.5")),
                ])
        case .okd:
            return ClusterSpec(
                name: name, type: .okd, version: "4.19.0",
                nodeGroups: [
                    group("bootstrap", .bootstrap, memoryMB: 16384), group("master", .controlPlane, count: 3, memoryMB: 16384),
                    group("worker", .worker, count: 2), group("bastion", .bastion),
                ])
        default:
            return ClusterSpec(name: name, type: .generic, nodeGroups: [group("vm", .worker, count: 2)])
        }
    }

    /// A fixed instant: certificates made in tests do not depend on the clock.
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
}
