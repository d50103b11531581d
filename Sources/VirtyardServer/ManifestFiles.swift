import Foundation
import KubeModel
import Yams

/// The Kubernetes objects in a directory of manifests: every `*.yaml`, `*.yml` and `*.json`
/// file, in name order, several `---`-separated documents per file allowed, empty documents
/// skipped. What the objects must be is the caller's business.
public enum ManifestFiles {
    public struct Document: Sendable {
        /// The file's name within the directory.
        public var file: String
        public var object: JSONValue
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(directory: String) throws(Failure) -> [Document] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw Failure(description: "cannot read the directory \(directory): \(error.localizedDescription)")
        }
        var documents: [Document] = []
        for file in files where [".yaml", ".yml", ".json"].contains(where: file.hasSuffix) {
            do {
                let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
                // The sequence ends at a parse error rather than throwing it: ask it afterwards,
                // or a broken file would read as its documents before the error.
                var nodes = try Yams.compose_all(yaml: text)
                var index = -1
                while let node = nodes.next() {
                    index += 1
                    // Checked before Yams builds Swift values from the tree: its constructor
                    // force-unwraps mapping keys that are not scalars (found by the fuzzer).
                    var budget = maximumNodes
                    try checkTree(node, document: index + 1, depth: 0, budget: &budget)
                    let document = node.any
                    if document is NSNull { continue }
                    let object = try json(document, depth: 0)
                    guard object.objectValue != nil else {
                        throw Failure(description: "document \(index + 1) is a \(object.typeName), not an object")
                    }
                    documents.append(Document(file: file, object: object))
                }
                if let error = nodes.error { throw error }
            } catch {
                throw Failure(description: "\(file): \(error)")
            }
        }
        return documents
    }

    /// Bounds what one document may expand to: aliases make a few lines stand for millions of
    /// nodes ("billion laughs").
    static let maximumNodes = 1_000_000

    private static func checkTree(_ node: Yams.Node, document: Int, depth: Int, budget: inout Int) throws(Failure) {
        budget -= 1
        guard budget >= 0 else {
            throw Failure(description: "document \(document) expands to more than \(maximumNodes) nodes")
        }
        guard depth <= JSONValue.maximumNestingDepth else {
            throw Failure(description: "document \(document) nests deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch node {
        case .scalar, .alias:
            return
        case .sequence(let sequence):
            for item in sequence { try checkTree(item, document: document, depth: depth + 1, budget: &budget) }
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else {
                    throw Failure(description: "document \(document), line \(key.mark?.line ?? 0): a mapping key must be a string")
                }
                try checkTree(value, document: document, depth: depth + 1, budget: &budget)
            }
        }
    }

    /// A YAML value as JSON. Done here rather than through `JSONSerialization`, which stops
    /// the process (an Objective-C exception) on a value that is not an array or a dictionary
    /// at the top, or on a YAML timestamp.
    static func json(_ value: Any, depth: Int) throws(Failure) -> JSONValue {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw Failure(description: "nested deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch value {
        case is NSNull: return .null
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(Int64(number))
        case let number as Double:
            guard number.isFinite else { throw Failure(description: "\(number) is not a JSON number") }
            return .double(number)
        case let text as String: return .string(text)
        case let date as Date: return .string(Timestamp.string(date))
        case let data as Data: return .string(data.base64EncodedString())
        case let items as [Any]:
            var converted: [JSONValue] = []
            for item in items { converted.append(try json(item, depth: depth + 1)) }
            return .array(converted)
        case let fields as [AnyHashable: Any]:
            var converted: [String: JSONValue] = [:]
            for (key, item) in fields {
                guard let name = key.base as? String else {
                    throw Failure(description: "the key \(key.base) is not a string")
                }
                converted[name] = try json(item, depth: depth + 1)
            }
            return .object(converted)
        default:
            throw Failure(description: "\(type(of: value)) is not a JSON value")
        }
    }
}
