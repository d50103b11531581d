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
            #expect(
                try await installer.installMissing(into: client, logger: logger).sorted()
                    == ["gadgets.example.com", "gizmos.example.com"])
            #expect(try await installer.installMissing(into: client, logger: logger).isEmpty)
            let gadgets = ResourceType(
                group: "example.com", version: "v1", resource: "gadgets", kind: "Gadget",
                namespaced: true)
            let created = try await client.create(
                gadgets, namespace: "default",
                object: [
                    "apiVersion": "example.com/v1", "kind": "Gadget",
                    "metadata": ["name": "g"],
                ])
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

    /// Each module carries its own kinds; the installer collects every one of them, once.
    @Test func bundledDefinitionsComeFromEveryModuleThatOwnsKinds() throws {
        let names = try CRDInstaller.bundled().manifests.compactMap(\.name)
        #expect(Set(names).count == names.count, "a CRD bundled twice: \(names)")
        for (module, name) in [
            ("LabPool", "labpools.virtyard.io"), ("LabPool", "labsessions.virtyard.io"),
            ("ImageSync", "vmdiskimages.crd.pelotech.ot"),
            ("Simulation", "virtualmachines.kubevirt.io"), ("Simulation", "datavolumes.cdi.kubevirt.io"),
            ("Simulation", "volumesnapshots.snapshot.storage.k8s.io"),
            ("Tenancy", "organizations.virtyard.io"), ("Templates", "templates.template.openshift.io"),
            ("Templates", "templateinstances.template.openshift.io"),
            ("Provisioning", "clusterdefinitions.virtyard.io"), ("Provisioning", "auditentries.virtyard.io"),
        ] {
            #expect(names.contains(name), "\(name) (from \(module)) is not bundled")
        }
        let modules = Set(CRDInstaller.bundledFiles.map { $0.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent })
        // A module's resources are its bundle, `<package>_<module>.resources`.
        let owners = ["ImageSync", "LabPool", "Provisioning", "Simulation", "Templates", "Tenancy"]
        #expect(modules == Set(owners.map { "virtyard_\($0).resources" }), "\(modules)")
    }

    /// `deploy/crds/` is where `kubectl apply -f` finds every CRD: relative links to the files the
    /// modules carry, the same set the binary installs.
    @Test func deployFolderLinksEveryBundledDefinition() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let deploy = repository.appendingPathComponent("deploy/crds")
        let bundled = try CRDInstaller.bundled().manifests
        #expect(!bundled.isEmpty)
        #expect(try CRDInstaller(directory: deploy.path).manifests == bundled)
        let files = FileManager.default
        for name in try files.contentsOfDirectory(atPath: deploy.path) where name.hasSuffix(".yaml") {
            let target = try files.destinationOfSymbolicLink(atPath: deploy.appendingPathComponent(name).path)
            #expect(target.hasPrefix("../../Sources/") && target.hasSuffix("/CRDs/" + name), "\(name) -> \(target)")
        }
    }
}
