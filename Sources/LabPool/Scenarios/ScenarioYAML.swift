import Foundation
import KubeModel
import Yams

/// Scenario files read into JSON values, within ``ScenarioLimits``: the file's size is
/// checked before it is read, the YAML tree's size and depth before any value is built from
/// it, and every mapping key must be a string.
enum ScenarioYAML {
    /// Every document of the file (`---`-separated), empty ones skipped.
    static func documents(file: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> [JSONValue] {
        try documents(text: try read(file: file, path: path, limits: limits), file: file, limits: limits)
    }

    /// Every document of `text` (from `file`), empty ones skipped.
    static func documents(text: String, file: String, limits: ScenarioLimits) throws(ScenarioFileError) -> [JSONValue] {
        let parsed: YamlSequence<Yams.Node>
        do {
            parsed = try Yams.compose_all(yaml: text)
        } catch {
            throw ScenarioFileError(file: file, "is not valid YAML: \(error)")
        }
        var documents: [JSONValue] = []
        var sequence = parsed
        // The sequence keeps a parse error to itself and just ends: asked for after the loop,
        // or a broken document would silently end the file.
        while let node = sequence.next() {
            var budget = limits.yamlNodes
            let value = try json(node, file: file, document: documents.count + 1, depth: 0, budget: &budget, limits: limits)
            if value != .null { documents.append(value) }
        }
        if let error = sequence.error {
            throw ScenarioFileError(file: file, "is not valid YAML: \(error)")
        }
        return documents
    }

    /// The file's one document, which must be a mapping (an empty file is an empty mapping).
    static func mapping(file: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> [String: JSONValue] {
        let documents = try documents(file: file, path: path, limits: limits)
        guard documents.count <= 1 else { throw ScenarioFileError(file: file, "holds \(documents.count) YAML documents; one is expected") }
        guard let document = documents.first else { return [:] }
        guard let fields = document.objectValue else {
            throw ScenarioFileError(file: file, "is a YAML \(document.typeName), not a mapping")
        }
        return fields
    }

    /// The file's text: a regular file of at most `limits.fileBytes`, in UTF-8.
    static func read(file: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> String {
        // Resolved first: a symbolic link to a FIFO or a device would otherwise block or
        // stream forever.
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else {
            throw ScenarioFileError(file: file, "cannot be read")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ScenarioFileError(file: file, "is not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.fileBytes else {
            throw ScenarioFileError(file: file, "is \(size) bytes; a scenario file may have at most \(limits.fileBytes)")
        }
        guard let handle = FileHandle(forReadingAtPath: resolved) else { throw ScenarioFileError(file: file, "cannot be read") }
        defer { try? handle.close() }
        // Read with the bound as well: the file may have grown since it was measured.
        let data: Data
        do {
            data = try handle.read(upToCount: limits.fileBytes + 1) ?? Data()
        } catch {
            throw ScenarioFileError(file: file, "cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= limits.fileBytes else {
            throw ScenarioFileError(file: file, "is larger than \(limits.fileBytes) bytes; a scenario file may have at most that")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ScenarioFileError(file: file, "is not UTF-8 text") }
        return text
    }

    /// A YAML node as JSON: built here node by node, so that the bounds hold while it is
    /// built (Yams' own constructor force-unwraps mapping keys that are not scalars).
    static func json(
        _ node: Yams.Node, file: String, document: Int, depth: Int, budget: inout Int, limits: ScenarioLimits
    ) throws(ScenarioFileError) -> JSONValue {
        budget -= 1
        let line = node.mark.map { ", line \($0.line)" } ?? ""
        guard budget >= 0 else {
            throw ScenarioFileError(file: file, "document \(document) expands to more than \(limits.yamlNodes) YAML nodes")
        }
        guard depth <= limits.depth else {
            throw ScenarioFileError(file: file, "document \(document)\(line) nests deeper than \(limits.depth) levels")
        }
        switch node {
        case .scalar(let scalar):
            // The node's tag, not the scalar's: only the node's is resolved (`0` → int).
            return self.scalar(scalar, tag: node.tag)
        case .alias:
            throw ScenarioFileError(file: file, "document \(document)\(line): an unresolved YAML alias")
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence {
                items.append(try json(item, file: file, document: document, depth: depth + 1, budget: &budget, limits: limits))
            }
            return .array(items)
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw ScenarioFileError(
                        file: file, "document \(document)\(key.mark.map { ", line \($0.line)" } ?? ""): a mapping key must be a string")
                }
                fields[name.string] = try json(value, file: file, document: document, depth: depth + 1, budget: &budget, limits: limits)
            }
            return .object(fields)
        }
    }

    /// A scalar by its resolved tag; a timestamp or binary stays the text it was written as.
    private static func scalar(_ scalar: Yams.Node.Scalar, tag: Tag) -> JSONValue {
        switch tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return Int64.construct(from: scalar).map(JSONValue.int) ?? .string(scalar.string)
        case Tag.Name.float.rawValue:
            guard let number = Double.construct(from: scalar), number.isFinite else { return .string(scalar.string) }
            return .double(number)
        default: return .string(scalar.string)
        }
    }
}
