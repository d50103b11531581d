import Foundation
import KubeClient
import KubeModel
import Logging
import Testing
import VirtyardServer
import VirtyardTesting

@Suite struct CRDInstallerTests {
    /// A minimal CRD manifest for `<plural>.example.com`.
    private func definition(plural: String, kind: String, scope: String) -> String {
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: \(plural).example.com}
        spec:
          group: example.com
          scope: \(scope)
          names: {plural: \(plural), singular: \(kind.lowercased()), kind: \(kind)}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """
    }

    private var gadgets: String {
        definition(plural: "gadgets", kind: "Gadget", scope: "Namespaced") + "\n---\n"
            + definition(plural: "gizmos", kind: "Gizmo", scope: "Cluster")
    }

    @Test func installsMissingDefinitionsOnceAndLeavesExistingOnes() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("crds/example.yaml", gadgets)
        try directory.write("crds/README.md", "not a manifest")
        let installer = try CRDInstaller(directory: directory.file("crds"))
        #expect(installer.manifests.compactMap(\.name) == ["gadgets.example.com", "gizmos.example.com"])
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let logger = Logger(label: "test")
            #expect(try await installer.installMissing(into: client, logger: logger).sorted()
                == ["gadgets.example.com", "gizmos.example.com"])
            #expect(try await installer.installMissing(into: client, logger: logger).isEmpty)
            let gadgets = ResourceType(group: "example.com", version: "v1", resource: "gadgets", kind: "Gadget",
                                       namespaced: true)
            let created = try await client.create(gadgets, namespace: "default",
                                                  object: ["apiVersion": "example.com/v1", "kind": "Gadget",
                                                           "metadata": ["name": "g"]])
            #expect(created.name == "g")
        }
    }

    @Test func refusesFilesThatAreNotDefinitions() throws {
        let directory = try TemporaryDirectory()
        try directory.write("crds/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        #expect(throws: CRDInstaller.Failure.self) { try CRDInstaller(directory: directory.file("crds")) }
    }

    @Test func bundledDefinitionsAreAllCRDs() throws {
        let bundled = try CRDInstaller.bundled()
        #expect(bundled.manifests.allSatisfy { $0.kind == "CustomResourceDefinition" })
    }
}
