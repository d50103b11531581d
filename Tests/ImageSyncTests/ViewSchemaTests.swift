import Foundation
import KubeModel
import Testing
import VirtyardTesting

/// VMDiskImage's declared field paths must exist in the CRD the product installs, and its view
/// must declare every path it names, so a renamed or misspelt field fails here rather than
/// reading nil in production. (The external kinds ImageSync writes — DataVolume,
/// VolumeSnapshot — are checked with the other external views in
/// `Tests/SimulationTests/ExternalViewSchemaTests.swift`.)
@Suite struct ViewSchemaTests {
    static let crdFile = "crd.pelotech.ot_vmdiskimages.yaml"

    @Test func everyDeclaredPathIsInTheSchema() throws {
        let schema = try SchemaPaths.crdSchema(file: Self.crdFile, version: "v1alpha1")
        #expect(!VMDiskImage.fieldPaths.isEmpty)
        let missing = SchemaPaths.missing(VMDiskImage.fieldPaths, in: schema)
        #expect(missing.isEmpty, "VMDiskImage: not in \(Self.crdFile): \(missing.map(\.description))")
    }

    @Test func theViewDeclaresEveryPathItNames() throws {
        let uses = try ViewSourcePaths.uses(in: [ViewSourcePaths.source("KubeModel/Views/VMDiskImage.swift")])
        #expect(!uses.isEmpty)
        let undeclared = ViewSourcePaths.undeclared(uses, declared: VMDiskImage.fieldPaths)
        #expect(undeclared.isEmpty, "VMDiskImage names paths its fieldPaths lacks: \(undeclared.map(\.description))")
    }

    /// The walk must be able to say no, on a CRD.
    @Test func aPathOutsideTheSchemaIsReported() throws {
        let schema = try SchemaPaths.crdSchema(file: Self.crdFile, version: "v1alpha1")
        #expect(SchemaPaths.has(schema, "status.phase"))
        #expect(SchemaPaths.has(schema, "status.conditions[].reason"))
        #expect(!SchemaPaths.has(schema, "status.phasee"))
        #expect(!SchemaPaths.has(schema, "status.phase.deeper"))
        #expect(!SchemaPaths.has(schema, "status.conditions.type"))
    }

    /// And on a built-in schema, whose spec and status sit behind `$ref`s.
    @Test func theWalkFollowsReferencesAndSaysNoThere() throws {
        let pod = try SchemaPaths.builtinSchema("io.k8s.api.core.v1.Pod")
        #expect(SchemaPaths.has(pod, "spec.nodeName"))
        #expect(SchemaPaths.has(pod, "spec.containers[].resources.requests.cpu"))
        #expect(!SchemaPaths.has(pod, "spec.nodeNamee"))
        #expect(!SchemaPaths.has(pod, "spec.containers.resources"))
        // Without its definitions the same root leads nowhere past a `$ref`.
        #expect(!SchemaPaths.has(SchemaPaths.Schema(root: pod.root), "spec.nodeName"))
    }

    /// The source reading finds each way a view names a field, and the cover check says no.
    @Test func sourceReadingFindsLiteralPaths() {
        #expect(ViewSourcePaths.paths(inLine: #"public static let phase: FieldPath = "status.phase""#) == ["status.phase"])
        #expect(ViewSourcePaths.paths(inLine: #"Field.conditions.appending("[].type")"#) == ["[].type"])
        #expect(ViewSourcePaths.paths(inLine: #"let x = FieldPath(["status", "error"])"#) == ["status.error"])
        #expect(ViewSourcePaths.paths(inLine: #"json["migrationUid"]?.stringValue"#) == ["migrationUid"])
        #expect(ViewSourcePaths.paths(inLine: #"object[path: ["data", "token"]]"#) == ["data.token"])
        // Literals that are values, not keys: an array literal, a dictionary literal.
        #expect(ViewSourcePaths.paths(inLine: #"spec["accessModes"] ?? ["ReadWriteOnce"]"#) == ["accessModes"])
        #expect(ViewSourcePaths.paths(inLine: #"object = ["kind": "Secret", "type": ["a"]]"#).isEmpty)
        let uses = [
            ViewSourcePaths.Use(file: "V.swift", line: 1, path: "status.phase"),
            ViewSourcePaths.Use(file: "V.swift", line: 2, path: "[].reason"),
            ViewSourcePaths.Use(file: "V.swift", line: 3, path: "status.phaze"),
            // ObjectMeta is every kind's, declared by none.
            ViewSourcePaths.Use(file: "V.swift", line: 4, path: "metadata.labels"),
        ]
        let undeclared = ViewSourcePaths.undeclared(uses, declared: ["status.phase", "status.conditions[].reason"])
        #expect(undeclared.map(\.line) == [3])
    }
}
