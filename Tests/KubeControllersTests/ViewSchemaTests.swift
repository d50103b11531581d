import KubeModel
import Testing
import VirtyardTesting

@testable import KubeControllers

/// The workload views' declared field paths exist in Kubernetes 1.32's schemas, and each view
/// declares every path it names: a misspelt field fails here instead of reading nil.
struct ViewSchemaTests {
    static let views: [(definition: String, file: String, paths: [FieldPath])] = [
        ("io.k8s.api.apps.v1.Deployment", "Deployment.swift", Deployment.fieldPaths),
        ("io.k8s.api.apps.v1.ReplicaSet", "ReplicaSet.swift", ReplicaSet.fieldPaths),
        ("io.k8s.api.batch.v1.Job", "Job.swift", Job.fieldPaths),
        ("io.k8s.api.batch.v1.CronJob", "CronJob.swift", CronJob.fieldPaths),
        ("io.k8s.api.apps.v1.StatefulSet", "StatefulSet.swift", StatefulSet.fieldPaths),
        ("io.k8s.api.apps.v1.DaemonSet", "DaemonSet.swift", DaemonSet.fieldPaths),
        ("io.k8s.api.core.v1.ReplicationController", "ReplicaSet.swift", ReplicaSet.fieldPaths),
        ("io.k8s.api.policy.v1.PodDisruptionBudget", "PodDisruptionBudget.swift", PodDisruptionBudget.fieldPaths),
        (
            "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "HorizontalPodAutoscaler.swift",
            HorizontalPodAutoscaler.fieldPaths
        ),
    ]

    @Test(arguments: views.indices)
    func everyDeclaredPathIsInTheSchema(_ index: Int) throws {
        let view = Self.views[index]
        let schema = try SchemaPaths.builtinSchema(view.definition)
        #expect(!view.paths.isEmpty)
        let missing = SchemaPaths.missing(view.paths, in: schema)
        #expect(missing.isEmpty, "\(view.definition): not in the schema: \(missing.map(\.description))")
    }

    @Test(arguments: views.indices)
    func theViewDeclaresEveryPathItNames(_ index: Int) throws {
        let view = Self.views[index]
        let uses = try ViewSourcePaths.uses(in: [ViewSourcePaths.source("KubeControllers/Views/\(view.file)")])
        #expect(!uses.isEmpty)
        let undeclared = ViewSourcePaths.undeclared(uses, declared: view.paths)
        #expect(undeclared.isEmpty, "\(view.file) names paths its fieldPaths lacks: \(undeclared.map(\.description))")
    }

    @Test func aMisspeltPathIsReported() throws {
        let schema = try SchemaPaths.builtinSchema("io.k8s.api.apps.v1.Deployment")
        #expect(SchemaPaths.has(schema, "spec.strategy.rollingUpdate.maxSurge"))
        #expect(!SchemaPaths.has(schema, "spec.strategy.rollingUpdate.maxSurges"))
    }
}
