import Foundation

/// RFC 6902 JSON patch (`application/json-patch+json`): an ordered list of operations,
/// applied all or nothing — an error in any operation leaves the caller's document as it
/// was, because the document is a value and only the result is returned.
///
/// Unlike the other patch kinds, a JSON patch can grow a document without bound: each `add`
/// may nest its value under the previous one, each `copy` may double the document. So the
/// growth is bounded per operation, before the document is ever walked as a whole.
public enum JSONPatch {
    /// What one patch may do, as kube-apiserver bounds it.
    public struct Limits: Sendable {
        /// kube-apiserver refuses patches of more operations ("The allowed operations in a
        /// JSON patch request is 10000").
        public var operations = 10_000
        /// The deepest the result may nest.
        public var depth = JSONValue.maximumNestingDepth
        /// About how many bytes `copy` operations may add in all.
        public var copiedBytes = 3 << 20

        public init() {}
    }

    public static func apply(_ patch: JSONValue, to document: JSONValue, limits: Limits = Limits()) throws(PatchError) -> JSONValue {
        guard let operations = patch.arrayValue else {
            throw PatchError(reason: "a JSON patch must be an array of operations, not \(patch.typeName)")
        }
        guard operations.count <= limits.operations else {
            throw PatchError(reason: "the allowed operations in a JSON patch request is \(limits.operations), got \(operations.count)")
        }
        var budget = Budget(limits: limits)
        var result = document
        for (index, operation) in operations.enumerated() {
            result = try applyOperation(operation, number: index, to: result, budget: &budget)
        }
        return result
    }

    /// What the operations applied so far have used of the limits.
    private struct Budget {
        let limits: Limits
        var copiedBytes = 0

        /// Refuses a value placed `at` a path whose result would nest too deeply.
        func checkDepth(of value: JSONValue, at path: JSONPointer, number: Int) throws(PatchError) {
            let room = limits.depth - path.tokens.count
            if room < 0 || value.nestingDepthExceeds(room) {
                throw PatchError(
                    reason: "operation \(number): the result would nest deeper than \(limits.depth) levels",
                    path: path.text)
            }
        }

        mutating func chargeCopy(of value: JSONValue, at path: JSONPointer, number: Int) throws(PatchError) {
            copiedBytes += value.approximateSize(upTo: limits.copiedBytes - copiedBytes + 1)
            if copiedBytes > limits.copiedBytes {
                throw PatchError(
                    reason: "operation \(number): copies in this patch exceed \(limits.copiedBytes) bytes",
                    path: path.text)
            }
        }
    }

    private static func applyOperation(
        _ operation: JSONValue, number: Int, to document: JSONValue,
        budget: inout Budget
    ) throws(PatchError) -> JSONValue {
        guard let fields = operation.objectValue else {
            throw PatchError(reason: "operation \(number) must be an object, not \(operation.typeName)")
        }
        guard let op = fields["op"]?.stringValue else {
            throw PatchError(reason: "operation \(number) has no \"op\" string")
        }
        guard let pathText = fields["path"]?.stringValue else {
            throw PatchError(reason: "operation \(number) (\(op)) has no \"path\" string")
        }
        func failure(_ reason: String, _ at: String? = nil) -> PatchError {
            PatchError(reason: "operation \(number) (\(op)): \(reason)", path: at ?? pathText)
        }
        let path = try JSONPointer(pathText, operation: number)

        func requiredValue() throws(PatchError) -> JSONValue {
            guard let value = fields["value"] else { throw failure("missing \"value\"") }
            return value
        }
        func fromPointer() throws(PatchError) -> JSONPointer {
            guard let from = fields["from"]?.stringValue else { throw failure("missing \"from\"") }
            return try JSONPointer(from, operation: number)
        }

        switch op {
        case "add":
            let value = try requiredValue()
            try budget.checkDepth(of: value, at: path, number: number)
            return try path.adding(value, to: document, failure)
        case "remove":
            return try path.removing(from: document, failure).document
        case "replace":
            let value = try requiredValue()
            try budget.checkDepth(of: value, at: path, number: number)
            _ = try path.value(in: document, failure)
            if path.tokens.isEmpty { return value }
            let removed = try path.removing(from: document, failure).document
            return try path.adding(value, to: removed, failure)
        case "move":
            let from = try fromPointer()
            if from == path { return document }
            if from.isProperPrefix(of: path) {
                throw failure("cannot move \"\(from.text)\" into one of its own children", pathText)
            }
            let (removed, value) = try from.removing(from: document) { reason, _ in failure(reason, from.text) }
            try budget.checkDepth(of: value, at: path, number: number)
            return try path.adding(value, to: removed, failure)
        case "copy":
            let from = try fromPointer()
            let value = try from.value(in: document) { reason, _ in failure(reason, from.text) }
            try budget.checkDepth(of: value, at: path, number: number)
            try budget.chargeCopy(of: value, at: path, number: number)
            return try path.adding(value, to: document, failure)
        case "test":
            let expected = try requiredValue()
            let actual = try path.value(in: document, failure)
            guard actual.isEquivalent(to: expected) else {
                throw failure("test failed: value is \(actual.serializedString()), expected \(expected.serializedString())")
            }
            return document
        default:
            throw failure("unknown operation \"\(op)\" (expected add, remove, replace, move, copy or test)")
        }
    }
}

