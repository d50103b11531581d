import Foundation
import KubeModel
import Testing
import Yams

/// Every field path a typed view declares must exist in the CRD that defines its kind, so a
/// renamed or misspelt field fails here rather than reading nil in production.
@Suite struct ViewSchemaTests {
    /// The CRDs the server installs: Sources/VirtyardServer/CRDs, found from this file.
    static let crdDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/VirtyardServer/CRDs")

    struct Case: Sendable, CustomTestStringConvertible {
        var kind: String
        var file: String
        var version: String
        var paths: [FieldPath]
        var testDescription: String { kind }
    }

    static let cases: [Case] = [
        Case(kind: "VMDiskImage", file: "crd.pelotech.ot_vmdiskimages.yaml", version: "v1alpha1", paths: VMDiskImage.fieldPaths),
        Case(kind: "DataVolume", file: "cdi.kubevirt.io_datavolumes.yaml", version: "v1beta1", paths: DataVolume.fieldPaths),
        Case(kind: "VolumeSnapshot", file: "snapshot.storage.k8s.io_volumesnapshots.yaml", version: "v1",
             paths: VolumeSnapshot.fieldPaths),
        Case(kind: "VirtualMachine", file: "kubevirt.io_virtualmachines.yaml", version: "v1", paths: VirtualMachine.fieldPaths),
        Case(kind: "VirtualMachineInstance", file: "kubevirt.io_virtualmachineinstances.yaml", version: "v1",
             paths: VirtualMachineInstance.fieldPaths),
        Case(kind: "VirtualMachineInstanceMigration", file: "kubevirt.io_virtualmachineinstancemigrations.yaml", version: "v1",
             paths: VirtualMachineInstanceMigration.fieldPaths),
        Case(kind: "VirtualMachineSnapshot", file: "snapshot.kubevirt.io_virtualmachinesnapshots.yaml", version: "v1beta1",
             paths: VirtualMachineSnapshot.fieldPaths),
        Case(kind: "VirtualMachineSnapshotContent", file: "snapshot.kubevirt.io_virtualmachinesnapshotcontents.yaml",
             version: "v1beta1", paths: VirtualMachineSnapshotContent.fieldPaths),
        Case(kind: "VirtualMachineRestore", file: "snapshot.kubevirt.io_virtualmachinerestores.yaml", version: "v1beta1",
             paths: VirtualMachineRestore.fieldPaths),
        Case(kind: "DataVolume (claim)", file: "cdi.kubevirt.io_datavolumes.yaml", version: "v1beta1",
             paths: DataVolume.claimFieldPaths),
        Case(kind: "VolumeSnapshot (status)", file: "snapshot.storage.k8s.io_volumesnapshots.yaml", version: "v1",
             paths: VolumeSnapshot.statusFieldPaths),
        Case(kind: "VolumeSnapshotContent", file: "snapshot.storage.k8s.io_volumesnapshotcontents.yaml", version: "v1",
             paths: VolumeSnapshotContent.fieldPaths),
    ]

    @Test(arguments: cases) func everyDeclaredPathIsInTheSchema(_ view: Case) throws {
        let schema = try Self.schema(file: view.file, version: view.version)
        #expect(!view.paths.isEmpty)
        let missing = view.paths.filter { !Self.schemaHas(schema, $0.keys[...]) }
        #expect(missing.isEmpty, "\(view.kind): not in \(view.file) \(view.version): \(missing.map(\.description))")
    }

