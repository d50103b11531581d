import Foundation
import KubeModel
import Testing

@testable import Provisioning

@Suite struct ProvisioningPlanTests {
    static func plan(_ spec: ClusterSpec, owner: PlanOwner? = nil) throws -> ProvisioningPlan {
        let cluster = try ClusterSpecValidation.validate(spec)
        var random = SeededRandom(seed: 3)
        let secrets = try ClusterSecrets.generate(clusterName: cluster.name, type: cluster.type, now: Fixtures.now, random: &random)
        return try ProvisioningPlanner.plan(cluster, namespace: "lab", secrets: secrets, owner: owner, now: Fixtures.now, random: &random)
    }

    @Test(arguments: ClusterType.known)
    func planPassesTheRealSchemas(type: ClusterType) throws {
        let plan = try Self.plan(Fixtures.spec(type))
        let outcome = try SharedTools.validateObjects(plan.list.serializedString())
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func validatorCatchesAnUnknownField() throws {
        // validate-objects must be able to fail: a field KubeVirt does not define.
        var plan = try Self.plan(Fixtures.spec(.generic))
        plan.nodes[0].virtualMachine[path: ["spec", "template", "spec", "userData"]] = "inline"
        #expect(try SharedTools.validateObjects(plan.list.serializedString()).status == 1)
    }

    @Test func namesLabelsAndSecretReferences() throws {
        let plan = try Self.plan(Fixtures.spec(.k3s))
        #expect(plan.endpoint == "demo-api.lab.svc")
        #expect(
            plan.clusterSecrets.map { $0[path: ["metadata", "name"]]?.stringValue } == ["demo-ca", "demo-bootstrap", "demo-kubeconfig"])
        #expect(plan.nodes.map(\.name) == ["demo-cp-01", "demo-cp-02", "demo-cp-03", "demo-work-01", "demo-work-02", "demo-infra-01"])
        for node in plan.nodes {
            let vm = node.virtualMachine
            #expect(vm["kind"] == "VirtualMachine")
            #expect(vm[path: ["metadata", "name"]]?.stringValue == node.name)
            #expect(vm[path: ["metadata", "namespace"]] == "lab")
            let labels = try #require(vm[path: ["metadata", "labels"]])
            #expect(labels["virtyard.io/cluster"] == "demo")
            #expect(labels["virtyard.io/node-group"] == .string(node.group))
            #expect(labels["virtyard.io/role"] == .string(node.role.labelValue))
            #expect(labels["virtyard.io/managed-by"] == "provisioning")
            #expect(vm[path: ["spec", "template", "metadata", "labels"]] == labels)
            #expect(vm[path: ["spec", "runStrategy"]] == "Always")
            let volumes = try #require(vm[path: ["spec", "template", "spec", "volumes"]]?.arrayValue)
            let userData = try #require(volumes.first { $0["name"] == "userdata" })
            #expect(userData[path: ["cloudInitNoCloud", "secretRef", "name"]]?.stringValue == "\(node.name)-userdata")
            // Never inline: KubeVirt refuses inline user data over 2 KiB.
            #expect(!vm.serializedString().contains("\"userData\""))
            #expect(!vm.serializedString().contains("\"userDataBase64\""))
            #expect(vm[path: ["spec", "template", "spec", "domain", "cpu", "cores"]] == 2)
            #expect(vm[path: ["spec", "template", "spec", "domain", "memory", "guest"]] == "2048Mi")

            let secret = node.userDataSecret
            #expect(secret[path: ["metadata", "name"]]?.stringValue == "\(node.name)-userdata")
            let encoded = try #require(secret[path: ["data", "userdata"]]?.stringValue)
            #expect(decodedBase64(encoded) == node.bootConfiguration.text)
        }
        // Each node's Secret comes before its VM.
        let kinds = plan.objects.map { $0["kind"]?.stringValue ?? "" }
        #expect(kinds.prefix(5) == ["Secret", "Secret", "Secret", "Secret", "VirtualMachine"])
    }

    @Test func clusterSecretsHoldTheContractKeys() throws {
        let plan = try Self.plan(Fixtures.spec(.vanilla))
        let ca = plan.clusterSecrets[0]
        #expect(ca["type"] == "kubernetes.io/tls")
        #expect(decodedBase64(ca[path: ["data", "tls.crt"]]?.stringValue)?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        #expect(decodedBase64(ca[path: ["data", "tls.key"]]?.stringValue)?.hasPrefix("-----BEGIN EC PRIVATE KEY-----") == true)
        let token = try #require(decodedBase64(plan.clusterSecrets[1][path: ["data", "token"]]?.stringValue))
        #expect(ClusterSecrets.isBootstrapToken(token))
        #expect(decodedBase64(plan.clusterSecrets[2][path: ["data", "value"]]?.stringValue) == plan.kubeconfig)
        // The token in the Secret is the one every node's configuration uses.
        #expect(plan.nodes.allSatisfy { $0.bootConfiguration.text.contains(token) })
    }

