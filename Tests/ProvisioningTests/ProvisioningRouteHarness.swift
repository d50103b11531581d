import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Logging
import NIOCore
import PlatformHTTP
import Testing
import VirtyardTesting
import Yams

@testable import Provisioning

/// The provisioning routes behind the platform's authentication, over a real in-process API
/// server with the provisioning CRDs (and stand-ins for KubeVirt's VirtualMachine and VMI).
/// No controller runs: the tests play its part where they need one (an operation finished,
/// a VMI running, a finalizer removed).
struct ProvisioningRouteHarness {
    static let adminToken = "admin-token-0123456789"
    static let namespace = ProvisioningObjects.defaultNamespace

    let api: HTTPKubernetesClient
    let service: ProvisioningService

    /// - Parameters:
    ///   - serviceAPI: what the service talks to, given the real API (the tests' own `api`
    ///     stays the real one): an ``InterleavingKubernetesAPI`` to play a concurrent writer.
    static func run(
        safeMode: Bool = true, access: (any ProvisionedClusterAccess)? = nil, auditEntries: Int = 10_000,
        maximumFinishedOperations: Int = ProvisioningService.Configuration.defaultMaximumFinishedOperations,
        serviceAPI: @Sendable (HTTPKubernetesClient) -> any KubernetesAPI = { $0 },
        _ body: @Sendable (ProvisioningRouteHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            for crd in try crds() { _ = try await api.create(customResourceDefinitions, object: crd) }
            var configuration = ProvisioningService.Configuration(safeMode: safeMode, access: access)
            configuration.auditEntries = auditEntries
            configuration.maximumFinishedOperations = maximumFinishedOperations
            var quiet = Logger(label: "test.provisioning")
            quiet.logLevel = .critical
            let service = ProvisioningService(configuration: configuration, logger: quiet)
            service.attach(api: serviceAPI(api))
            let harness = ProvisioningRouteHarness(api: api, service: service)
            try await application(service).test(.router) { client in try await body(harness, client) }
        }
    }

    static func application(_ service: ProvisioningService) -> some ApplicationProtocol {
        let router = Router(context: PlatformRequestContext.self)
        router.add(middleware: AuthenticationMiddleware(adminToken: adminToken, sessions: nil))
        ProvisioningRoutes(service: service).register(on: router)
        return Application(router: router)
    }

