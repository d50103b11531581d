import Foundation
import KubeModel
import Testing

@testable import Provisioning

/// The simulated guest reads what the real providers render, and joins only with the
/// cluster's token, an endpoint the server certificate names, and the cluster's CA.
@Suite struct GuestBootTests {
    struct Planned {
        var plan: ProvisioningPlan
        var secrets: ClusterSecrets
        var version: String

        func text(_ vm: String) throws -> String {
            try #require(plan.nodes.first { $0.name == vm }).bootConfiguration.text
        }

        /// The cluster as its initialising node defines it.
        func identity() throws -> GuestClusterIdentity {
            let initialiser = try #require(
                try plan.nodes.compactMap { try GuestBootReader.read($0.bootConfiguration.text) }.first { $0.initialises })
            return GuestClusterIdentity(
                initialiser: initialiser, impliedSANs: ["\(plan.clusterName)-api.\(plan.namespace).svc"])
        }
    }

    static let members: [ClusterType] = [.k3s, .rke2, .vanilla, .talos, .okd]

    static func plan(_ type: ClusterType, seed: UInt64 = 3, name: String = "demo") throws -> Planned {
        let cluster = try ClusterSpecValidation.validate(Fixtures.spec(type, name: name))
        var random = SeededRandom(seed: seed)
        let secrets = try ClusterSecrets.generate(clusterName: cluster.name, type: cluster.type, now: Fixtures.now, random: &random)
        let plan = try ProvisioningPlanner.plan(cluster, namespace: "lab", secrets: secrets, now: Fixtures.now, random: &random)
        return Planned(plan: plan, secrets: secrets, version: cluster.version?.text ?? "")
    }

    static func refusal(_ body: () throws -> Void) -> GuestBootError? {
        do {
            try body()
            return nil
        } catch let error as GuestBootError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    // MARK: - Reading what the providers render

    @Test(arguments: members)
    func readsEveryRenderedNode(type: ClusterType) throws {
        let planned = try Self.plan(type)
        var initialisers = 0
        for node in planned.plan.nodes {
            let read = try GuestBootReader.read(node.bootConfiguration.text)
            guard node.role != .bastion else {
                #expect(read == nil, "a bastion is no cluster member")
                continue
            }
            let boot = try #require(read, "\(node.name) reads as no member")
            #expect(boot.distribution == type)
            #expect(boot.version == planned.version, "\(node.name) pins \(boot.version)")
            #expect(boot.nodeName == node.name)
            switch node.role {
            case .controlPlane: #expect(boot.role == .controlPlane)
            case .etcd: #expect(boot.role == .etcd)
            case .bootstrap: #expect(boot.role == .bootstrap)
            default: #expect(boot.role == .worker, "\(node.name) is \(boot.role)")
            }
            if type == .okd {
                #expect(boot.token == nil)
            } else {
                #expect(boot.token == planned.secrets.bootstrapToken)
            }
            if boot.initialises { initialisers += 1 }
            if !boot.initialises || type == .talos {
                let endpoint = try #require(boot.endpoint, "\(node.name) dials nowhere")
                #expect(endpoint.host == "demo-api.lab.svc")
            }
        }
        // Talos: every control plane holds the CA key and could be bootstrapped.
        let expected = type == .talos ? planned.plan.nodes.filter { $0.role == .controlPlane }.count : 1
        #expect(initialisers == expected)
    }

    @Test(arguments: members)
    func everyNodeJoinsTheClusterItsInitialiserDefines(type: ClusterType) throws {
        let planned = try Self.plan(type)
        let identity = try planned.identity()
        #expect(identity.version == planned.version)
        #expect(identity.caPublicKeyHash == planned.secrets.certificateAuthority.publicKeyHash)
        for node in planned.plan.nodes {
            guard let boot = try GuestBootReader.read(node.bootConfiguration.text) else { continue }
            #expect(throws: Never.self, "\(node.name)") { try identity.admit(boot) }
        }
    }

    @Test func genericNodesAreNoClusterMembers() throws {
        let planned = try Self.plan(.generic)
        for node in planned.plan.nodes { #expect(try GuestBootReader.read(node.bootConfiguration.text) == nil) }
    }

    @Test func rolesAndLabelsAsEachDistributionSetsThem() throws {
        let k3s = try Self.plan(.k3s)
        let server = try #require(try GuestBootReader.read(k3s.text("demo-cp-02")))
        #expect(server.nodeLabels["node-role.kubernetes.io/control-plane"] == "true")
        #expect(server.nodeLabels["node-role.kubernetes.io/master"] == "true")
        #expect(server.nodeLabels["node-role.kubernetes.io/etcd"] == "true")
        #expect(server.nodeLabels["virtyard.io/node-group"] == "cp")
        let agent = try #require(try GuestBootReader.read(k3s.text("demo-work-01")))
        #expect(agent.nodeLabels.keys.allSatisfy { !$0.hasPrefix("node-role.kubernetes.io/") })
        let infra = try #require(try GuestBootReader.read(k3s.text("demo-infra-01")))
        #expect(infra.nodeTaints == [.init(key: "virtyard.io/role", value: "infra", effect: "NoSchedule")])

        let rke2 = try Self.plan(.rke2)
        let etcd = try #require(try GuestBootReader.read(rke2.text("demo-etcd-01")))
        #expect(etcd.role == .etcd)
        #expect(etcd.nodeLabels["node-role.kubernetes.io/etcd"] == "true")
        #expect(etcd.nodeLabels["node-role.kubernetes.io/control-plane"] == nil)

        let kubeadm = try Self.plan(.vanilla)
        let controlPlane = try #require(try GuestBootReader.read(kubeadm.text("demo-cp-02")))
        #expect(controlPlane.nodeLabels["node-role.kubernetes.io/control-plane"] == "")
        #expect(controlPlane.nodeTaints.contains { $0.key == "node-role.kubernetes.io/control-plane" })
        let worker = try #require(try GuestBootReader.read(kubeadm.text("demo-work-01")))
        #expect(worker.nodeLabels["node-role.kubernetes.io/control-plane"] == nil)
        #expect(worker.caCertHashes == [kubeadm.secrets.certificateAuthority.publicKeyHash])

        let okd = try Self.plan(.okd)
        let bootstrap = try #require(try GuestBootReader.read(okd.text("demo-bootstrap-01")))
        #expect(!bootstrap.registers)
        let okdWorker = try #require(try GuestBootReader.read(okd.text("demo-worker-01")))
        #expect(okdWorker.nodeLabels["node-role.kubernetes.io/worker"] == "")
    }

    // MARK: - Joins refused

    @Test(arguments: [ClusterType.k3s, .rke2, .vanilla, .talos])
    func aWrongTokenIsRefused(type: ClusterType) throws {
        let planned = try Self.plan(type)
        let identity = try planned.identity()
        let text = try planned.text("demo-work-01").replacingOccurrences(
            of: planned.secrets.bootstrapToken, with: "abcdef.0123456789abcdef")
        let boot = try #require(try GuestBootReader.read(text))
        let error = Self.refusal { try identity.admit(boot) }
        guard case .tokenMismatch = error else {
            Issue.record("expected a token mismatch, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("does not match the cluster's token") == true)
    }

    @Test func anotherClustersNodeIsRefused() throws {
        let identity = try Self.plan(.k3s).identity()
        let other = try Self.plan(.k3s, seed: 99)
        let boot = try #require(try GuestBootReader.read(other.text("demo-work-01")))
        #expect(Self.refusal { try identity.admit(boot) } == .tokenMismatch(distribution: "k3s", field: "token"))
    }

    @Test func aWrongCAHashIsRefused() throws {
        let planned = try Self.plan(.vanilla)
        let identity = try planned.identity()
        let pinned = "sha256:" + String(repeating: "0", count: 64)
        let text = try planned.text("demo-work-01").replacingOccurrences(
            of: planned.secrets.certificateAuthority.publicKeyHash, with: pinned)
        let boot = try #require(try GuestBootReader.read(text))
        let error = Self.refusal { try identity.admit(boot) }
        #expect(error == .certificateAuthorityMismatch(pinned: pinned, actual: planned.secrets.certificateAuthority.publicKeyHash))
        #expect(error?.description.contains("does not match the pinned CA") == true)
    }

    @Test(arguments: [ClusterType.talos, .okd])
    func trustingAnotherCAIsRefused(type: ClusterType) throws {
        let planned = try Self.plan(type)
        let other = try Self.plan(type, seed: 42)
        let identity = try planned.identity()
        // The other cluster's worker, with this cluster's tokens: only the CA differs.
        var text = try other.text("demo-worker-01".replacingOccurrences(of: "worker", with: type == .okd ? "worker" : "work"))
        text = text.replacingOccurrences(of: other.secrets.bootstrapToken, with: planned.secrets.bootstrapToken)
        if let mine = planned.secrets.talos, let theirs = other.secrets.talos {
            text = text.replacingOccurrences(of: theirs.machineToken, with: mine.machineToken)
        }
        let boot = try #require(try GuestBootReader.read(text))
        guard case .certificateAuthorityMismatch = Self.refusal({ try identity.admit(boot) }) else {
            Issue.record("expected a CA mismatch")
            return
        }
    }

    @Test(arguments: [ClusterType.k3s, .rke2, .vanilla, .talos, .okd])
    func anEndpointTheCertificateDoesNotNameIsRefused(type: ClusterType) throws {
        let planned = try Self.plan(type)
        let identity = try planned.identity()
        let joiner = type == .okd ? "demo-worker-01" : "demo-work-01"
        let text = try planned.text(joiner).replacingOccurrences(of: "demo-api.lab.svc", with: "evil.example.com")
        let boot = try #require(try GuestBootReader.read(text))
        let error = Self.refusal { try identity.admit(boot) }
        guard case .endpointNotInCertificate(let endpoint, let names) = error else {
            Issue.record("expected the endpoint to be refused, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "evil.example.com")
        #expect(names.contains("demo-api.lab.svc"))
        #expect(error?.description.contains("certificate is valid for") == true)
    }

    @Test func rke2AgentsRegisterOnTheSupervisorPort() throws {
        let planned = try Self.plan(.rke2)
        let identity = try planned.identity()
        let text = try planned.text("demo-work-01").replacingOccurrences(of: "demo-api.lab.svc:9345", with: "demo-api.lab.svc:6443")
        let boot = try #require(try GuestBootReader.read(text))
        #expect(Self.refusal { try identity.admit(boot) } == .wrongPort(endpoint: "demo-api.lab.svc:6443", expected: 9345))
    }

    @Test func aDistributionCannotJoinAnother() throws {
        let identity = try Self.plan(.k3s).identity()
        let boot = try #require(try GuestBootReader.read(try Self.plan(.rke2).text("demo-work-01")))
        #expect(Self.refusal { try identity.admit(boot) } == .distributionMismatch(node: "RKE2", cluster: "K3S"))
    }

    @Test func aK3sSecureTokenPinsTheCA() throws {
        let planned = try Self.plan(.k3s)
        let identity = try planned.identity()
        let token = planned.secrets.bootstrapToken
        let ca = planned.secrets.certificateAuthority.certificatePEM
        let good = try planned.text("demo-work-01").replacingOccurrences(
            of: token, with: "K10\(CertificatePin.k3sHash(ofPEM: ca))::server:\(token)")
        #expect(throws: Never.self) { try identity.admit(try #require(try GuestBootReader.read(good))) }
        let bad = try planned.text("demo-work-01").replacingOccurrences(
            of: token, with: "K10\(String(repeating: "a", count: 64))::server:\(token)")
        guard case .certificateAuthorityMismatch = Self.refusal({ try identity.admit(try #require(try GuestBootReader.read(bad))) }) else {
            Issue.record("expected a CA mismatch")
            return
        }
    }

    // MARK: - Configurations no guest reads

    @Test func garbageIsRefusedWithAReason() {
        let garbage = Self.refusal { _ = try GuestBootReader.read("#cloud-config\nwrite_files: [unclosed\n  - : :\n") }
        guard case .unreadable(let format, _) = garbage else {
            Issue.record("expected unreadable, got \(String(describing: garbage))")
            return
        }
        #expect(format == "cloud-config YAML")
        #expect(Self.refusal { _ = try GuestBootReader.read("just some words") } != nil)
        #expect(Self.refusal { _ = try GuestBootReader.read("{\"ignition\": {\"version\": \"2.2.0\"}}") } != nil)
        #expect(Self.refusal { _ = try GuestBootReader.read("{not json") } != nil)
    }

    @Test func aTaintWithoutAKeyIsRefusedNotATrap() {
        for text in ["=:NoSchedule", "=value:NoExecute", ":NoSchedule"] {
            #expect(Self.refusal { _ = try parseTaint(text, distribution: "k3s") } != nil, "\(text)")
        }
        #expect(Self.refusal { _ = try parseTaint("dedicated=gpu:NoSchedule", distribution: "k3s") } == nil)
    }

    @Test func aParseErrorDoesNotQuoteTheUserData() {
        let secret = "K10deadbeefsecrettoken::server:0123456789abcdef"
        let error = Self.refusal {
            _ = try GuestBootReader.read("#cloud-config\nwrite_files:\n- content: \"token: \(secret)\n  path: [\n")
        }
        guard case .unreadable(_, let reason) = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(!reason.contains("deadbeef"), "\(reason)")
        #expect(reason.contains("line"))
    }

    @Test func oversizedUserDataIsRefusedBeforeItIsParsed() {
        let text = "#cloud-config\n# " + String(repeating: "x", count: GuestBootReader.maximumBytes)
        #expect(
            Self.refusal { _ = try GuestBootReader.read(text) } == .tooLarge(bytes: text.utf8.count, limit: GuestBootReader.maximumBytes))
    }

    @Test func deepAndExpandingDocumentsAreBounded() {
        let deep = "#cloud-config\nx: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        guard case .unreadable = Self.refusal({ _ = try GuestBootReader.read(deep) }) else {
            Issue.record("a deep document must be refused")
            return
        }
        let blocks = "#cloud-config\nx:\n" + String(repeating: "- ", count: 3000) + "a\n"
        guard case .unreadable = Self.refusal({ _ = try GuestBootReader.read(blocks) }) else {
            Issue.record("deep block nesting must be refused")
            return
        }
        // A billion laughs: seven levels of ten aliases each.
        var laughs = "#cloud-config\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            let previous = "*a\(level - 1)"
            laughs += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let error = Self.refusal { _ = try GuestBootReader.read(laughs) }
        #expect(error?.description.contains("expands to more than") == true, "\(String(describing: error))")
    }

    @Test func kubeadmJoinWithoutCAPinningIsRefused() throws {
        let planned = try Self.plan(.vanilla)
        let hash = planned.secrets.certificateAuthority.publicKeyHash
        let text = try planned.text("demo-work-01").replacingOccurrences(
            of: "caCertHashes:\n            - \(hash)", with: "caCertHashes: []")
        #expect(text != (try planned.text("demo-work-01")), "the fixture must change the configuration")
        guard case .invalid(_, let reason) = Self.refusal({ _ = try GuestBootReader.read(text) }) else {
            Issue.record("expected kubeadm to refuse token discovery without a CA pin")
            return
        }
        #expect(reason.contains("without caCertHashes"))
    }

    @Test func anInstallerWithoutAVersionIsRefused() throws {
        let planned = try Self.plan(.k3s)
        let text = try planned.text("demo-work-01").replacingOccurrences(of: "INSTALL_K3S_VERSION='\(planned.version)' ", with: "")
        #expect(
            Self.refusal { _ = try GuestBootReader.read(text) }
                == .invalid(distribution: "k3s", reason: "the installer is not pinned to a version (INSTALL_K3S_VERSION)"))
    }

    // MARK: - Identity and ids

    @Test func theIdentityRoundTripsThroughJSON() throws {
        let identity = try Self.plan(.talos).identity()
        let json = try JSONValue(parsing: identity.json.serializedString())
        #expect(GuestClusterIdentity(json: json) == identity)
        #expect(GuestClusterIdentity(json: ["version": "x"]) == nil)
    }

    @Test func clusterIDsAreDNSLabelsPerNamespaceAndName() {
        let id = ProvisionedClusterID.make(namespace: "virtyard-clusters", cluster: "demo")
        #expect(id.hasPrefix("pc-") && id.hasSuffix("-demo") && id.count == 16)
        #expect(id == ProvisionedClusterID.make(namespace: "virtyard-clusters", cluster: "demo"))
        #expect(id != ProvisionedClusterID.make(namespace: "other", cluster: "demo"))
        let long = ProvisionedClusterID.make(namespace: "ns", cluster: String(repeating: "a", count: 62) + "-b")
        #expect(long.count <= 63 && !long.hasSuffix("-"))
        #expect(long.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
    }
}
