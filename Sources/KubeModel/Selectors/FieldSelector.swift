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

        /// The field's path: its dot-separated parts (an empty part stays, so `spec..x`
        /// names nothing rather than `spec.x`).
        public var path: [String] { FieldSelector.path(of: field) }

        public func matches(_ object: JSONValue) -> Bool {
            let actual = FieldSelector.fieldValue(of: object, at: path)
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
        fieldValue(of: object, at: path(of: field))
    }

    static func path(of field: String) -> [String] {
        field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// ``fieldValue(of:at:)`` for a field already split into its path.
    public static func fieldValue(of object: JSONValue, at path: [String]) -> String {
        switch object[path: path] {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case let other?: return other.serializedString()
        }
    }

    /// Works on Unicode scalars, not Characters: a combining mark after `,` or `=` would
    /// otherwise fuse with it into one Character and hide it from the parser (Kubernetes
    /// reads bytes).
    static func escape(_ value: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\", ",", "=": output.append("\\")
            default: break
            }
            output.append(scalar)
        }
        return String(output)
    }
}

extension FieldSelector {
    /// Parses `field=value`, `field==value` and `field!=value` terms separated by commas.
    /// A value may carry `\,`, `\=` and `\\` escapes; any other escape, or an unescaped
    /// `=` or `,` inside a value, is refused as Kubernetes refuses it. The empty string
    /// selects everything.
    ///
    /// Field names are trimmed of spaces and tabs and may not contain `\` or `!`: no
    /// Kubernetes field path does, and a name ending in one of them (`a!` from `a! ==x`)
    /// would print as a different selector (`a!=x`).
    ///
    /// The text is read as Unicode scalars, never as Characters, so that a combining mark
    /// cannot fuse with a `,`, `=` or `\` and hide it.
    public init(parsing text: String) throws(SelectorParseError) {
        func failure(_ reason: String) -> SelectorParseError { SelectorParseError(selector: text, reason: reason) }
        var requirements: [Requirement] = []
        for term in Self.splitTerms(text) {
            if term.allSatisfy(\.properties.isWhitespace) { continue }
            let termText = String(term)
            guard let (lhs, op, rhs) = Self.splitTerm(term) else {
                throw failure("can't understand '\(termText)': expected field=value, field==value or field!=value")
            }
            let field = String(lhs).trimmingCharacters(in: .whitespaces)
            if field.isEmpty { throw failure("the term '\(termText)' has no field name") }
            if let bad = field.unicodeScalars.first(where: { $0 == "\\" || $0 == "!" }) {
                throw failure("invalid field name \"\(field)\": it may not contain '\(bad)'")
            }
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

    private typealias Scalars = String.UnicodeScalarView

    /// Splits on commas that are not escaped; escapes stay in the terms.
    private static func splitTerms(_ text: String) -> [Scalars] {
        var terms: [Scalars] = []
        var current = Scalars()
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                current.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                current.append(scalar)
                escaped = true
            } else if scalar == "," {
                terms.append(current)
                current = Scalars()
            } else {
                current.append(scalar)
            }
        }
        terms.append(current)
        return terms
    }

    /// Finds the first operator that is not escaped.
    private static func splitTerm(_ term: Scalars) -> (Scalars, Operator, Scalars)? {
        let scalars = Array(term)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                index += 2
                continue
            }
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "!" && next == "=" {
                return (Scalars(scalars[..<index]), .notEquals, Scalars(scalars[(index + 2)...]))
            }
            if scalar == "=" {
                let width = next == "=" ? 2 : 1
                return (Scalars(scalars[..<index]), .equals, Scalars(scalars[(index + width)...]))
            }
            index += 1
        }
        return nil
    }

    private struct EscapeError: Error {
        var message: String
    }

    private static func unescape(_ text: Scalars) throws(EscapeError) -> String {
        var output = Scalars()
        var escaped = false
        for scalar in text {
            if escaped {
                switch scalar {
                case "\\", ",", "=": output.append(scalar)
                default: throw EscapeError(message: "invalid escape sequence '\\\(scalar)'")
                }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "," || scalar == "=" {
                throw EscapeError(message: "unescaped '\(scalar)' (write '\\\(scalar)')")
            } else {
                output.append(scalar)
            }
        }
        if escaped { throw EscapeError(message: "trailing '\\' with nothing to escape") }
        return String(output)
    }
}
