import ControllerKit
import KubeClient
import KubeModel
import Logging
import Testing
import VirtyardTesting

@testable import KubeControllers

/// Services get Endpoints and EndpointSlices from the pods they select, against the real
/// embedded API server; the test plays kubelet by writing each pod's IP and readiness.
@Suite(.timeLimit(.minutes(3)))
struct EndpointsControllerTests {
    let endpoints = ServiceResources.endpoints
    let slices = ServiceResources.endpointSlices

    @Test func readyAndNotReadyPodsLandInEndpointsAndOneSlice() async throws {
        try await ServiceHarness.run { harness in
            try await harness.pod("web-a", ip: "10.1.0.1", ready: true)
            try await harness.pod("web-b", ip: "10.1.0.2", ready: false)
            try await harness.pod("other", ip: "10.1.0.3", ready: true, app: "other")
            _ = try await harness.api.create(
                ServiceResources.services, namespace: "default",
                object: .service("web", targetPort: "http"))
            #expect(
                try await harness.eventually {
                    let subsets = try await harness.endpoints("web")?["subsets"]?.arrayValue ?? []
                    return subsets.first?["notReadyAddresses"]?.arrayValue?.count == 1
                })
            let object = try #require(try await harness.endpoints("web"))
            #expect(object.labels[EndpointsObject.managedByLabel] == EndpointsObject.managedBy)
            let subset = try #require(object["subsets"]?.arrayValue?.first)
            #expect(subset["addresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.1.0.1"])
            #expect(subset["addresses"]?.arrayValue?.first?[path: ["targetRef", "name"]]?.stringValue == "web-a")
            #expect(subset["addresses"]?.arrayValue?.first?["nodeName"]?.stringValue == "node-1")
            #expect(subset["notReadyAddresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.1.0.2"])
            // The named target port resolves to the pod's container port.
            #expect(subset["ports"]?.arrayValue?.first?["port"]?.intValue == 8080)

            let found = try await harness.slices("web")
            #expect(found.count == 1)
            let slice = try #require(found.first)
            #expect(slice.name?.hasPrefix("web-") == true)
            #expect(slice["addressType"]?.stringValue == "IPv4")
            #expect(slice.labels[EndpointSliceObject.managedByLabel] == EndpointSliceObject.managedBy)
            let service = try await harness.api.get(ServiceResources.services, namespace: "default", name: "web")
            #expect(slice.isControlled(by: service))
            let byName = Dictionary(
                uniqueKeysWithValues: (slice["endpoints"]?.arrayValue ?? []).compactMap { endpoint in
                    endpoint[path: ["targetRef", "name"]]?.stringValue.map { ($0, endpoint) }
                })
            #expect(Set(byName.keys) == ["web-a", "web-b"])
            #expect(byName["web-a"]?[path: ["conditions", "ready"]]?.boolValue == true)
            #expect(byName["web-b"]?[path: ["conditions", "ready"]]?.boolValue == false)
            #expect(byName["web-b"]?[path: ["conditions", "terminating"]]?.boolValue == false)
            #expect(slice["ports"]?.arrayValue?.first?["port"]?.intValue == 8080)
        }
    }

    @Test func podChangesFollowAndDeletingTheServiceRemovesBoth() async throws {
        try await ServiceHarness.run { harness in
            try await harness.pod("web-a", ip: "10.1.0.1", ready: true)
            _ = try await harness.api.create(
                ServiceResources.services, namespace: "default", object: .service("web", targetPort: .int(9000)))
            #expect(try await harness.eventually { try await harness.readyIPs("web") == ["10.1.0.1"] })
            try await harness.pod("web-b", ip: "10.1.0.2", ready: true)
            #expect(try await harness.eventually { try await harness.readyIPs("web") == ["10.1.0.1", "10.1.0.2"] })
            _ = try await harness.api.delete(.pods, namespace: "default", name: "web-a")
            #expect(try await harness.eventually { try await harness.readyIPs("web") == ["10.1.0.2"] })
            #expect(
                try await harness.eventually {
                    let names = try await harness.slices("web").flatMap { $0["endpoints"]?.arrayValue ?? [] }
                        .compactMap { $0[path: ["targetRef", "name"]]?.stringValue }
                    return names == ["web-b"]
                })

            _ = try await harness.api.delete(ServiceResources.services, namespace: "default", name: "web")
            #expect(
                try await harness.eventually {
                    let endpointsGone = try await harness.endpoints("web") == nil
                    let slicesGone = try await harness.slices("web").isEmpty
                    return endpointsGone && slicesGone
                })
        }
    }

    @Test func aServiceWithoutSelectorKeepsTheUsersEndpoints() async throws {
        try await ServiceHarness.run { harness in
            var service = JSONValue.service("external", targetPort: .int(80))
            service[path: ["spec", "selector"]] = nil
            _ = try await harness.api.create(ServiceResources.services, namespace: "default", object: service)
            let mine: JSONValue = [
                "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "external", "namespace": "default"],
                "subsets": [["addresses": [["ip": "192.0.2.10"]], "ports": [["port": 80]]]],
            ]
            _ = try await harness.api.create(endpoints, namespace: "default", object: mine)
            // A selecting Service created after it proves the controllers ran meanwhile.
            _ = try await harness.api.create(
                ServiceResources.services, namespace: "default", object: .service("probe", targetPort: .int(80)))
            #expect(try await harness.eventually { try await !harness.slices("probe").isEmpty })
            let stored = try #require(try await harness.endpoints("external"))
            #expect(stored["subsets"]?.arrayValue?.first?["addresses"]?.arrayValue?.first?["ip"]?.stringValue == "192.0.2.10")
            #expect(stored.labels[EndpointsObject.managedByLabel] == nil)
            #expect(try await harness.slices("external").isEmpty)
        }
    }
}

