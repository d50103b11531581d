import KubeClient
import KubeModel

/// A LOAD_BALANCER service with `configuration.implementation: haproxy`: a small KubeVirt VM
/// running HAProxy in front of the control plane, instead of a `LoadBalancer` Service.
///
/// The load balancer starts before any node exists (services are Ready before the nodes), so
/// it cannot list the control plane's addresses. It finds them through DNS instead: a headless
/// Service `<vm>-backends` selects the control-plane VMs' launcher pods, the cluster's DNS
/// answers its name with one A record per running control plane, and HAProxy's
/// `server-template` fills its server slots from those records, re-resolving as nodes come and
/// go (`init-addr none` lets it start while there are none yet).
extension ClusterServiceObjects {
    /// The image of the HAProxy VM unless the service's `configuration.image` names one.
    static let haproxyImage = "quay.io/containerdisks/ubuntu:24.04"

    /// Where HAProxy's configuration is written in the guest.
    static let haproxyConfigurationPath = "/etc/haproxy/haproxy.cfg"

    func haproxyBackendsName(_ name: String) -> String { "\(name)-backends" }

    /// Server slots per port: the planned control planes, at least 3 so a control plane grown
    /// later is balanced without re-rendering the VM's configuration.
    var haproxyServerSlots: Int {
        max(3, cluster.nodeGroups.filter { $0.role == .controlPlane }.reduce(0) { $0 + $1.count })
    }

    /// The objects of an HAProxy load balancer, in write order: the headless Service that
    /// names the control planes, the VM's user data Secret, the VM, and a `LoadBalancer`
    /// Service in front of the VM's launcher pod (the address clients use).
    func haproxyObjects(for service: ValidatedClusterSpec.Service, name: String) -> [(ResourceType, JSONValue)] {
        let labels = labels(service: service.name)
        var backends = self.service(
            name: haproxyBackendsName(name), labels: labels, type: "ClusterIP", ports: apiPorts, selector: controlPlaneSelector)
        backends[path: ["spec", "clusterIP"]] = "None"
        // The control planes are resolvable while they boot, before their API answers.
        backends[path: ["spec", "publishNotReadyAddresses"]] = true
        let front = self.service(
            name: name, labels: labels, type: "LoadBalancer", ports: apiPorts,
            selector: [
                KubeVirtLabels.app: .string(KubeVirtLabels.launcherApp),
                ProvisioningLabels.cluster: .string(cluster.name),
                ProvisioningLabels.service: .string(service.name),
            ])
        return [
            (.provisioningServices, backends),
            (.secrets, secret(name: "\(name)-userdata", labels: labels, data: ["userdata": haproxyUserData(service, hostname: name)])),
            (.virtualMachines, serviceVM(name: name, service: service, defaultImage: Self.haproxyImage)),
            (.provisioningServices, front),
        ]
    }

    /// A `#cloud-config` installing HAProxy with ``haproxyConfiguration(_:backends:)``.
    func haproxyUserData(_ service: ValidatedClusterSpec.Service, hostname: String) -> String {
        CloudConfig(
            hostname: hostname,
            files: [
                CloudConfig.File(
                    path: Self.haproxyConfigurationPath, content: haproxyConfiguration(service, backends: haproxyBackendsName(hostname)))
            ],
            commands: [
                "command -v haproxy >/dev/null || (apt-get update && apt-get install -y haproxy) || dnf install -y haproxy",
                "haproxy -c -f \(Self.haproxyConfigurationPath)",
                "systemctl enable haproxy",
                "systemctl restart haproxy",
            ]
        ).rendered()
    }

    /// HAProxy's configuration: per API port a TCP frontend and a backend whose servers are the
    /// control planes found through the headless Service `backends`. The Kubernetes port is
    /// health-checked as kubeadm's HA guide does (`GET /healthz` over TLS), the others (RKE2's
    /// supervisor, OKD's machine config server) by a TCP connect.
    func haproxyConfiguration(_ service: ValidatedClusterSpec.Service, backends: String) -> String {
        let domain = service.configuration?["clusterDomain"]?.stringValue.flatMap(Self.plain) ?? "cluster.local"
        let address = "\(backends).\(namespace).svc.\(domain)"
        var lines = [
            "# HAProxy for cluster \(cluster.name): service \(service.name) (LOAD_BALANCER), written by Virtyard",
            "global",
            "    log stdout format raw local0",
            "    maxconn 4096",
            "",
            "resolvers cluster",
            "    parse-resolv-conf",
            "    hold valid 10s",
            "",
            "defaults",
            "    mode tcp",
            "    log global",
            "    option tcplog",
            "    timeout connect 5s",
            "    timeout client 1h",
            "    timeout server 1h",
            "    default-server inter 5s fall 3 rise 2",
        ]
        for port in apiPorts {
            lines += [
                "",
                "frontend \(port.name)",
                "    bind *:\(port.port)",
                "    default_backend \(port.name)-control-plane",
                "",
                "backend \(port.name)-control-plane",
                "    balance roundrobin",
            ]
            let check: String
            if port.port == 6443 {
                lines += [
                    "    option httpchk", "    http-check connect ssl", "    http-check send meth GET uri /healthz",
                    "    http-check expect status 200",
                ]
                check = "check check-ssl verify none"
            } else {
                lines.append("    option tcp-check")
                check = "check"
            }
            lines.append(
                "    server-template cp \(haproxyServerSlots) \(address):\(port.port) \(check) resolvers cluster init-addr none")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