    /// Views of built-in kinds against the server's own built-in schemas.
    @Test func builtInViewPathsAreInTheBuiltInSchema() throws {
        let file = Self.crdDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("KubeServer/Schemas/builtin-1.32.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let definitions = try #require(document?["definitions"] as? [String: Any])
        let configMap = try #require(definitions["io.k8s.api.core.v1.ConfigMap"] as? [String: Any])
        let missing = ConfigMap.fieldPaths.filter { !Self.schemaHas(configMap, $0.keys[...]) }
        #expect(missing.isEmpty, "ConfigMap: not in builtin-1.32.json: \(missing.map(\.description))")
        // Pod and Node nest their spec and status behind `$ref`s: resolve them while walking.
        for (kind, paths) in [("Pod", Pod.fieldPaths), ("Node", Node.fieldPaths),
                              ("PersistentVolumeClaim", PersistentVolumeClaim.fieldPaths)] {
            let schema = try #require(definitions["io.k8s.api.core.v1.\(kind)"] as? [String: Any])
            #expect(!paths.isEmpty)
            let missing = paths.filter { !Self.schemaHas(schema, $0.keys[...], definitions: definitions) }
            #expect(missing.isEmpty, "\(kind): not in builtin-1.32.json: \(missing.map(\.description))")
        }
        // The resolving walk must be able to say no as well.
        let pod = try #require(definitions["io.k8s.api.core.v1.Pod"] as? [String: Any])
        #expect(Self.schemaHas(pod, FieldPath("spec.nodeName").keys[...], definitions: definitions))
        #expect(!Self.schemaHas(pod, FieldPath("spec.nodeNamee").keys[...], definitions: definitions))
    }

    /// The walk itself must be able to say no.
    @Test func aPathOutsideTheSchemaIsReported() throws {
        let schema = try Self.schema(file: "crd.pelotech.ot_vmdiskimages.yaml", version: "v1alpha1")
        #expect(Self.schemaHas(schema, FieldPath("status.phase").keys[...]))
        #expect(Self.schemaHas(schema, FieldPath("status.conditions[].reason").keys[...]))
        #expect(!Self.schemaHas(schema, FieldPath("status.phasee").keys[...]))
        #expect(!Self.schemaHas(schema, FieldPath("status.phase.deeper").keys[...]))
        #expect(!Self.schemaHas(schema, FieldPath("status.conditions.type").keys[...]))
    }

    /// `openAPIV3Schema` of `version` in the CRD file.
    static func schema(file: String, version: String) throws -> [String: Any] {
        let text = try String(contentsOf: crdDirectory.appendingPathComponent(file), encoding: .utf8)
        for document in try Yams.load_all(yaml: text) {
            guard let crd = document as? [String: Any], crd["kind"] as? String == "CustomResourceDefinition",
                  let versions = (crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]] else { continue }
            for entry in versions where entry["name"] as? String == version {
                if let schema = (entry["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any] { return schema }
            }
        }
        throw SchemaMissing(file: file, version: version)
    }

    struct SchemaMissing: Error, CustomStringConvertible {
        var file: String
        var version: String
        var description: String { "no openAPIV3Schema for version \(version) in \(file)" }
    }

    /// Whether `keys` leads somewhere in `schema`: a named property, an item of an array
    /// (`[]`), or a key of a map (`additionalProperties`). Nothing else is accepted — in
    /// particular not `x-kubernetes-preserve-unknown-fields`, which would let any typo through.
    ///
    /// With `definitions` (the built-in OpenAPI document's), a `$ref` to
    /// `#/components/schemas/<name>` or `#/definitions/<name>` is followed.
    static func schemaHas(_ schema: [String: Any], _ keys: ArraySlice<String>, definitions: [String: Any]? = nil) -> Bool {
        var schema = schema
        if let definitions, let reference = schema["$ref"] as? String {
            guard let name = reference.split(separator: "/").last,
                  let target = definitions[String(name)] as? [String: Any] else { return false }
            schema = target
        }
        guard let key = keys.first else { return true }
        let rest = keys.dropFirst()
        if key == FieldPath.items {
            guard let items = schema["items"] as? [String: Any] else { return false }
            return schemaHas(items, rest, definitions: definitions)
        }
        if let property = (schema["properties"] as? [String: Any])?[key] as? [String: Any] {
            return schemaHas(property, rest, definitions: definitions)
        }
        if let values = schema["additionalProperties"] as? [String: Any] {
            return schemaHas(values, rest, definitions: definitions)
        }
        return false
    }
}
