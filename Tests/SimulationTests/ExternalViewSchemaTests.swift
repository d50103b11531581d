import Foundation
import KubeModel
import Testing
import VirtyardTesting

/// The typed views of kinds Virtyard does not define (KubeVirt, CDI, CSI snapshots, core) must
/// name only fields that exist twice over: in the schema the product installs (its CRDs in
/// `Sources/*/CRDs`, or the embedded server's built-in schemas), and — for the KubeVirt, CDI
/// and snapshot kinds — in the real projects' schemas in the shared directory
/// (`../shared/schemas/`), which is what a real cluster would enforce. A field that is only in
/// our generated CRD would work in the embedded mode and be pruned on a real cluster.
///
/// The shared directory is outside the repository; without it these tests fail, naming where
/// they looked (as the conformance suite does for `validate-objects`).
@Suite struct ExternalViewSchemaTests {
    /// Where the real project defines a kind.
    enum RealSchema: Sendable {
        /// A definition of a swagger document in `schemas/`.
        case swagger(file: String, definition: String)
        /// A CRD file in `schemas/`.
        case crd(file: String, version: String)
    }

    struct SchemaCase: Sendable, CustomTestStringConvertible {
        var view: String
        /// The product's CRD file and version.
        var crdFile: String
        var version: String
        var real: RealSchema
        var paths: [FieldPath]
        var testDescription: String { view }
    }

    static let kubeVirt = "kubevirt.swagger.json"

    static let schemaCases: [SchemaCase] = [
        SchemaCase(
            view: "VirtualMachine", crdFile: "kubevirt.io_virtualmachines.yaml", version: "v1",
            real: .swagger(file: kubeVirt, definition: "v1.VirtualMachine"), paths: VirtualMachine.fieldPaths),
        SchemaCase(
            view: "VirtualMachineInstance", crdFile: "kubevirt.io_virtualmachineinstances.yaml", version: "v1",
            real: .swagger(file: kubeVirt, definition: "v1.VirtualMachineInstance"),
            paths: VirtualMachineInstance.fieldPaths),
        SchemaCase(
            view: "VirtualMachineInstanceMigration", crdFile: "kubevirt.io_virtualmachineinstancemigrations.yaml",
            version: "v1", real: .swagger(file: kubeVirt, definition: "v1.VirtualMachineInstanceMigration"),
            paths: VirtualMachineInstanceMigration.fieldPaths),
        SchemaCase(
            view: "VirtualMachineSnapshot", crdFile: "snapshot.kubevirt.io_virtualmachinesnapshots.yaml",
            version: "v1beta1", real: .swagger(file: kubeVirt, definition: "v1beta1.VirtualMachineSnapshot"),
            paths: VirtualMachineSnapshot.fieldPaths),
        SchemaCase(
            view: "VirtualMachineSnapshotContent", crdFile: "snapshot.kubevirt.io_virtualmachinesnapshotcontents.yaml",
            version: "v1beta1", real: .swagger(file: kubeVirt, definition: "v1beta1.VirtualMachineSnapshotContent"),
            paths: VirtualMachineSnapshotContent.fieldPaths),
        SchemaCase(
            view: "VirtualMachineRestore", crdFile: "snapshot.kubevirt.io_virtualmachinerestores.yaml",
            version: "v1beta1", real: .swagger(file: kubeVirt, definition: "v1beta1.VirtualMachineRestore"),
            paths: VirtualMachineRestore.fieldPaths),
        SchemaCase(
            view: "DataVolume", crdFile: "cdi.kubevirt.io_datavolumes.yaml", version: "v1beta1",
            real: .swagger(file: "cdi.swagger.json", definition: "v1beta1.DataVolume"),
            paths: DataVolume.fieldPaths + DataVolume.claimFieldPaths),
        SchemaCase(
            view: "VolumeSnapshot", crdFile: "snapshot.storage.k8s.io_volumesnapshots.yaml", version: "v1",
            real: .crd(file: "snapshot.storage.k8s.io_volumesnapshots.yaml", version: "v1"),
            paths: VolumeSnapshot.fieldPaths + VolumeSnapshot.statusFieldPaths),
        SchemaCase(
            view: "VolumeSnapshotContent", crdFile: "snapshot.storage.k8s.io_volumesnapshotcontents.yaml",
            version: "v1", real: .crd(file: "snapshot.storage.k8s.io_volumesnapshotcontents.yaml", version: "v1"),
            paths: VolumeSnapshotContent.fieldPaths),
    ]

