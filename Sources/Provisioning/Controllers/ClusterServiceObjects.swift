import Crypto
import Foundation
import KubeClient
import KubeModel

extension ResourceType {
    /// core/v1 Services (the Provisioning module does not link KubeControllers' names).
    static let provisioningServices = ResourceType(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true)
}

/// The objects in front of and beside a cluster's nodes: the API Service `<name>-api`, and one
/// set of objects per supporting service (``ServiceSpec``), each labelled
/// `virtyard.io/cluster` + `virtyard.io/service=<service>`:
///
/// - LOAD_BALANCER: a `LoadBalancer` Service in front of the control-plane VMs' launcher pods,
///   or with `configuration.implementation: haproxy` an HAProxy VM (`+HAProxy`);
/// - DNS, DHCP, PXE_BOOT: a small VM running dnsmasq, its configuration rendered into its
///   user data Secret `<vm>-userdata`;
/// - STORAGE, MONITORING: a ConfigMap recording the declaration (nothing runs yet).
struct ClusterServiceObjects {
    var cluster: ValidatedClusterSpec
    var namespace: String
    var owner: PlanOwner?

    /// The image of the dnsmasq VMs unless a service's `configuration.image` names one.
    static let dnsmasqImage = "quay.io/containerdisks/ubuntu:24.04"

    // MARK: - The API Service

    static func apiServiceName(_ cluster: String) -> String { "\(cluster)-api" }

    /// The ports the control plane serves: 6443 (Kubernetes), RKE2's supervisor 9345, OKD's
    /// machine config server 22623.
    var apiPorts: [(name: String, port: Int)] {
        var ports = [(name: "https", port: 6443)]
        if cluster.type == .rke2 { ports.append((name: "supervisor", port: 9345)) }
        if cluster.type == .okd { ports.append((name: "machine-config", port: 22623)) }
        return ports
    }

    /// The launcher pods of the control-plane VMs: they carry the VM template's labels.
    var controlPlaneSelector: JSONValue {
        [
            KubeVirtLabels.app: .string(KubeVirtLabels.launcherApp),
            ProvisioningLabels.cluster: .string(cluster.name),
            ProvisioningLabels.role: .string(NodeRole.controlPlane.labelValue),
        ]
    }

    func apiService() -> JSONValue {
        service(
            name: Self.apiServiceName(cluster.name), labels: labels(service: nil), type: "ClusterIP",
            ports: apiPorts, selector: controlPlaneSelector)
    }

    // MARK: - Supporting services

