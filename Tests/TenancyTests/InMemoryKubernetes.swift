import Foundation
import KubeClient
import KubeModel
import Synchronization

@testable import Tenancy

/// A Kubernetes API held in memory for the catalog and vApp routes' tests: get, list (label
/// selectors), create, merge patch, delete; plus stand-ins for what the Templates module's
/// controller and KubeVirt do (``processInstances()``, ``settleVMs()``).
final class InMemoryKubernetes: KubernetesAPI, VAppBackend {
    private struct Key: Hashable {
        var resource: String
        var namespace: String
        var name: String
    }

    private let objects = Mutex<[Key: JSONValue]>([:])
    private let revision = Mutex(0)
    /// Objects handed out by lists, by resource name: what a listing cost.
    let listedObjects = Mutex<[String: Int]>([:])
    /// The next create of this resource fails with this error (hostile cluster answers).
    let failNextCreate = Mutex<(resource: String, error: KubeClientError)?>(nil)

    func vAppAPI() async throws(VCDError) -> any KubernetesAPI { self }

    private static func key(_ resource: ResourceType, _ namespace: String?, _ name: String) -> Key {
        Key(resource: resource.description, namespace: resource.namespaced ? namespace ?? "" : "", name: name)
    }

    static func notFound(_ resource: ResourceType, _ name: String) -> KubeClientError {
        KubeClientError(code: 404, reason: "NotFound", message: "\(resource.resource) \"\(name)\" not found", request: "test")
    }

    func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError)
        -> JSONValue
    {
        guard let object = objects.withLock({ $0[Self.key(resource, namespace, name)] }) else {
            throw Self.notFound(resource, name)
        }
        return object
    }

    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        let selector: LabelSelector
        do {
            selector = try LabelSelector(parsing: options.labelSelector ?? "")
        } catch {
            throw KubeClientError(code: 400, reason: "BadRequest", message: "bad selector", request: "test")
        }
        let items = objects.withLock { objects in
            objects.filter { key, object in
                key.resource == resource.description && (namespace == nil || key.namespace == namespace)
                    && selector.matches(VAppStore.labels(object))
            }.sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }.map(\.value)
        }
        listedObjects.withLock { $0[resource.resource, default: 0] += items.count }
        return ObjectList(items: items, resourceVersion: ResourceVersion(String(revision.withLock { $0 })))
    }

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        if let failure = failNextCreate.withLock({ pending -> KubeClientError? in
            guard let current = pending, current.resource == resource.resource else { return nil }
            pending = nil
            return current.error
        }) {
            throw failure
        }
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let key = Self.key(resource, namespace, name)
        guard case .object(var fields) = object, case .object(var metadata)? = object["metadata"] else {
            throw KubeClientError(code: 400, reason: "BadRequest", message: "not an object", request: "test")
        }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = "2026-01-01T00:00:00Z"
        if resource.namespaced { metadata["namespace"] = .string(namespace ?? "") }
        fields["metadata"] = .object(metadata)
        let stored = JSONValue.object(fields)
        let created = objects.withLock { objects -> Bool in
            guard objects[key] == nil else { return false }
            objects[key] = stored
            return true
        }
        guard created else {
            throw KubeClientError(code: 409, reason: "AlreadyExists", message: "\(name) already exists", request: "test")
        }
        return stored
    }

    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        throw KubeClientError(code: 405, reason: "MethodNotAllowed", message: "not in this fake", request: "test")
    }

    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        let key = Self.key(resource, namespace, object["metadata"]?["name"]?.stringValue ?? "")
        guard objects.withLock({ $0[key] }) != nil else { throw Self.notFound(resource, key.name) }
        objects.withLock { $0[key] = object }
        return object
    }

    func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        let key = Self.key(resource, namespace, name)
        let patched = objects.withLock { objects -> JSONValue? in
            guard let current = objects[key] else { return nil }
            let next = MergePatch.apply(patch, to: current)
            objects[key] = next
            return next
        }
        guard let patched else { throw Self.notFound(resource, name) }
        return patched
    }

    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        guard let removed = objects.withLock({ $0.removeValue(forKey: Self.key(resource, namespace, name)) }) else {
            throw Self.notFound(resource, name)
        }
        return removed
    }

    func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError)
        -> AsyncThrowingStream<WatchEventObject, any Error>
    {
        throw KubeClientError(code: 405, reason: "MethodNotAllowed", message: "not in this fake", request: "test")
    }

    // MARK: Test setup and stand-ins

    /// Stores an object as given (a Template, a namespace).
    @discardableResult
    func put(_ resource: ResourceType, _ object: JSONValue) async throws -> JSONValue {
        try await create(resource, namespace: object["metadata"]?["namespace"]?.stringValue, object: object, options: .default)
    }

    func all(_ resource: ResourceType, namespace: String? = nil) async throws -> [JSONValue] {
        try await list(resource, namespace: namespace, options: ListOptions()).items
    }

    /// What the Templates module's controller does, in short: each unprocessed TemplateInstance
    /// makes its VirtualMachines (NAME from the params Secret, the template's labels) and
    /// becomes Ready; `fail` makes the named ones fail instead.
    func processInstances(fail: [String: String] = [:]) async throws {
        for instance in try await all(.openShiftTemplateInstances) {
            guard instance["status"] == nil, let name = instance["metadata"]?["name"]?.stringValue,
                let namespace = instance["metadata"]?["namespace"]?.stringValue
            else { continue }
            if let message = fail[name] {
                _ = try await patch(
                    .openShiftTemplateInstances, namespace: namespace, name: name,
                    patch: ["status": ["conditions": [["type": "InstantiateFailure", "status": "True", "message": .string(message)]]]])
                continue
            }
            let template = instance["spec"]?["template"]
            let secret = try await get(.secrets, namespace: namespace, name: "\(name)-params")
            let vmName = secret["stringData"]?["NAME"]?.stringValue ?? "\(name)-vm"
            for object in template?["objects"]?.arrayValue ?? [] where object["kind"]?.stringValue == "VirtualMachine" {
                var vm = MergePatch.apply(["metadata": ["name": .string(vmName), "labels": template?["labels"] ?? [:]]], to: object)
                vm = MergePatch.apply(["status": ["printableStatus": "Provisioning"]], to: vm)
                try await put(.virtualMachines, MergePatch.apply(["metadata": ["namespace": .string(namespace)]], to: vm))
            }
            _ = try await patch(
                .openShiftTemplateInstances, namespace: namespace, name: name,
                patch: ["status": ["conditions": [["type": "Ready", "status": "True"]]]])
        }
    }

    /// What KubeVirt does: every VM's `printableStatus` follows its run strategy.
    func settleVMs() async throws {
        for vm in try await all(.virtualMachines) {
            let running = vm["spec"]?["runStrategy"]?.stringValue == "Always"
            _ = try await patch(
                .virtualMachines, namespace: vm["metadata"]?["namespace"]?.stringValue, name: vm["metadata"]?["name"]?.stringValue ?? "",
                patch: ["status": ["printableStatus": running ? "Running" : "Stopped"]])
        }
    }
}