    @Test(arguments: schemaCases) func everyDeclaredPathIsInTheInstalledCRD(_ view: SchemaCase) throws {
        let schema = try SchemaPaths.crdSchema(file: view.crdFile, version: view.version)
        #expect(!view.paths.isEmpty)
        let missing = SchemaPaths.missing(view.paths, in: schema)
        #expect(missing.isEmpty, "\(view.view): not in \(view.crdFile) \(view.version): \(missing.map(\.description))")
    }

    @Test(arguments: schemaCases) func everyDeclaredPathIsInTheRealProjectsSchema(_ view: SchemaCase) throws {
        let schema: SchemaPaths.Schema
        let source: String
        switch view.real {
        case .swagger(let file, let definition):
            schema = try SharedSchemas.definition(definition, in: file)
            source = "\(file) \(definition)"
        case .crd(let file, let version):
            schema = try SharedSchemas.crd(file, version: version)
            source = "\(file) \(version)"
        }
        let missing = SchemaPaths.missing(view.paths, in: schema)
        #expect(missing.isEmpty, "\(view.view): not in ../shared/schemas/\(source): \(missing.map(\.description))")
    }

    struct BuiltinCase: Sendable, CustomTestStringConvertible {
        var view: String
        var definition: String
        var paths: [FieldPath]
        var testDescription: String { view }
    }

    static let builtinCases: [BuiltinCase] = [
        BuiltinCase(view: "Pod", definition: "io.k8s.api.core.v1.Pod", paths: Pod.fieldPaths),
        BuiltinCase(view: "Node", definition: "io.k8s.api.core.v1.Node", paths: Node.fieldPaths),
        BuiltinCase(
            view: "PersistentVolumeClaim", definition: "io.k8s.api.core.v1.PersistentVolumeClaim",
            paths: PersistentVolumeClaim.fieldPaths),
        BuiltinCase(view: "ConfigMap", definition: "io.k8s.api.core.v1.ConfigMap", paths: ConfigMap.fieldPaths),
        BuiltinCase(view: "Secret", definition: "io.k8s.api.core.v1.Secret", paths: Secret.fieldPaths),
    ]

    /// Core kinds against the embedded server's built-in schemas (Kubernetes 1.32's own).
    @Test(arguments: builtinCases) func everyDeclaredPathIsInTheBuiltinSchema(_ view: BuiltinCase) throws {
        let schema = try SchemaPaths.builtinSchema(view.definition)
        #expect(!view.paths.isEmpty)
        let missing = SchemaPaths.missing(view.paths, in: schema)
        #expect(missing.isEmpty, "\(view.view): not in builtin-1.32.json \(view.definition): \(missing.map(\.description))")
    }

    struct SourceCase: Sendable, CustomTestStringConvertible {
        /// The view types whose source this is (two views may share a file).
        var views: [String]
        /// Under `Sources/KubeModel/Views/`.
        var files: [String]
        var paths: [FieldPath]
        var testDescription: String { views.joined(separator: ", ") }
    }

