import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// A LOAD_BALANCER with `configuration.implementation: haproxy`: its objects, its rendered
/// configuration (through the real validators), the validation of the choice, and the
/// controller waiting for its VM before anything that depends on it.
@Suite struct HAProxyLoadBalancerTests {
    typealias Harness = ClusterControllerHarness

    static func objects(_ type: ClusterType, configuration: JSONValue = ["implementation": "haproxy"]) throws -> ClusterServiceObjects {
        var spec = Fixtures.spec(type)
        spec.services = [ServiceSpec(name: "lb", type: .loadBalancer, configuration: configuration)]
        return ClusterServiceObjects(cluster: try ClusterSpecValidation.validate(spec), namespace: "lab", owner: nil)
    }

    @Test func haproxyIsAVMWithItsSecretAndServicesAllLabelled() throws {
        let services = try Self.objects(.k3s)
        let made = services.objects(for: services.cluster.services[0], apiAddress: nil)
        #expect(made.map(\.0) == [.provisioningServices, .secrets, .virtualMachines, .provisioningServices])
        #expect(made.map { $0.1.name ?? "" } == ["demo-lb-backends", "demo-lb-userdata", "demo-lb", "demo-lb"])
        for (_, object) in made {
            #expect(object.labels[ProvisioningLabels.cluster] == "demo")
            #expect(object.labels[ProvisioningLabels.service] == "lb")
            #expect(object.labels[ProvisioningLabels.managedBy] == "provisioning")
        }
        let backends = made[0].1
        #expect(backends[path: ["spec", "clusterIP"]] == "None")
        #expect(backends[path: ["spec", "selector", "virtyard.io/role"]] == "control-plane")
        let vm = made[2].1
        let volumes = vm[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? []
        #expect(volumes.contains { $0[path: ["cloudInitNoCloud", "secretRef", "name"]] == "demo-lb-userdata" })
        // The front Service selects the HAProxy VM's launcher pod, not the control planes.
        let front = made[3].1
        #expect(front[path: ["spec", "type"]] == "LoadBalancer")
        #expect(front[path: ["spec", "selector", "virtyard.io/service"]] == "lb")
        #expect(front[path: ["spec", "selector", "virtyard.io/role"]] == nil)

        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [vm]]
        let validated = try SharedTools.validateObjects(list.serializedString())
        #expect(validated.status == 0, "\(validated.output)")
    }

    @Test func theConfigurationForwardsEachAPIPortWithHealthChecks() throws {
        let rke2 = try Self.objects(.rke2)
        let configuration = rke2.haproxyConfiguration(rke2.cluster.services[0], backends: "demo-lb-backends")
        #expect(configuration.contains("bind *:6443") && configuration.contains("bind *:9345"))
        #expect(!configuration.contains("22623"))
        #expect(configuration.contains("mode tcp"))
        #expect(configuration.contains("http-check send meth GET uri /healthz"))
        #expect(configuration.contains("server-template cp 3 demo-lb-backends.lab.svc.cluster.local:6443 check check-ssl verify none"))
        #expect(configuration.contains("demo-lb-backends.lab.svc.cluster.local:9345 check resolvers cluster"))

        let okd = try Self.objects(.okd)
        #expect(okd.haproxyConfiguration(okd.cluster.services[0], backends: "b").contains("bind *:22623"))

        let userData = rke2.haproxyUserData(rke2.cluster.services[0], hostname: "demo-lb")
        #expect(userData.contains("path: \(ClusterServiceObjects.haproxyConfigurationPath)"))
        let outcome = try SharedTools.checkBootConfig(userData, kind: "cloud-config")
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func theDefaultIsAServiceAndAnUnknownImplementationIsAViolation() throws {
        let plain = try Self.objects(.k3s, configuration: [:])
        let made = plain.objects(for: plain.cluster.services[0], apiAddress: nil)
        #expect(made.map(\.0) == [.provisioningServices])
        #expect(made[0].1[path: ["spec", "type"]] == "LoadBalancer")

        var spec = Fixtures.spec(.k3s)
        spec.services = [
            ServiceSpec(name: "lb", type: .loadBalancer, configuration: ["implementation": "nginx"]),
            ServiceSpec(name: "lb2", type: .loadBalancer, configuration: ["implementation": 7]),
            ServiceSpec(name: "dns", type: .dns, configuration: ["implementation": "haproxy"]),
        ]
        let found = ClusterSpecValidation.violations(of: spec)
        #expect(
            found.contains {
                $0.field == "services[0].configuration.implementation" && $0.message.contains("'nginx'")
                    && $0.message.contains("service, haproxy")
            })
        #expect(found.contains { $0.field == "services[1].configuration.implementation" })
        #expect(found.contains { $0.field == "services[2].configuration.implementation" && $0.message.contains("LOAD_BALANCER") })
    }

    @Test func theControllerWaitsForTheHAProxyVMAndDecommissionRemovesIt() async throws {
        try await Harness.run { harness in
            var spec = Fixtures.spec(.k3s)
            spec.nodeGroups = [Fixtures.group("cp", .controlPlane), Fixtures.group("work", .worker)]
            spec.services = [ServiceSpec(name: "lb", type: .loadBalancer, configuration: ["implementation": "haproxy"])]
            try await harness.createCluster(spec)
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-lb"])
            #expect(try await harness.get(.secrets, "demo-lb-userdata") != nil)
            #expect(try await harness.cluster("demo").phase == .configuringNetwork)

            try await harness.markReady("demo-lb")
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-lb", "demo-work-01"])
            #expect(try await harness.get(.provisioningServices, "demo-lb")?[path: ["spec", "type"]] == "LoadBalancer")
            #expect(try await harness.get(.provisioningServices, "demo-lb-backends") != nil)

            try await harness.api.delete(.clusterDefinitions, namespace: Harness.namespace, name: "demo")
            let gone = try await harness.reconcile("demo", passes: 6) { try await harness.vmNames("demo").isEmpty }
            #expect(gone)
            #expect(try await harness.get(.secrets, "demo-lb-userdata") == nil)
            #expect(try await harness.get(.provisioningServices, "demo-lb") == nil)
            #expect(try await harness.get(.provisioningServices, "demo-lb-backends") == nil)
        }
    }
}