/// The Service controllers against a real embedded API server, for one test.
struct ServiceHarness {
    let api: HTTPKubernetesClient

    static func run(_ body: (ServiceHarness) async throws -> Void) async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            var quiet = Logger(label: "test.services")
            quiet.logLevel = .critical
            let informers = SharedInformerFactory(api: api, logger: quiet)
            let services = ServiceControllers.services(api: api, informers: informers, logger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informers.run() }
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                try await body(ServiceHarness(api: api))
            }
        }
    }

    /// A running pod on `node-1` with a container port `http` (8080), its IP and readiness
    /// written as a kubelet would.
    func pod(_ name: String, ip: String, ready: Bool, app: String = "web") async throws {
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(app)]],
            "spec": [
                "nodeName": "node-1",
                "containers": [["name": "main", "image": "nginx", "ports": [["name": "http", "containerPort": 8080]]]],
            ],
        ]
        _ = try await api.create(.pods, namespace: "default", object: pod)
        let status: JSONValue = [
            "phase": "Running", "podIP": .string(ip), "podIPs": [["ip": .string(ip)]],
            "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
        ]
        _ = try await api.patch(
            .pods, namespace: "default", name: name, patch: ["status": status], type: .merge,
            subresource: "status", options: .default)
    }

    func endpoints(_ name: String) async throws -> JSONValue? {
        try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(ServiceResources.endpoints, namespace: "default", name: name)
        }
    }

    func readyIPs(_ name: String) async throws -> [String] {
        let subsets = try await endpoints(name)?["subsets"]?.arrayValue ?? []
        return subsets.flatMap { $0["addresses"]?.arrayValue ?? [] }.compactMap { $0["ip"]?.stringValue }.sorted()
    }

    func slices(_ service: String) async throws -> [JSONValue] {
        try await api.list(
            ServiceResources.endpointSlices, namespace: "default",
            options: ListOptions(labelSelector: "kubernetes.io/service-name=\(service)")
        ).items
    }

    /// Polls `condition` until it holds or a generous limit passes; the caller `#expect`s it.
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

extension JSONValue {
    static func service(_ name: String, targetPort: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "selector": ["app": .string(name)],
                "ports": [["port": 80, "protocol": "TCP", "targetPort": targetPort]],
            ],
        ]
    }
}
