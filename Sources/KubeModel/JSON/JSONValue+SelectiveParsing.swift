/// The paths of a document worth building: every key along each path is kept, and the whole
/// value at a path's end; everything else is skipped unparsed.
public struct JSONPathSet: Sendable, Equatable {
    var children: [String: JSONPathSet] = [:]
    /// True at a path's end: the value here is kept whole.
    var keepsAll = false

    public init(_ paths: [[String]]) {
        for path in paths { insert(path[...]) }
    }

    private mutating func insert(_ path: ArraySlice<String>) {
        guard let first = path.first else {
            keepsAll = true
            return
        }
        children[first, default: JSONPathSet([])].insert(path.dropFirst())
    }
}

extension JSONValue {
    /// Parses `bytes` building only the values under `paths` (and the objects that lead to
    /// them); members of an object off every path are skipped without being built. Reading a
    /// label selector's labels or a field selector's fields out of a stored object costs a
    /// scan instead of a tree.
    ///
    /// Skipped values are scanned, not validated: this is for documents known to be JSON
    /// (the store's own encodings). Malformed input still fails with an error, never a trap.
    public init(parsing bytes: [UInt8], keeping paths: JSONPathSet) throws(JSONParseError) {
        var parser = JSONByteParser(bytes: bytes, maximumDepth: JSONValue.maximumNestingDepth)
        self = try parser.parseSelectedDocument(paths)
    }
}

extension JSONByteParser {
    mutating func parseSelectedDocument(_ paths: JSONPathSet) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        return try parseSelected(paths)
    }

    private mutating func parseSelected(_ paths: JSONPathSet) throws(JSONParseError) -> JSONValue {
        guard !paths.keepsAll, index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return try parseValue() }
        index += 1
        var fields: [String: JSONValue] = [:]
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw JSONParseError(offset: index, reason: "unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(fields)
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "\"") else { throw JSONParseError(offset: index, reason: "expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw JSONParseError(offset: index, reason: "expected ':'")
            }
            index += 1
            skipWhitespace()
            if let child = paths.children[key] {
                fields[key] = try parseSelected(child)
            } else {
                try skipValue()
            }
        }
    }

    /// Moves past one value: strings are skipped escape by escape, arrays and objects by
    /// counting brackets (no recursion), scalars up to the next delimiter.
    private mutating func skipValue() throws(JSONParseError) {
        var open = 0
        repeat {
            guard index < bytes.count else { throw JSONParseError(offset: index, reason: "unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { throw JSONParseError(offset: index, reason: "unterminated string") }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                open += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard open > 0 else { return }
                open -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09:
                guard open > 0 else { return }
                index += 1
            default:
                index += 1
            }
        } while open > 0 || (index < bytes.count && !Self.endsScalar(bytes[index]))
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return true
        default: return false
        }
    }
}
