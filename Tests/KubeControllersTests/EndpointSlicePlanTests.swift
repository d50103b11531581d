import KubeModel
import Testing

@testable import KubeControllers

/// Which pods back a Service, on which ports, and how they are cut into slices: no I/O.
struct EndpointSlicePlanTests {
    static func pod(_ index: Int, ready: Bool = true, ports: JSONValue = [], deleting: Bool = false) -> JSONValue {
        var pod: JSONValue = [
            "metadata": [
                "name": .string("p\(index)"), "namespace": "default", "uid": .string("u\(index)"),
                "labels": ["app": "web"],
            ],
            "spec": ["nodeName": "n1", "containers": [["name": "c", "ports": ports]]],
            "status": [
                "phase": "Running", "podIP": .string("10.0.\(index / 250).\(index % 250 + 1)"),
                "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
            ],
        ]
        if deleting { pod[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
        return pod
    }

    static let service: JSONValue = [
        "metadata": ["name": "web", "namespace": "default"],
        "spec": ["selector": ["app": "web"], "ports": [["name": "h", "port": 80, "targetPort": "http"]]],
    ]

    @Test func aNamedTargetPortResolvesPerPodAndPodsWithoutItAreLeftOut() {
        let pods = [
            Self.pod(0, ports: [["name": "http", "containerPort": 8080]]),
            Self.pod(1, ports: [["name": "http", "containerPort": 9090]]),
            Self.pod(2),
        ]
        let plan = EndpointSlicePlan(ServiceBackends(service: Self.service, pods: pods), servicePorts: 1)
        #expect(plan.slices.map { $0.ports.map(\.port) } == [[8080], [9090]])
        #expect(plan.slices.map { $0.endpoints.map(\.podName) } == [["p0"], ["p1"]])
    }

    @Test func slicesHoldAtMostAHundredEndpoints() {
        var service = Self.service
        service[path: ["spec", "ports"]] = [["port": 80, "targetPort": 8080]]
        let backends = ServiceBackends(service: service, pods: (0..<250).map { Self.pod($0) })
        let plan = EndpointSlicePlan(backends, servicePorts: 1)
        #expect(plan.slices.map(\.endpoints.count) == [100, 100, 50])
    }

    @Test func terminatingPodsAreLeftOutUnlessNotReadyAddressesArePublished() {
        let pods = [Self.pod(0, deleting: true), Self.pod(1, ready: false)]
        var service = Self.service
        service[path: ["spec", "ports"]] = [["port": 80]]
        #expect(ServiceBackends(service: service, pods: pods).backends.map(\.podName) == ["p1"])
        service[path: ["spec", "publishNotReadyAddresses"]] = true
        let published = ServiceBackends(service: service, pods: pods).backends
        #expect(published.map(\.podName) == ["p0", "p1"])
        #expect(published.map(\.terminating) == [true, false])
        #expect(published.allSatisfy { $0.ready })
    }

    @Test func noBackendsKeepOneEmptySliceAndNoSelectorMeansNoBackends() {
        var service = Self.service
        #expect(EndpointSlicePlan(ServiceBackends(service: service, pods: []), servicePorts: 1).slices.count == 1)
        service[path: ["spec", "selector"]] = nil
        #expect(ServiceBackends(service: service, pods: [Self.pod(0)]).backends.isEmpty)
    }
}
