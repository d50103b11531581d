import Foundation

/// A request body that is not a cluster specification at all: not JSON, or a field of the
/// wrong JSON type. The REST layer answers 400 "malformed JSON" with ``description``.
public struct MalformedClusterSpec: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field path where decoding stopped (`nodeGroups[0].count`), empty for the body.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String {
        field.isEmpty ? "malformed JSON: \(reason)" : "malformed JSON at \(field): \(reason)"
    }
}

extension ClusterSpec {
    /// Decodes a request body. Only JSON-level problems throw; everything else (unknown
    /// enumeration values, missing fields, limits) is left to ``ClusterSpecValidation``.
    public static func decode(from body: Data) throws(MalformedClusterSpec) -> ClusterSpec {
        do {
            return try JSONDecoder().decode(ClusterSpec.self, from: body)
        } catch let error as DecodingError {
            throw MalformedClusterSpec(decoding: error)
        } catch {
            throw MalformedClusterSpec(field: "", reason: String(describing: error))
        }
    }

    /// The specification as compact JSON with sorted keys (the stored `spec`).
    public func encodedJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a plain value or a JSONValue: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}

extension MalformedClusterSpec {
    init(decoding error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(field: Self.path(context.codingPath), reason: "expected \(Self.jsonName(of: type))")
        case .valueNotFound(let type, let context):
            self.init(field: Self.path(context.codingPath), reason: "expected \(Self.jsonName(of: type)), found null")
        case .keyNotFound(let key, let context):
            self.init(field: Self.path(context.codingPath + [key]), reason: "missing")
        case .dataCorrupted(let context):
            // The underlying parser's message says where the JSON breaks.
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            self.init(field: Self.path(context.codingPath), reason: underlying ?? context.debugDescription)
        @unknown default:
            self.init(field: "", reason: String(describing: error))
        }
    }

    /// moxxie's field path notation: `nodeGroups[0].template.cores`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "a boolean"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
