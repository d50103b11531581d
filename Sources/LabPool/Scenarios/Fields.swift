import KubeModel

/// A mapping of a scenario file read with its fields' types checked; errors name the file and
/// the field from the top of the file (`validation[2].resource.kind`).
struct Fields {
    let fields: [String: JSONValue]
    let prefix: String
    let file: String

    init(_ json: JSONValue, file: String, prefix: String = "") throws(ScenarioFileError) {
        guard let fields = json.objectValue else {
            throw ScenarioFileError(file: file, field: prefix.isEmpty ? nil : prefix, "must be a mapping, not a \(json.typeName)")
        }
        self.fields = fields
        self.prefix = prefix
        self.file = file
    }

    func name(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    func error(_ key: String, _ problem: String) -> ScenarioFileError {
        ScenarioFileError(file: file, field: name(key), problem)
    }

    func onlyKeys(_ known: Set<String>) throws(ScenarioFileError) {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw error(unknown, "is not a known field here (\(known.sorted().joined(separator: ", ")))")
        }
    }

    /// A string; a number or a boolean is taken as its text, as Go's YAML decoder does for a
    /// string field.
    func text(_ key: String, required: Bool, allowEmpty: Bool = false, maximum: Int = 65_536) throws(ScenarioFileError) -> String? {
        guard let value = fields[key], value != .null else {
            if required { throw error(key, "is required") }
            return nil
        }
        switch value {
        case .string, .int, .double, .bool:
            let text = ValidationRule.text(value)
            if required, !allowEmpty, text.isEmpty { throw error(key, "must not be empty") }
            guard text.utf8.count <= maximum else { throw error(key, "is longer than \(maximum) bytes") }
            return text
        default:
            throw error(key, "must be a string, not a \(value.typeName)")
        }
    }

    func integer(_ key: String) throws(ScenarioFileError) -> Int64? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .int(let number) = value else { throw error(key, "must be an integer, not a \(value.typeName)") }
        return number
    }

    /// A scalar value (kept as its JSON type); lists and mappings are refused.
    func scalar(_ key: String) throws(ScenarioFileError) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        switch value {
        case .array, .object: throw error(key, "must be a single value, not a \(value.typeName)")
        default: return value
        }
    }

    func nested(_ key: String) throws(ScenarioFileError) -> Fields {
        guard let value = fields[key] else { throw error(key, "is required") }
        return try Fields(value, file: file, prefix: name(key))
    }

    func strings(_ key: String) throws(ScenarioFileError) -> [String]? {
        guard let value = fields[key], value != .null else { return nil }
        guard let items = value.arrayValue else { throw error(key, "must be a list of strings, not a \(value.typeName)") }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            switch item {
            case .string, .int, .double, .bool: texts.append(ValidationRule.text(item))
            default: throw ScenarioFileError(file: file, field: "\(name(key))[\(index)]", "must be a string, not a \(item.typeName)")
            }
        }
        return texts
    }
}
