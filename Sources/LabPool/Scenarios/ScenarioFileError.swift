/// Why a scenario file was refused at start-up: the file (relative to the `--lab-scenarios`
/// directory), the field within it when one is to blame (`validation[2].resource.kind`), and
/// what is wrong.
public struct ScenarioFileError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var field: String?
    public var problem: String

    public init(file: String, field: String? = nil, _ problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        [file, field, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }
}

/// What a scenario directory may hold before start-up refuses it: hostile or mistaken input
/// (a huge file, a YAML bomb, thousands of folders) gets a named error, never a crash or a
/// stall.
public struct ScenarioLimits: Sendable {
    /// Bytes of one file (a task's Markdown, a validation file, metadata).
    public var fileBytes = 1 << 20
    /// Nodes one YAML document may expand to (aliases make a few lines stand for millions).
    public var yamlNodes = 100_000
    /// Nesting of one YAML document.
    public var depth = 64
    /// Entries of the directory, and of one scenario folder's `tasks/` or `validation/`.
    public var entries = 2_000
    /// Scenarios in the directory.
    public var scenarios = 500
    /// Tasks of one scenario, and rules of one task.
    public var tasks = 100
    public var rules = 100

    public init() {}
}