    @Test func ignitionGoesThroughTheConfigDrive() throws {
        let plan = try Self.plan(Fixtures.spec(.okd))
        for node in plan.nodes {
            let volumes = node.virtualMachine[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? []
            let userData = try #require(volumes.first { $0["name"] == "userdata" })
            let source = node.role == .bastion ? "cloudInitNoCloud" : "cloudInitConfigDrive"
            #expect(userData[path: [source, "secretRef", "name"]]?.stringValue == "\(node.name)-userdata", "\(node.name)")
        }
    }

    @Test func diskSourcesAreClonedPerNode() throws {
        var spec = Fixtures.spec(.generic)
        spec.nodeGroups = [
            Fixtures.group("dv", .worker, image: ImageSource(dataVolume: .init(name: "golden"))),
            Fixtures.group("img", .worker, image: ImageSource(vmDiskImage: .init(name: "ubuntu-2404", namespace: "images"))),
        ]
        let plan = try Self.plan(spec)
        let outcome = try SharedTools.validateObjects(plan.list.serializedString())
        #expect(outcome.status == 0, "\(outcome.output)")
        let dataVolume = try #require(plan.nodes[0].virtualMachine[path: ["spec", "dataVolumeTemplates"]]?.arrayValue?.first)
        #expect(dataVolume[path: ["metadata", "name"]] == "demo-dv-01-rootdisk")
        #expect(dataVolume[path: ["spec", "source", "pvc"]] == ["name": "golden", "namespace": "lab"])
        #expect(dataVolume[path: ["spec", "storage", "resources", "requests", "storage"]] == "20Gi")
        let volumes = plan.nodes[0].virtualMachine[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? []
        #expect(volumes.contains { $0[path: ["dataVolume", "name"]] == "demo-dv-01-rootdisk" })
        let image = try #require(plan.nodes[1].virtualMachine[path: ["spec", "dataVolumeTemplates"]]?.arrayValue?.first)
        #expect(image[path: ["spec", "source", "snapshot"]] == ["name": "ubuntu-2404", "namespace": "images"])
    }

    @Test(arguments: [
        (AntiAffinity.none, nil),
        (.soft, "preferredDuringSchedulingIgnoredDuringExecution"),
        (.hard, "requiredDuringSchedulingIgnoredDuringExecution"),
        (.zoneAware, "preferredDuringSchedulingIgnoredDuringExecution"),
    ])
    func placementBecomesPodAntiAffinity(strategy: AntiAffinity, key: String?) throws {
        var spec = Fixtures.spec(.generic)
        spec.nodeGroups = [Fixtures.group("vm", .worker, count: 3, antiAffinity: strategy)]
        let plan = try Self.plan(spec)
        let affinity = plan.nodes[0].virtualMachine[path: ["spec", "template", "spec", "affinity", "podAntiAffinity"]]
        guard let key else {
            #expect(affinity == nil)
            return
        }
        let terms = try #require(affinity?[key]?.arrayValue)
        let text = JSONValue.array(terms).serializedString()
        #expect(text.contains(#""virtyard.io/node-group":"vm""#))
        #expect(text.contains(strategy == .zoneAware ? "topology.kubernetes.io/zone" : "kubernetes.io/hostname"))
        #expect(try SharedTools.validateObjects(plan.list.serializedString()).status == 0)
    }

    @Test func ownerReferenceWhenGiven() throws {
        let owner = PlanOwner(name: "demo", uid: "6f1c0d1e-0000-4000-8000-000000000001")
        let plan = try Self.plan(Fixtures.spec(.generic), owner: owner)
        for object in plan.objects {
            let reference = object[path: ["metadata", "ownerReferences"]]?.arrayValue?.first
            #expect(reference?["kind"] == "ClusterDefinition")
            #expect(reference?["uid"] == .string(owner.uid))
            #expect(reference?["controller"] == true)
        }
        let unowned = try Self.plan(Fixtures.spec(.generic))
        #expect(unowned.objects.allSatisfy { $0[path: ["metadata", "ownerReferences"]] == nil })
    }
}