/// An RFC 6901 pointer, decoded into reference tokens.
struct JSONPointer: Equatable {
    let text: String
    let tokens: [String]

    init(_ text: String, operation: Int) throws(PatchError) {
        self.text = text
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw PatchError(reason: "operation \(operation): a JSON pointer must be empty or start with '/'", path: text)
        }
        var decoded: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let character = iterator.next() {
                guard character == "~" else {
                    token.append(character)
                    continue
                }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default:
                    throw PatchError(reason: "operation \(operation): '~' must be followed by '0' or '1' in a JSON pointer", path: text)
                }
            }
            decoded.append(token)
        }
        tokens = decoded
    }

    static func == (left: JSONPointer, right: JSONPointer) -> Bool { left.tokens == right.tokens }

    func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && Array(other.tokens.prefix(tokens.count)) == tokens
    }

    typealias Failure = (String, String?) -> PatchError

    /// An array index token: digits only, no leading zero, within `0..<limit` (or `...limit` when appending).
    private static func index(_ token: String, count: Int, allowEnd: Bool, _ failure: Failure) throws(PatchError) -> Int {
        if token == "-" {
            if allowEnd { return count }
            throw failure("'-' refers to the nonexistent element after the end of the array", nil)
        }
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }), token == "0" || !token.hasPrefix("0"),
            let index = Int(token)
        else {
            throw failure("\"\(token)\" is not a valid array index", nil)
        }
        let limit = allowEnd ? count : count - 1
        guard index <= limit else {
            throw failure("array index \(index) is out of bounds (the array has \(count) elements)", nil)
        }
        return index
    }

    func value(in document: JSONValue, _ failure: Failure) throws(PatchError) -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let fields):
                guard let child = fields[token] else { throw failure("path does not exist: no member \"\(token)\"", nil) }
                current = child
            case .array(let items):
                current = items[try Self.index(token, count: items.count, allowEnd: false, failure)]
            default:
                throw failure("path does not exist: cannot look up \"\(token)\" in a \(current.typeName)", nil)
            }
        }
        return current
    }

    func adding(_ value: JSONValue, to document: JSONValue, _ failure: Failure) throws(PatchError) -> JSONValue {
        guard let last = tokens.last else { return value }
        return try Self.update(document, tokens: tokens.dropLast(), failure) { (parent) throws(PatchError) -> JSONValue in
            switch parent {
            case .object(var fields):
                fields[last] = value
                return .object(fields)
            case .array(var items):
                items.insert(value, at: try Self.index(last, count: items.count, allowEnd: true, failure))
                return .array(items)
            default:
                throw failure("cannot add \"\(last)\" to a \(parent.typeName)", nil)
            }
        }
    }

    func removing(from document: JSONValue, _ failure: Failure) throws(PatchError) -> (document: JSONValue, removed: JSONValue) {
        guard let last = tokens.last else { throw failure("cannot remove the whole document", nil) }
        var removed: JSONValue = .null
        let updated = try Self.update(document, tokens: tokens.dropLast(), failure) { (parent) throws(PatchError) -> JSONValue in
            switch parent {
            case .object(var fields):
                guard let value = fields.removeValue(forKey: last) else {
                    throw failure("path does not exist: no member \"\(last)\"", nil)
                }
                removed = value
                return .object(fields)
            case .array(var items):
                removed = items.remove(at: try Self.index(last, count: items.count, allowEnd: false, failure))
                return .array(items)
            default:
                throw failure("path does not exist: cannot look up \"\(last)\" in a \(parent.typeName)", nil)
            }
        }
        return (updated, removed)
    }

    /// Rebuilds `document` with the value at `tokens` passed through `change`.
    private static func update(
        _ document: JSONValue, tokens: ArraySlice<String>, _ failure: Failure,
        _ change: (JSONValue) throws(PatchError) -> JSONValue
    ) throws(PatchError) -> JSONValue {
        guard let first = tokens.first else { return try change(document) }
        let rest = tokens.dropFirst()
        switch document {
        case .object(var fields):
            guard let child = fields[first] else { throw failure("path does not exist: no member \"\(first)\"", nil) }
            fields[first] = try update(child, tokens: rest, failure, change)
            return .object(fields)
        case .array(var items):
            let position = try index(first, count: items.count, allowEnd: false, failure)
            items[position] = try update(items[position], tokens: rest, failure, change)
            return .array(items)
        default:
            throw failure("path does not exist: cannot look up \"\(first)\" in a \(document.typeName)", nil)
        }
    }
}
