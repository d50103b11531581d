import KubeModel
import Testing
import VirtyardTesting

@testable import LabPool

/// Every field path the lab pool's typed views declare must exist in the CRD that defines the
/// kind, so a renamed or misspelt field fails here rather than reading nil in production (or
/// being pruned by the API server on a write).
@Suite struct LabViewSchemaTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: String
        var file: String
        /// The view's source, under `Sources/`.
        var source: String
        var paths: [FieldPath]
        var testDescription: String { kind }
    }

    static let cases: [Case] = [
        Case(
            kind: "LabPool", file: "virtyard.io_labpools.yaml", source: "LabPool/Views/LabPoolObject.swift",
            paths: LabPoolObject.fieldPaths),
        Case(
            kind: "LabCluster", file: "virtyard.io_labclusters.yaml", source: "LabPool/Views/LabClusterObject.swift",
            paths: LabClusterObject.fieldPaths),
        Case(
            kind: "LabSession", file: "virtyard.io_labsessions.yaml", source: "LabPool/Views/LabSessionObject.swift",
            paths: LabSessionObject.fieldPaths),
        Case(
            kind: "LabScenario", file: "virtyard.io_labscenarios.yaml", source: "LabPool/Views/LabScenarioObject.swift",
            paths: LabScenarioObject.fieldPaths),
    ]

    @Test(arguments: cases) func everyDeclaredPathIsInTheSchema(_ view: Case) throws {
        let schema = try SchemaPaths.crdSchema(file: view.file, version: "v1alpha1")
        #expect(!view.paths.isEmpty)
        let missing = SchemaPaths.missing(view.paths, in: schema)
        #expect(missing.isEmpty, "\(view.kind): not in \(view.file): \(missing.map(\.description))")
    }

    /// And each view declares every path its source names, so nothing escapes the check above.
    @Test(arguments: cases) func everyNamedPathIsDeclared(_ view: Case) throws {
        let uses = try ViewSourcePaths.uses(in: [ViewSourcePaths.source(view.source)])
        let undeclared = ViewSourcePaths.undeclared(uses, declared: view.paths)
        #expect(undeclared.isEmpty, "\(view.kind) names paths its fieldPaths lacks: \(undeclared.map(\.description))")
    }

    /// The walk must be able to say no, for the shapes these CRDs use: a misspelt status
    /// field, a field under a preserve-unknown-fields object, a key past a leaf.
    @Test func aPathOutsideTheSchemaIsReported() throws {
        let clusters = try SchemaPaths.crdSchema(file: "virtyard.io_labclusters.yaml", version: "v1alpha1")
        #expect(SchemaPaths.has(clusters, "status.reset.step"))
        #expect(!SchemaPaths.has(clusters, "status.assignedSesion"))
        #expect(!SchemaPaths.has(clusters, "status.phase.deeper"))
        let pools = try SchemaPaths.crdSchema(file: "virtyard.io_labpools.yaml", version: "v1alpha1")
        #expect(SchemaPaths.has(pools, "spec.template.controlPlane"))
        #expect(!SchemaPaths.has(pools, "spec.template.controlPlane.anything"))
        let sessions = try SchemaPaths.crdSchema(file: "virtyard.io_labsessions.yaml", version: "v1alpha1")
        #expect(SchemaPaths.has(sessions, "status.tasks.task-1.passed"))
        #expect(!SchemaPaths.has(sessions, "status.tasks.task-1.failed"))
    }

    /// Views write what the controllers wrote before them: the pool's counts, every phase.
    @Test func poolCountsWriteEveryPhase() {
        var pool = LabPoolObject(name: "p", size: 2)
        pool.setStatus(.init(size: 2, byPhase: [.available: 1, .locked: 1]))
        #expect(pool.object["status"] == ["size": 2, "available": 1, "locked": 1, "resetting": 0, "creating": 0, "error": 0])
    }

    @Test func clusterReleaseClearsHolderAndReset() {
        var cluster = LabClusterObject(id: "c1", pool: "p", index: 1)
        cluster.assignedSession = "s"
        cluster.reset = .init(startingAttempt: 0)
        cluster.releaseToReset(message: "m")
        #expect(cluster.object["status"] == ["phase": "Resetting", "message": "m"])
    }
}