    static let sourceCases: [SourceCase] = [
        SourceCase(views: ["Pod"], files: ["Pod.swift"], paths: Pod.fieldPaths),
        SourceCase(views: ["Node"], files: ["Node.swift"], paths: Node.fieldPaths),
        SourceCase(views: ["PersistentVolumeClaim"], files: ["PersistentVolumeClaim.swift"], paths: PersistentVolumeClaim.fieldPaths),
        SourceCase(views: ["ConfigMap"], files: ["ConfigMap.swift"], paths: ConfigMap.fieldPaths),
        SourceCase(views: ["Secret"], files: ["Secret.swift"], paths: Secret.fieldPaths),
        SourceCase(
            views: ["VirtualMachine"], files: ["VirtualMachine.swift", "VirtualMachine+Lifecycle.swift"],
            paths: VirtualMachine.fieldPaths),
        SourceCase(
            views: ["VirtualMachineInstance"], files: ["VirtualMachineInstance.swift", "PhaseTransitions.swift"],
            paths: VirtualMachineInstance.fieldPaths),
        SourceCase(
            views: ["VirtualMachineInstanceMigration"],
            files: ["VirtualMachineInstanceMigration.swift", "PhaseTransitions.swift"],
            paths: VirtualMachineInstanceMigration.fieldPaths),
        SourceCase(
            views: ["VirtualMachineSnapshot", "VirtualMachineSnapshotContent"], files: ["VirtualMachineSnapshot.swift"],
            paths: VirtualMachineSnapshot.fieldPaths + VirtualMachineSnapshotContent.fieldPaths),
        SourceCase(views: ["VirtualMachineRestore"], files: ["VirtualMachineRestore.swift"], paths: VirtualMachineRestore.fieldPaths),
        SourceCase(
            views: ["DataVolume"], files: ["DataVolume.swift", "DataVolume+Claim.swift"],
            paths: DataVolume.fieldPaths + DataVolume.claimFieldPaths),
        SourceCase(
            views: ["VolumeSnapshot"], files: ["VolumeSnapshot.swift", "VolumeSnapshot+Status.swift"],
            paths: VolumeSnapshot.fieldPaths + VolumeSnapshot.statusFieldPaths),
        SourceCase(views: ["VolumeSnapshotContent"], files: ["VolumeSnapshotContent.swift"], paths: VolumeSnapshotContent.fieldPaths),
    ]

    /// Each view declares every path its source names, so nothing escapes the checks above.
    @Test(arguments: sourceCases) func everyNamedPathIsDeclared(_ view: SourceCase) throws {
        let files = view.files.map { ViewSourcePaths.source("KubeModel/Views/\($0)") }
        let uses = try ViewSourcePaths.uses(in: files)
        #expect(!uses.isEmpty)
        let undeclared = ViewSourcePaths.undeclared(uses, declared: view.paths)
        #expect(
            undeclared.isEmpty,
            "\(view.testDescription) names paths its fieldPaths lacks: \(undeclared.map(\.description))")
    }

    /// Views checked elsewhere: VMDiskImage in ImageSyncTests' `ViewSchemaTests`.
    static let checkedElsewhere: Set<String> = ["VMDiskImage"]

    /// A new view in KubeModel must join the lists above: a view nobody checks is where an
    /// unchecked path would hide.
    @Test func everyViewInKubeModelIsChecked() throws {
        let directory = SchemaPaths.sourcesDirectory.appendingPathComponent("KubeModel/Views")
        let declaration = #/(?:struct|class)\s+(\w+)\s*:\s*[^{]*\b(?:KubeObjectView|PhaseTransitionRecording)\b/#
        var views: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: declaration) { views.insert(String(match.1)) }
        }
        #expect(views.contains("Pod"), "the declaration search found no views: \(views)")
        let checked = Set(Self.sourceCases.flatMap(\.views)).union(Self.checkedElsewhere)
        let schemaChecked = Set(Self.schemaCases.map(\.view) + Self.builtinCases.map(\.view)).union(Self.checkedElsewhere)
        #expect(views.subtracting(checked).isEmpty, "views whose source is not checked: \(views.subtracting(checked).sorted())")
        #expect(
            views.subtracting(schemaChecked).isEmpty,
            "views not checked against a schema: \(views.subtracting(schemaChecked).sorted())")
    }
}