    static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", kind: "CustomResourceDefinition",
        namespaced: false)

    /// The provisioning CRDs as shipped, and minimal VirtualMachine / VMI definitions.
    static func crds() throws -> [JSONValue] {
        var definitions: [JSONValue] = []
        for file in ProvisioningCRDs.files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                guard let object = document as? [String: Any] else { continue }
                definitions.append(try JSONValue(parsing: Array(try JSONSerialization.data(withJSONObject: object))))
            }
        }
        for (plural, kind) in [("virtualmachines", "VirtualMachine"), ("virtualmachineinstances", "VirtualMachineInstance")] {
            definitions.append([
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string("\(plural).kubevirt.io")],
                "spec": [
                    "group": "kubevirt.io", "scope": "Namespaced",
                    "names": ["plural": .string(plural), "kind": .string(kind), "singular": .string(kind.lowercased())],
                    "versions": [
                        [
                            "name": "v1", "served": true, "storage": true,
                            "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                        ]
                    ],
                ],
            ])
        }
        return definitions
    }

    // MARK: - Requests

    static var admin: HTTPFields { [.authorization: "Bearer \(adminToken)", .contentType: "application/json"] }

    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil,
        body: String? = nil, headers: HTTPFields = admin
    ) async throws -> TestResponse {
        let text = json.map { $0.serializedString() } ?? body
        return try await client.execute(uri: uri, method: method, headers: headers, body: text.map { ByteBuffer(string: $0) })
    }

    static func json(_ response: TestResponse) -> JSONValue? {
        try? JSONValue(parsing: Array(response.body.readableBytesView))
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// A valid K3s specification: 1 control plane, `workers` workers.
    static func spec(_ name: String, workers: Int = 2, dryRun: Bool = false) -> JSONValue {
        var spec: JSONValue = [
            "name": .string(name), "type": "K3S", "version": "v1.32.0+k3s1",
            "nodeGroups": [
                [
                    "name": "cp", "role": "CONTROL_PLANE", "count": 1,
                    "template": [
                        "cores": 2, "memoryMB": 2048, "imageSource": ["containerDisk": ["image": "quay.io/containerdisks/ubuntu:24.04"]],
                    ],
                ],
                [
                    "name": "work", "role": "WORKER", "count": .int(Int64(workers)),
                    "template": [
                        "cores": 2, "memoryMB": 2048, "imageSource": ["containerDisk": ["image": "quay.io/containerdisks/ubuntu:24.04"]],
                    ],
                ],
            ],
        ]
        if dryRun { spec["options"] = ["dryRun": true] }
        return spec
    }

    /// Provisions `name` and answers its operation id.
    func provision(_ client: any TestClientProtocol, _ name: String, workers: Int = 2) async throws -> String {
        let response = try await Self.send(client, .post, "/api/v1/clusters/provision", json: Self.spec(name, workers: workers))
        #expect(response.status == .accepted, "\(Self.text(response))")
        return try #require(Self.json(response)?["operationId"]?.stringValue)
    }

    /// Plays the controller: the operation reaches `status`.
    func finish(_ id: String, _ status: ClusterPhase = .completed) async throws {
        var operation = try await api.get(.clusterOperations, namespace: Self.namespace, name: id)
        operation[path: ["status", "status"]] = .string(status.rawValue)
        operation[path: ["status", "progressPercentage"]] = 100
        _ = try await api.updateStatus(.clusterOperations, namespace: Self.namespace, object: operation)
    }

    /// Plays a request that stopped halfway, or the controller: a ClusterOperation of `type`
    /// for `cluster`, started at `started`, in `state`.
    @discardableResult
    func operation(
        _ id: String, cluster: String, type: ClusterOperationType = .provision, state: ClusterPhase, started: Date
    ) async throws -> JSONValue {
        try await ensureNamespace(Self.namespace)
        let created = try await api.create(
            .clusterOperations, namespace: Self.namespace,
            object: [
                "apiVersion": .string(ResourceType.clusterOperations.apiVersion), "kind": "ClusterOperation",
                "metadata": ["name": .string(id), "namespace": .string(Self.namespace)],
                "spec": [
                    "operationId": .string(id), "clusterName": .string(cluster), "type": .string(type.rawValue),
                    "requestedBy": "admin",
                ],
            ])
        var withStatus = created
        withStatus["status"] = [
            "operationId": .string(id), "clusterName": .string(cluster), "status": .string(state.rawValue),
            "progressPercentage": 0, "startTime": .string(Timestamp.string(started)),
        ]
        return try await api.updateStatus(.clusterOperations, namespace: Self.namespace, object: withStatus)
    }

    func operations() async throws -> [JSONValue] {
        try await api.list(.clusterOperations, namespace: Self.namespace).items
    }

    func definitions() async throws -> [JSONValue] {
        try await api.list(.clusterDefinitions, namespace: Self.namespace).items
    }

    /// A VirtualMachine with `labels`, and its VMI in `phase` when given.
    func virtualMachine(_ name: String, namespace: String = Self.namespace, labels: [String: String], vmiPhase: String? = nil)
        async throws
    {
        var vm: JSONValue = [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": ["runStrategy": "Always"],
        ]
        vm.labels = labels
        _ = try await api.create(.virtualMachines, namespace: namespace, object: vm)
        if let vmiPhase {
            let vmi: JSONValue = [
                "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                "metadata": ["name": .string(name), "namespace": .string(namespace)], "status": ["phase": .string(vmiPhase)],
            ]
            _ = try await api.create(.virtualMachineInstances, namespace: namespace, object: vmi)
        }
    }

    func ensureNamespace(_ name: String) async throws {
        try await ProvisioningNamespace.ensure(name, api: api)
    }

    /// The audit log as the REST API shows it.
    static func audit(_ client: any TestClientProtocol, query: String = "") async throws -> [JSONValue] {
        let response = try await send(client, .get, "/api/v1/safety/audit\(query)")
        #expect(response.status == .ok, "\(text(response))")
        return json(response)?["entries"]?.arrayValue ?? []
    }

    /// Checks moxxie's error shape and answers its `error` code.
    static func moxxieError(_ response: TestResponse, _ status: HTTPResponse.Status) -> String? {
        guard let body = json(response), let object = body.objectValue else { return nil }
        #expect(response.status == status, "\(body.serializedString())")
        #expect(object["status"]?.intValue == Int64(status.code))
        #expect(object["message"]?.stringValue?.isEmpty == false)
        #expect(object["timestamp"]?.stringValue.flatMap(Timestamp.date) != nil)
        return object["error"]?.stringValue
    }
}

/// A provisioned cluster's API as the tests decide it answers.
struct StubClusterAccess: ProvisionedClusterAccess {
    var registered: [ProvisionedNode]?
    var failures: [String: String] = [:]
    var kubeconfigText: String?

    func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]? { registered }
    func bootFailures(namespace: String, cluster: String) async -> [String: String] { failures }
    func drainNode(namespace: String, cluster: String, node: String) async throws -> [String] { [] }
    func removeNode(namespace: String, cluster: String, node: String) async throws {}
    func removeCluster(namespace: String, cluster: String) async {}
    func kubeconfig(namespace: String, cluster: String) async -> String? { kubeconfigText }
}
