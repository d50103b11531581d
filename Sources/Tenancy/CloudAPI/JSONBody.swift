import Hummingbird
import KubeModel

/// A cloudapi request body: a JSON object of bounded size, or a 400 JSON error (nothing is
/// created from a body that does not parse).
enum JSONBody {
    static let maximumBytes = 1 << 20

    static func read(_ request: Request) async throws -> JSONValue {
        let buffer = try await BoundedBody.collect(request, upTo: maximumBytes)
        let value: JSONValue
        do {
            value = try JSONValue(parsing: buffer.readableBytesView, maximumDepth: 16)
        } catch {
            throw VCDError.badRequest("The request body is not valid JSON: \(error.description)")
        }
        guard value.objectValue != nil else { throw VCDError.badRequest("The request body must be a JSON object.") }
        return value
    }

    /// A string field; 400 when present with another type or too long; nil when absent or null.
    static func string(_ body: JSONValue, _ key: String, maximum: Int = TenancyValidation.maximumTextLength) throws(VCDError)
        -> String?
    {
        guard let value = body[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw .badRequest("\(key) must be a string.") }
        guard text.count <= maximum else { throw .badRequest("\(key) is longer than \(maximum) characters.") }
        return text
    }

    static func bool(_ body: JSONValue, _ key: String) throws(VCDError) -> Bool? {
        guard let value = body[key], value != .null else { return nil }
        guard let flag = value.boolValue else { throw .badRequest("\(key) must be true or false.") }
        return flag
    }
}

/// Ids in paths: a bare UUID (legacy hrefs) or `urn:vcloud:<kind>:<uuid>` (cloudapi, ssvirt).
enum EntityID {
    static func uuid(_ text: String, kind: String) throws(VCDError) -> String {
        let prefix = "urn:vcloud:\(kind):"
        let candidate = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        guard TenancyNames.isUUID(candidate) else {
            throw .badRequest("\(text.prefix(80)) is not a \(kind) id (\(prefix)<uuid> or a lower-case UUID).")
        }
        return candidate
    }
}
