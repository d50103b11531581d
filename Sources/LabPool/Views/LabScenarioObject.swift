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
        public static let categories: FieldPath = "spec.categories"
    }

    /// The keys ``Scenario`` reads in each task, in each of its checks (Virtyard's format)
    /// and in each of its validation rules (cks-backend's format, ``ValidationRule``).
    static let taskKeys = ["id", "title", "description", "checks", "objective", "steps", "hints", "validation"]
    static let checkKeys = ["type", "apiVersion", "kind", "namespace", "name", "path", "value"]
    static let ruleKeys = ["id", "type", "description", "resource", "command", "script", "file", "condition", "value", "errorMessage"]

    public static let fieldPaths: [FieldPath] =
        [
            Field.spec, Field.title, Field.description, Field.setup, Field.tasks, Field.categories,
            Field.setup.appending("[]"),
        ]
        + taskKeys.map { Field.tasks.appending(FieldPath([FieldPath.items, $0])) }
        + checkKeys.map { Field.tasks.appending(FieldPath([FieldPath.items, "checks", FieldPath.items, $0])) }
        + ruleKeys.map { Field.tasks.appending(FieldPath([FieldPath.items, "validation", FieldPath.items, $0])) }
        + Scenario.detailKeys.map { Field.spec.appending(FieldPath([$0])) }

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

    /// The categories of the directory the scenario came from (id → name, description).
    public var categories: JSONValue? {
        get { object[field: Field.categories] }
        set { object[field: Field.categories] = newValue }
    }

    /// The file the scenario came from (`--lab-scenarios`), if it came from one.
    public var sourceFile: String? {
        get { annotations[ScenarioFiles.sourceAnnotation] }
        set { annotations[ScenarioFiles.sourceAnnotation] = newValue }
    }
}
