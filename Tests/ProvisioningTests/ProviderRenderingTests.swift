import Foundation
import Testing
import Yams

@testable import Provisioning

/// Every provider, every role: the rendered configuration passes the real validators
/// (`check-bootconfig`) and says what a joining node needs.
@Suite struct ProviderRenderingTests {
    static let endpoint = "demo-api.lab.svc"

    struct Rendered {
        var cluster: ValidatedClusterSpec
        var secrets: ClusterSecrets
        var nodes: [RenderedNode]
    }

    static func render(_ type: ClusterType, seed: UInt64 = 11) throws -> Rendered {
        let cluster = try ClusterSpecValidation.validate(Fixtures.spec(type))
        var random = SeededRandom(seed: seed)
        let secrets = try ClusterSecrets.generate(clusterName: cluster.name, type: type, now: Fixtures.now, random: &random)
        let context = ClusterRenderContext(cluster: cluster, endpoint: endpoint, secrets: secrets)
        let provider = ClusterPlatformProviders.provider(for: type)
        #expect(provider.type == type)
        let nodes = try cluster.nodes.map { RenderedNode(node: $0, configuration: try provider.render($0, in: context)) }
        return Rendered(cluster: cluster, secrets: secrets, nodes: nodes)
    }

    @Test(arguments: ClusterType.known)
    func everyConfigurationPassesTheRealValidators(type: ClusterType) throws {
        for rendered in try Self.render(type).nodes {
            let kind = rendered.configuration.format.checkKind
            let outcome = try SharedTools.checkBootConfig(rendered.configuration.text, kind: kind, name: rendered.node.vmName)
            #expect(outcome.status == 0, "\(rendered.node.vmName): \(outcome.output)")
            #expect(outcome.output.hasPrefix("OK \(kind)"), "\(outcome.output)")
            // For reading the output (docs/provisioning.md shows excerpts).
            if let dump = ProcessInfo.processInfo.environment["VIRTYARD_DUMP_BOOTCONFIGS"] {
                let file = URL(fileURLWithPath: dump).appendingPathComponent("\(type.rawValue)-\(rendered.node.vmName)")
                try? Data((rendered.configuration.text + "\n# " + outcome.output).utf8).write(to: file)
            }
        }
    }