    /// `<cluster>-<service>`, or a hashed name when that is too long for a DNS label or would
    /// be the API Service's.
    func objectName(_ service: String) -> String {
        let plain = "\(cluster.name)-\(service)"
        if plain.utf8.count <= 57, plain != Self.apiServiceName(cluster.name) { return plain }
        let digest = SHA256.hash(data: Data(plain.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return "\(cluster.name.prefix(40))-svc-\(digest)"
    }

    /// The objects of `service`, in write order (a Secret before the VM that reads it).
    func objects(for service: ValidatedClusterSpec.Service, apiAddress: String?) -> [(ResourceType, JSONValue)] {
        let name = objectName(service.name)
        switch service.type {
        case .loadBalancer where LoadBalancerImplementation.of(service.configuration) == .haproxy:
            return haproxyObjects(for: service, name: name)
        case .loadBalancer:
            var ports = apiPorts
            if let extra = service.configuration?["ports"]?.arrayValue {
                ports = extra.compactMap { $0.intValue }.filter { (1...65535).contains($0) }.map { (name: "port-\($0)", port: Int($0)) }
                if ports.isEmpty { ports = apiPorts }
            }
            return [
                (
                    .provisioningServices,
                    self.service(
                        name: name, labels: labels(service: service.name), type: "LoadBalancer", ports: ports,
                        selector: controlPlaneSelector)
                )
            ]
        case .dns, .dhcp, .pxeBoot:
            let userData = dnsmasqUserData(service, hostname: name, apiAddress: apiAddress)
            return [
                (.secrets, secret(name: "\(name)-userdata", labels: labels(service: service.name), data: ["userdata": userData])),
                (.virtualMachines, serviceVM(name: name, service: service, defaultImage: Self.dnsmasqImage)),
            ]
        default:
            var data: [String: JSONValue] = [
                "type": .string(service.type.rawValue), "dependsOn": .string(service.dependsOn.joined(separator: ",")),
            ]
            if let configuration = service.configuration { data["configuration"] = .string(configuration.serializedString()) }
            return [
                (
                    .configMaps,
                    [
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": metadata(name: name, labels: labels(service: service.name)), "data": .object(data),
                    ]
                )
            ]
        }
    }

    // MARK: - dnsmasq

    /// A `#cloud-config` installing dnsmasq with the service's configuration.
    func dnsmasqUserData(_ service: ValidatedClusterSpec.Service, hostname: String, apiAddress: String?) -> String {
        CloudConfig(
            hostname: hostname,
            files: [
                CloudConfig.File(path: "/etc/dnsmasq.d/virtyard.conf", content: dnsmasqConfiguration(service, apiAddress: apiAddress))
            ],
            commands: [
                "command -v dnsmasq >/dev/null || (apt-get update && apt-get install -y dnsmasq) || dnf install -y dnsmasq",
                "systemctl enable dnsmasq",
                "systemctl restart dnsmasq",
            ]
        ).rendered()
    }

    /// dnsmasq's configuration for one service. Values from the free-form `configuration`
    /// are kept only when they are plain (letters, digits, `.,:/_-`): nothing a tenant writes
    /// can add a line.
    func dnsmasqConfiguration(_ service: ValidatedClusterSpec.Service, apiAddress: String?) -> String {
        let configuration = service.configuration
        func value(_ key: String) -> String? {
            configuration?[key]?.stringValue.flatMap(Self.plain)
        }
        func values(_ key: String) -> [String] {
            if let list = configuration?[key]?.arrayValue { return list.compactMap { $0.stringValue.flatMap(Self.plain) } }
            return value(key).map { [$0] } ?? []
        }
        var lines = ["# dnsmasq for cluster \(cluster.name): service \(service.name) (\(service.type.rawValue)), written by Virtyard"]
        lines.append("domain=\(value("domain") ?? "\(cluster.name).\(namespace).svc")")
        switch service.type {
        case .dns:
            lines += ["domain-needed", "bogus-priv"]
            let upstream = values("upstreamServers") + values("upstream")
            if !upstream.isEmpty { lines.append("no-resolv") }
            lines += upstream.map { "server=\($0)" }
            if let apiAddress, let address = Self.plain(apiAddress) {
                lines.append("address=/\(ProvisioningPlanner.defaultEndpoint(cluster: cluster.name, namespace: namespace))/\(address)")
            }
        case .dhcp:
            lines.append("port=0")
            lines.append("dhcp-range=\(value("dhcpRange") ?? "10.0.2.100,10.0.2.200,12h")")
            lines.append("dhcp-authoritative")
        default:
            lines.append("port=0")
            lines.append("dhcp-range=\(value("dhcpRange") ?? "10.0.2.0,proxy")")
            lines.append("enable-tftp")
            lines.append("tftp-root=\(value("tftpRoot") ?? "/var/lib/tftpboot")")
            lines.append("dhcp-boot=\(value("bootFile") ?? "pxelinux.0")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func plain(_ text: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:/_-")
        guard !text.isEmpty, text.count <= 253, text.allSatisfy({ allowed.contains($0) }) else { return nil }
        return text
    }

    // MARK: - Service VMs

    /// A small VM (1 core, 512 MiB) of a supporting service, booting `configuration.image` (or
    /// `defaultImage`) with the user data of Secret `<name>-userdata`. Its labels reach its
    /// launcher pod, so a Service can select it by `virtyard.io/service`.
    func serviceVM(name: String, service: ValidatedClusterSpec.Service, defaultImage: String) -> JSONValue {
        let image = service.configuration?["image"]?.stringValue.flatMap(Self.plain) ?? defaultImage
        let vmLabels = labels(service: service.name)
        return [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": metadata(name: name, labels: vmLabels),
            "spec": [
                "runStrategy": "Always",
                "template": [
                    "metadata": ["labels": .object(vmLabels)],
                    "spec": [
                        "domain": PlanObjects.domain(cores: 1, memory: "512Mi"),
                        "networks": [["name": "default", "pod": [:]]],
                        "volumes": [
                            ["name": "rootdisk", "containerDisk": ["image": .string(image)]],
                            ["name": "userdata", "cloudInitNoCloud": ["secretRef": ["name": .string("\(name)-userdata")]]],
                        ],
                    ],
                ],
            ],
        ]
    }

    // MARK: - Building blocks

    func labels(service: String?) -> [String: JSONValue] {
        var labels: [String: JSONValue] = [
            ProvisioningLabels.cluster: .string(cluster.name),
            ProvisioningLabels.managedBy: .string(ProvisioningLabels.managedByValue),
        ]
        if let service { labels[ProvisioningLabels.service] = .string(service) }
        return labels
    }

    func metadata(name: String, labels: [String: JSONValue]) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]
        if let owner { fields["ownerReferences"] = [owner.reference] }
        return .object(fields)
    }

    func service(
        name: String, labels: [String: JSONValue], type: String, ports: [(name: String, port: Int)], selector: JSONValue
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": metadata(name: name, labels: labels),
            "spec": [
                "type": .string(type),
                "selector": selector,
                "ports": .array(
                    ports.map { port in
                        [
                            "name": .string(port.name), "port": .int(Int64(port.port)), "targetPort": .int(Int64(port.port)),
                            "protocol": "TCP",
                        ]
                    }),
            ],
        ]
    }

    func secret(name: String, labels: [String: JSONValue], data: [String: String]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": metadata(name: name, labels: labels),
            "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ]
    }
}
