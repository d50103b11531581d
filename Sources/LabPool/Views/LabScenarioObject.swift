import KubeModel

/// A LabScenario (`virtyard.io/v1alpha1`, cluster-scoped): objects set up in a session's
/// cluster and the tasks checked in it, as stored. ``Scenario`` is the same read and checked.
/// Schema: `Sources/LabPool/CRDs/virtyard.io_labscenarios.yaml`.
public struct LabScenarioObject: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let kind = "LabScenario"

    public enum Field {
        public static let spec: FieldPath = "spec"
        public static let title: FieldPath = "spec.title"
        public static let description: FieldPath = "spec.description"
        public static let setup: FieldPath = "spec.setup"
        public static let tasks: FieldPath = "spec.tasks"
    }

    /// The keys ``Scenario`` reads in each task and in each of its checks.
    static let taskKeys = ["id", "title", "description", "checks"]
    static let checkKeys = ["type", "apiVersion", "kind", "namespace", "name", "path", "value"]

    public static let fieldPaths: [FieldPath] =
        [
            Field.spec, Field.title, Field.description, Field.setup, Field.tasks,
            Field.setup.appending("[]"),
        ]
        + taskKeys.map { Field.tasks.appending(FieldPath([FieldPath.items, $0])) }
        + checkKeys.map { Field.tasks.appending(FieldPath([FieldPath.items, "checks", FieldPath.items, $0])) }

    /// `spec` whole: a scenario from a file replaces the stored one's.
    public var spec: JSONValue? {
        get { object[field: Field.spec] }
        set { object[field: Field.spec] = newValue }
    }

    public var title: String? { object[field: Field.title]?.stringValue }
    public var description: String? { object[field: Field.description]?.stringValue }
    /// The objects to create in the session's cluster.
    public var setup: [JSONValue] { object[field: Field.setup]?.arrayValue ?? [] }
    /// The tasks as stored; ``Scenario`` reads each.
    public var tasks: [JSONValue] { object[field: Field.tasks]?.arrayValue ?? [] }

    /// The file the scenario came from (`--lab-scenarios`), if it came from one.
    public var sourceFile: String? {
        get { annotations[ScenarioFiles.sourceAnnotation] }
        set { annotations[ScenarioFiles.sourceAnnotation] = newValue }
    }
}
