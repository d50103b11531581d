import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import VirtyardTesting

@testable import Templates

/// An embedded API server with the Template CRDs installed, an informer on TemplateInstances,
/// and a reconciler the test drives itself (or the whole controller, with `controllers`).
struct TemplateHarness {
    let api: HTTPKubernetesClient
    let instances: Informer
    let reconciler: TemplateInstanceReconciler
    static let namespace = "default"

    static func run(controllers: Bool = false, _ body: (TemplateHarness) async throws -> Void) async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            for file in TemplateCRDs.files { _ = try await api.create(.customResourceDefinitions, object: try crd(from: file)) }
            var quiet = Logger(label: "test.templates")
            quiet.logLevel = .critical
            let informers = SharedInformerFactory(api: api, logger: quiet)
            let instances = informers.informer(for: .templateInstances)
            let reconciler = TemplateInstanceReconciler(api: api, instances: instances, logger: quiet)
            let services = controllers ? TemplateControllers.services(api: api, informers: informers, logger: quiet) : []
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informers.run() }
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                try await body(TemplateHarness(api: api, instances: instances, reconciler: reconciler))
            }
        }
    }

    /// The CRD manifest of `file`: its schema read from the YAML (the test target has no YAML
    /// parser of its own), its names from the file name, as the manifest has them.
    static func crd(from file: URL) throws -> JSONValue {
        let schema = try SchemaPaths.crdSchema(at: file, version: "v1").root
        let json = try JSONValue(parsing: String(decoding: JSONSerialization.data(withJSONObject: schema), as: UTF8.self))
        let plural = String(file.lastPathComponent.dropFirst("template.openshift.io_".count).dropLast(".yaml".count))
        let kind = plural == "templates" ? "Template" : "TemplateInstance"
        var version: JSONValue = ["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": json]]
        if kind == "TemplateInstance" { version["subresources"] = ["status": [:]] }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).template.openshift.io")],
            "spec": [
                "group": "template.openshift.io", "scope": "Namespaced", "versions": [version],
                "names": ["plural": .string(plural), "kind": .string(kind), "singular": .string(kind.lowercased())],
            ],
        ]
    }

    /// Creates the instance (and its Secret) and waits until the informer has it.
    @discardableResult
    func createInstance(_ name: String, template: JSONValue, secret: [String: String]?) async throws -> JSONValue {
        var spec: JSONValue = ["template": template, "requester": ["username": "tester"]]
        if let secret {
            _ = try await api.create(
                .secrets,
                object: [
                    "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string("\(name)-params"), "namespace": "default"],
                    "stringData": .object(secret.mapValues(JSONValue.string)),
                ])
            spec["secret"] = ["name": .string("\(name)-params")]
        }
        let created = try await api.create(
            .templateInstances,
            object: [
                "apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance",
                "metadata": ["name": .string(name), "namespace": "default"], "spec": spec,
            ])
        _ = await eventually { instances.get(namespace: Self.namespace, name: name)?.resourceVersion == created.resourceVersion }
        return created
    }

    /// Reconciles `name` once the informer has caught up with the API.
    @discardableResult
    func reconcile(_ name: String) async throws -> ReconcileResult {
        let stored = try await api.get(.templateInstances, namespace: Self.namespace, name: name)
        _ = await eventually { instances.get(namespace: Self.namespace, name: name)?.resourceVersion == stored.resourceVersion }
        return try await reconciler.reconcile(ObjectKey(namespace: Self.namespace, name: name))
    }

    func instance(_ name: String) async throws -> JSONValue {
        try await api.get(.templateInstances, namespace: Self.namespace, name: name)
    }

    func condition(_ name: String, _ type: String) async throws -> Condition? {
        try await instance(name)[path: ["status", "conditions"]]?.arrayValue?.condition(type)
    }

    func configMaps(ownedBy uid: String) async throws -> [JSONValue] {
        try await api.list(
            .configMaps, namespace: Self.namespace,
            options: ListOptions(labelSelector: "\(TemplateNames.instanceOwnerLabel)=\(uid)")
        ).items
    }
}

/// A template of two ConfigMaps: one with a generated name, one with a fixed name, a
/// required parameter, a number.
let configMapTemplate: JSONValue = [
    "apiVersion": "template.openshift.io/v1", "kind": "Template", "metadata": ["name": "pair", "namespace": "openshift"],
    "labels": ["app": "pair"],
    "parameters": [
        ["name": "NAME", "generate": "expression", "from": "cm-[a-z0-9]{6}"],
        ["name": "COLOR", "required": true],
        ["name": "COUNT", "value": "3"],
    ],
    "objects": [
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "${NAME}"], "data": ["color": "${COLOR}"]],
        [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "fixed-${COLOR}"],
            "data": ["count": "${COUNT}"], "binaryData": [:],
        ],
    ],
]
