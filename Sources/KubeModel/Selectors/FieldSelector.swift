import Foundation

/// Equality conditions on fields of an object: the `?fieldSelector=` of list, watch and
/// deletecollection requests (`metadata.name=foo,status.phase!=Running`).
///
/// Kubernetes only accepts a few fields per kind; the server checks `requirements`
/// against its own table before matching.
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, Equatable {
        /// `=` and `==` are the same operator.
        case equals = "="
        case notEquals = "!="
    }

    public struct Requirement: Sendable, Equatable, CustomStringConvertible {
        /// A dotted path into the object, e.g. `spec.nodeName`.
        public var field: String
        public var op: Operator
        /// The value, unescaped.
        public var value: String

        public init(field: String, op: Operator, value: String) {
            self.field = field
            self.op = op
            self.value = value
        }

        public func matches(_ object: JSONValue) -> Bool {
            let actual = FieldSelector.fieldValue(of: object, at: field)
            switch op {
            case .equals: return actual == value
            case .notEquals: return actual != value
            }
        }

        /// The requirement in the query syntax, with the value escaped again.
        public var description: String { "\(field)\(op.rawValue)\(FieldSelector.escape(value))" }
    }

    public private(set) var requirements: [Requirement]

    /// Selects every object.
    public static let everything = FieldSelector(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { $0.matches(object) }
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// The text a field selector compares: strings as they are, other scalars as their JSON
    /// text (`true`, `3`), and a missing field or `null` as the empty string — which is how
    /// `spec.nodeName=` finds unscheduled pods.
    public static func fieldValue(of object: JSONValue, at field: String) -> String {
        let path = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch object[path: path] {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case let other?: return other.serializedString()
        }
    }

    static func escape(_ value: String) -> String {
        var output = ""
        for character in value {
            switch character {
            case "\\": output += "\\\\"
            case ",": output += "\\,"
            case "=": output += "\\="
            default: output.append(character)
            }
        }
        return output
    }
}

extension FieldSelector {
    /// Parses `field=value`, `field==value` and `field!=value` terms separated by commas.
    /// A value may carry `\,`, `\=` and `\\` escapes; any other escape, or an unescaped
    /// `=` or `,` inside a value, is refused as Kubernetes refuses it. The empty string
    /// selects everything.
    public init(parsing text: String) throws(SelectorParseError) {
        func failure(_ reason: String) -> SelectorParseError { SelectorParseError(selector: text, reason: reason) }
        var requirements: [Requirement] = []
        for term in Self.splitTerms(text) {
            if term.allSatisfy(\.isWhitespace) { continue }
            guard let (lhs, op, rhs) = Self.splitTerm(term) else {
                throw failure("can't understand '\(term)': expected field=value, field==value or field!=value")
            }
            let field = lhs.trimmingCharacters(in: .whitespaces)
            if field.isEmpty { throw failure("the term '\(term)' has no field name") }
            let value: String
            do {
                value = try Self.unescape(rhs)
            } catch {
                throw failure("in the value of \"\(field)\": \(error.message)")
            }
            requirements.append(Requirement(field: field, op: op, value: value))
        }
        self.init(requirements: requirements)
    }

    /// Splits on commas that are not escaped; escapes stay in the terms.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    /// Finds the first operator that is not escaped.
    private static func splitTerm(_ term: String) -> (String, Operator, String)? {
        let characters = Array(term)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "!" && next == "=" {
                return (String(characters[..<index]), .notEquals, String(characters[(index + 2)...]))
            }
            if character == "=" {
                let width = next == "=" ? 2 : 1
                return (String(characters[..<index]), .equals, String(characters[(index + width)...]))
            }
            index += 1
        }
        return nil
    }

    private struct EscapeError: Error {
        var message: String
    }

    private static func unescape(_ text: String) throws(EscapeError) -> String {
        var output = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "\\", ",", "=": output.append(character)
                default: throw EscapeError(message: "invalid escape sequence '\\\(character)'")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == "=" {
                throw EscapeError(message: "unescaped '\(character)' (write '\\\(character)')")
            } else {
                output.append(character)
            }
        }
        if escaped { throw EscapeError(message: "trailing '\\' with nothing to escape") }
        return output
    }
}
