import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// Scenarios kept as files (`virtyard serve --lab-scenarios DIR`, in Virtyard's format or
/// cks-backend's: ``ScenarioDirectory``), checked when the server starts and applied as
/// `LabScenario` objects at the start of every term: created, or their spec replaced by the
/// file's. Scenarios made through the API are left alone.
public struct ScenarioFiles: Sendable {
    /// Where a scenario came from, on the object.
    public static let sourceAnnotation = "virtyard.io/source-file"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let scenarios: [JSONValue]
    /// From the directory's `categories.yaml` (cks-backend's), if it has one.
    public let categories: ScenarioCategories?

    /// Reads and checks the directory. The error names the file, and the field when one is
    /// to blame.
    public init(directory: String, limits: ScenarioLimits = ScenarioLimits()) throws(Failure) {
        let contents: ScenarioDirectory.Contents
        do {
            contents = try ScenarioDirectory.read(directory, limits: limits)
        } catch {
            throw Failure(description: error.description)
        }
        try self.init(contents.documents, categories: contents.categories)
    }

    /// `documents`: each object with the file it came from. Anything that is not a valid
    /// LabScenario, or a name given twice, is refused with the file named.
    public init(_ documents: [(file: String, object: JSONValue)], categories: ScenarioCategories? = nil) throws(Failure) {
        var seen: [String: String] = [:]
        var scenarios: [JSONValue] = []
        for (file, object) in documents {
            guard object.kind == "LabScenario", object["apiVersion"]?.stringValue == Lab.apiVersion,
                let name = object.name, !name.isEmpty
            else {
                throw Failure(description: "\(file): not a LabScenario (apiVersion \(Lab.apiVersion)) with a name")
            }
            if let earlier = seen[name] { throw Failure(description: "\(file): scenario \(name) is also in \(earlier)") }
            guard ScenarioFolder.isObjectName(name) else {
                throw Failure(description: "\(file): metadata.name: \"\(name)\" is not a valid object name")
            }
            seen[name] = file
            do {
                _ = try Scenario(object)
            } catch {
                throw Failure(description: "\(file): \(error.description)")
            }
            var scenario = LabScenarioObject(object)
            if scenario.sourceFile == nil { scenario.sourceFile = file }
            if let categories, scenario.categories == nil { scenario.categories = categories.stored }
            scenarios.append(scenario.object)
        }
        self.scenarios = scenarios
        self.categories = categories
    }

    /// Creates each scenario, or replaces the spec of the one already there.
    func apply(to api: any KubernetesAPI, logger: Logger) async {
        for scenario in scenarios {
            let name = scenario.name ?? ""
            do {
                let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.labScenarios, object: scenario)
                }
                if created == nil {
                    var current = LabScenarioObject(try await api.get(.labScenarios, name: name))
                    let loaded = LabScenarioObject(scenario)
                    current.spec = loaded.spec
                    current.sourceFile = loaded.sourceFile
                    _ = try await api.update(.labScenarios, object: current.object)
                }
                logger.info("lab scenario applied from its file", metadata: ["scenario": "\(name)"])
            } catch {
                // The files were checked at start-up; what the API still refuses is reported
                // and the other scenarios go on.
                logger.error("could not apply a lab scenario from its file", metadata: ["scenario": "\(name)", "error": "\(error)"])
            }
        }
    }
}

/// Applies the scenario files once per term, then stays until shutdown like its siblings.
struct ScenarioLoader: Service {
    let files: ScenarioFiles
    let api: any KubernetesAPI
    let logger: Logger

    func run() async throws {
        await files.apply(to: api, logger: logger)
        try await gracefulShutdown()
    }
}