    @Test func checkerCatchesABrokenConfiguration() throws {
        // The check must be able to fail: a k3s flag that does not exist.
        let text = "#cloud-config\nwrite_files:\n- path: /etc/rancher/k3s/config.yaml\n  content: |\n    no-such-flag: true\n"
        let outcome = try SharedTools.checkBootConfig(text, kind: "cloud-config")
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("not a k3s flag"))
    }

    @Test(arguments: [RancherProvider.Flavor.k3s, .rke2])
    func rancherNodesShareTokenAndJoinTheEndpoint(flavor: RancherProvider.Flavor) throws {
        let type: ClusterType = flavor == .k3s ? .k3s : .rke2
        let rendered = try Self.render(type)
        let configPath = "/etc/rancher/\(flavor.rawValue)/config.yaml"
        let version = rendered.cluster.version!.text
        for node in rendered.nodes {
            let config = try #require(try node.documents(configPath).first)
            #expect(config["token"] as? String == rendered.secrets.bootstrapToken)
            #expect(config["node-name"] as? String == node.node.vmName)
            #expect((config["node-label"] as? [String])?.contains("virtyard.io/node-group=\(node.node.group.name)") == true)
            let isServer = node.node.role == .controlPlane || node.node.role == .etcd
            if isServer {
                #expect(config["tls-san"] as? [String] == [Self.endpoint])
            }
            if node.node.isInitialControlPlane {
                #expect(config["server"] == nil)
                #expect((config["cluster-init"] as? Bool) == (flavor == .k3s ? true : nil))
                let tls = "/var/lib/rancher/\(flavor.rawValue)/server/tls"
                #expect(try node.file("\(tls)/server-ca.crt") == rendered.secrets.certificateAuthority.certificatePEM)
                #expect(try node.file("\(tls)/client-ca.key") == rendered.secrets.certificateAuthority.privateKeyPEM)
            } else {
                #expect(config["server"] as? String == "https://\(Self.endpoint):\(flavor == .k3s ? 6443 : 9345)")
                #expect(!node.configuration.text.contains("PRIVATE KEY"))
            }
            if node.node.role == .infra {
                #expect(config["node-taint"] as? [String] == ["virtyard.io/role=infra:NoSchedule"])
            }
            let pin = flavor == .k3s ? "INSTALL_K3S_VERSION='\(version)'" : "INSTALL_RKE2_VERSION='\(version)'"
            #expect(try node.commands().contains { $0.contains(pin) }, "\(node.node.vmName) does not pin \(version)")
        }
        #expect(rendered.nodes.filter(\.node.isInitialControlPlane).count == 1)
    }

    @Test func kubeadmInitOnTheFirstControlPlaneAndPinnedJoinsElsewhere() throws {
        let rendered = try Self.render(.vanilla)
        // The hash a joining node pins, recomputed here from the CA PEM.
        let hash = try OpenSSL.caCertHash(rendered.secrets.certificateAuthority.certificatePEM)
        #expect(hash == rendered.secrets.certificateAuthority.publicKeyHash)
        for node in rendered.nodes {
            let documents = try node.documents(KubeadmProvider.configPath)
            let kinds = documents.compactMap { $0["kind"] as? String }
            let script = try #require(try node.file("/usr/local/sbin/virtyard-kubeadm.sh"))
            #expect(script.contains("KUBERNETES_VERSION=v1.32.0"))
            #expect(script.contains("kubeadm=1.32.0-1.1"))
            if node.node.isInitialControlPlane {
                #expect(kinds == ["InitConfiguration", "ClusterConfiguration"])
                let initDocument = documents[0]
                let clusterDocument = documents[1]
                #expect(value(clusterDocument, "kubernetesVersion") as? String == "v1.32.0")
                #expect(value(clusterDocument, "controlPlaneEndpoint") as? String == "\(Self.endpoint):6443")
                #expect(value(clusterDocument, "apiServer.certSANs") as? [String] == [Self.endpoint])
                let tokens = try #require(initDocument["bootstrapTokens"] as? [[String: Any]])
                #expect(tokens.first?["token"] as? String == rendered.secrets.bootstrapToken)
                #expect(initDocument["certificateKey"] as? String == rendered.secrets.certificateKey)
                #expect(try node.file("/etc/kubernetes/pki/ca.crt") == rendered.secrets.certificateAuthority.certificatePEM)
                #expect(script.contains("kubeadm init --config /etc/kubernetes/kubeadm.yaml --upload-certs"))
            } else {
                #expect(kinds == ["JoinConfiguration"])
                let join = documents[0]
                #expect(value(join, "discovery.bootstrapToken.token") as? String == rendered.secrets.bootstrapToken)
                #expect(value(join, "discovery.bootstrapToken.apiServerEndpoint") as? String == "\(Self.endpoint):6443")
                #expect(value(join, "discovery.bootstrapToken.caCertHashes") as? [String] == [hash])
                let certificateKey = value(join, "controlPlane.certificateKey") as? String
                #expect(certificateKey == (node.node.role == .controlPlane ? rendered.secrets.certificateKey : nil))
                #expect(!node.configuration.text.contains("PRIVATE KEY"))
                #expect(script.contains("kubeadm join --config"))
            }
        }
    }

    @Test func talosNodesShareSecretsAndWorkersHoldNoPrivateKey() throws {
        let rendered = try Self.render(.talos)
        let talos = try #require(rendered.secrets.talos)
        for node in rendered.nodes {
            let config = try node.yaml()
            #expect(value(config, "version") as? String == "v1alpha1")
            #expect(value(config, "cluster.token") as? String == rendered.secrets.bootstrapToken)
            #expect(value(config, "machine.token") as? String == talos.machineToken)
            #expect(value(config, "cluster.controlPlane.endpoint") as? String == "https://\(Self.endpoint):6443")
            #expect(decodedBase64(value(config, "cluster.ca.crt")) == rendered.secrets.certificateAuthority.certificatePEM)
            #expect((value(config, "machine.kubelet.image") as? String)?.hasSuffix(":v1.32.0") == true)
            let controlPlane = node.node.role == .controlPlane
            #expect(value(config, "machine.type") as? String == (controlPlane ? "controlplane" : "worker"))
            if controlPlane {
                #expect(decodedBase64(value(config, "cluster.ca.key")) == rendered.secrets.certificateAuthority.privateKeyPEM)
                #expect((value(config, "cluster.apiServer.image") as? String)?.hasSuffix(":v1.32.0") == true)
            } else {
                #expect(Self.privateMaterial(in: config).isEmpty, "worker \(node.node.vmName) holds \(Self.privateMaterial(in: config))")
            }
        }
    }

    /// Paths of keys and of values that decode to a private key.
    static func privateMaterial(in object: Any, path: String = "") -> [String] {
        if let map = object as? [String: Any] {
            return map.flatMap { key, value -> [String] in
                let here = path.isEmpty ? key : "\(path).\(key)"
                let named = ["key", "secretboxEncryptionSecret", "aescbcEncryptionSecret", "serviceAccount"].contains(key) ? [here] : []
                return named + privateMaterial(in: value, path: here)
            }
        }
        if let list = object as? [Any] { return list.flatMap { privateMaterial(in: $0, path: path) } }
        if let text = object as? String, (decodedBase64(text) ?? text).contains("PRIVATE KEY") { return [path] }
        return []
    }

    @Test func okdBootstrapIsFullAndOthersPointAtTheMachineConfigServer() throws {
        let rendered = try Self.render(.okd)
        let caSource =
            "data:text/plain;charset=utf-8;base64,"
            + Data(rendered.secrets.certificateAuthority.certificatePEM.utf8).base64EncodedString()
        for node in rendered.nodes where node.node.role != .bastion {
            #expect(node.configuration.format == .ignition)
            let config = try node.json()
            #expect(value(config, "ignition.version") as? String == "3.2.0")
            let files = try #require(value(config, "storage.files") as? [[String: Any]])
            let release = try #require(files.first { $0["path"] as? String == "/etc/virtyard/okd-release" })
            let releaseSource = try #require(value(release, "contents.source") as? String)
            #expect(decodedBase64(releaseSource.split(separator: ",").last.map(String.init))?.contains("OKD_VERSION=4.19.0") == true)
            let merge = value(config, "ignition.config.merge") as? [[String: Any]]
            switch node.node.role {
            case .bootstrap:
                #expect(merge == nil)
                #expect(files.contains { $0["path"] as? String == "/opt/openshift/tls/virtyard-ca.key" })
                #expect((value(config, "systemd.units") as? [Any])?.count == 1)
            case .controlPlane:
                #expect(merge?.first?["source"] as? String == "https://\(Self.endpoint):22623/config/master")
                #expect(!node.configuration.text.contains(Data("PRIVATE KEY".utf8).base64EncodedString().prefix(8)))
            default:
                #expect(merge?.first?["source"] as? String == "https://\(Self.endpoint):22623/config/worker")
            }
            if node.node.role != .bootstrap {
                let authorities = value(config, "ignition.security.tls.certificateAuthorities") as? [[String: Any]]
                #expect(authorities?.first?["source"] as? String == caSource)
            }
        }
        // The bastion is not a cluster member: a plain cloud-config.
        let bastion = try #require(rendered.nodes.first { $0.node.role == .bastion })
        #expect(bastion.configuration.format == .cloudConfig)
    }

    @Test func genericNodesGetOnlyTheirIdentity() throws {
        for node in try Self.render(.generic).nodes {
            let config = try node.cloudConfig()
            #expect(config["hostname"] as? String == node.node.vmName)
            #expect(config["runcmd"] == nil)
            #expect(try node.file("/etc/virtyard/node.env")?.contains("VIRTYARD_CLUSTER=demo") == true)
        }
    }

    @Test func renderingIsDeterministicForTheSameSecrets() throws {
        // Certificates are signed with random nonces, so compare configurations that hold no
        // certificate: joining workers.
        let first = try Self.render(.k3s, seed: 5).nodes.filter { $0.node.role == .worker }.map(\.configuration)
        let second = try Self.render(.k3s, seed: 5).nodes.filter { $0.node.role == .worker }.map(\.configuration)
        #expect(first == second)
    }
}
