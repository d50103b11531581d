import Foundation
import KubeModel

/// What the web console reads beyond the capacity API's routes (the recent migrations in the
/// capacity namespace), and the scenario loading that `POST /scenario` and the console's
/// upload share.
extension CapacityService {
    /// The newest migrations of the capacity namespace (from the cache), newest first, at most
    /// `limit`; empty before the service is attached.
    package func recentMigrations(limit: Int) -> [VirtualMachineInstanceMigration] {
        guard let cluster = connected else { return [] }
        return cluster.migrations.list(namespace: configuration.namespace)
            .map(VirtualMachineInstanceMigration.init)
            .sorted { ($0.creationDate ?? .distantPast, $0.name) > ($1.creationDate ?? .distantPast, $1.name) }
            .prefix(max(0, limit)).map { $0 }
    }

    /// Parses and loads a scenario body (node-classifier-sim's exporter body or a scenario file;
    /// `choose` picks one of several) and places it: a bad body is a `badRequest` naming what
    /// is wrong, and changes nothing.
    package func loadScenario(_ body: JSONValue, choose: String?) async throws(CapacityError) -> JSONValue {
        // The name fields are read only when they are strings: one that is not is a mistake
        // to name, not to skip.
        if body["nodes"] != nil {
            for field in ["name", "scenario"] {
                guard let value = body[field] else { continue }
                guard let text = value.stringValue, !text.isEmpty else {
                    throw CapacityError(.badRequest, "field \"\(field)\" must be a non-empty string (the scenario's name)")
                }
            }
        }
        let scenario: CapacityScenario
        do throws(ScenarioError) {
            scenario = try CapacityScenario(
                json: body, choose: choose, nodeCores: configuration.nodeCPU.doubleValue,
                nodeMemory: Double(configuration.nodeMemory.value))
        } catch {
            throw CapacityError(.badRequest, error.message)
        }
        return try await load(scenario)
    }
}

extension RebalanceRound {
    /// A round as the console's tests describe one.
    package init(at time: Date, spreadBefore: Double, spreadAfter: Double, migrations: [JSONValue]) {
        self.time = time
        self.spreadBefore = spreadBefore
        self.spreadAfter = spreadAfter
        self.migrations = migrations
    }
}
