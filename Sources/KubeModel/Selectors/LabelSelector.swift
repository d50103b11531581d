import Foundation

/// A set of label requirements, all of which must hold: the `?labelSelector=` of list,
/// watch and deletecollection requests, and the `selector` of workload objects.
///
/// Requirements are kept sorted by key (as Kubernetes sorts them) so that two selectors that
/// differ only in the order they were written compare equal and print the same.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    /// How a requirement compares a label.
    public enum Operator: String, Sendable, Hashable {
        case `in` = "in"
        case notIn = "notin"
        /// `=` and `==` are the same operator.
        case equals = "="
        case notEquals = "!="
        case exists = "exists"
        case doesNotExist = "!"
        /// Numeric comparison, a Kubernetes extension of the string syntax (`k>5`).
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One condition on one label key.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public var key: String
        public var op: Operator
        /// Sorted, without duplicates; empty for `exists` / `doesNotExist`.
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = Array(Set(values)).sorted()
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .in, .equals:
                guard let value else { return false }
                return values.contains(value)
            case .notIn, .notEquals:
                guard let value else { return true }
                return !values.contains(value)
            case .exists:
                return value != nil
            case .doesNotExist:
                return value == nil
            case .greaterThan, .lessThan:
                guard let value, let actual = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return op == .greaterThan ? actual > bound : actual < bound
            }
        }

        /// The requirement in Kubernetes' string syntax.
        public var description: String {
            switch op {
            case .in: return "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
            case .equals: return "\(key)=\(values.first ?? "")"
            case .notEquals: return "\(key)!=\(values.first ?? "")"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            case .greaterThan: return "\(key)>\(values.first ?? "")"
            case .lessThan: return "\(key)<\(values.first ?? "")"
            }
        }
    }

    public private(set) var requirements: [Requirement]
    /// Set for a null `metav1.LabelSelector`, which Kubernetes reads as "select nothing".
    private var selectsNothing: Bool

    /// Selects every object.
    public static let everything = LabelSelector(requirements: [])

    /// Selects no object: what a missing (null) selector means on workload objects.
    public static let nothing: LabelSelector = {
        var selector = LabelSelector(requirements: [])
        selector.selectsNothing = true
        return selector
    }()

    /// Builds a selector from requirements that are already known to be valid.
    public init(requirements: [Requirement]) {
        self.requirements = Self.sortedByKey(requirements)
        self.selectsNothing = false
    }

    /// Equality requirements for every pair, as a `matchLabels` map means; keys and values
    /// are not checked (use `init(json:)` for input from clients).
    public init(matchLabels: [String: String]) {
        self.init(requirements: matchLabels.map { Requirement(key: $0.key, op: .equals, values: [$0.value]) })
    }

    /// True when the selector places no condition (and is not `nothing`).
    public var isEmpty: Bool { requirements.isEmpty && !selectsNothing }

    public func matches(_ labels: [String: String]) -> Bool {
        if selectsNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// The selector in Kubernetes' string syntax (empty for `everything` and `nothing`).
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    private static func sortedByKey(_ requirements: [Requirement]) -> [Requirement] {
        requirements.enumerated()
            .sorted { $0.element.key != $1.element.key ? $0.element.key < $1.element.key : $0.offset < $1.offset }
            .map(\.element)
    }
}

// MARK: - String syntax

extension LabelSelector {
    /// Parses the string form used in `?labelSelector=` and by `kubectl -l`.
    /// The empty string (or only whitespace) selects everything.
    public init(parsing text: String) throws(SelectorParseError) {
        var parser = LabelSelectorParser(text: text)
        let requirements = try parser.parse()
        self.init(requirements: requirements)
    }
}

private struct LabelSelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case not
        case equals
        case doubleEquals
        case notEquals
        case openParen
        case closeParen
        case comma
        case greater
        case less
        case end

        var text: String {
            switch self {
            case .identifier(let text): return text
            case .not: return "!"
            case .equals: return "="
            case .doubleEquals: return "=="
            case .notEquals: return "!="
            case .openParen: return "("
            case .closeParen: return ")"
            case .comma: return ","
            case .greater: return ">"
            case .less: return "<"
            case .end: return "end of string"
            }
        }
    }

    let text: String
    var tokens: [Token] = []
    var position = 0

    init(text: String) {
        self.text = text
        self.tokens = Self.lex(text)
    }

    private static func isSpecial(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "!", "=", "(", ")", ",", ">", "<": return true
        default: return scalar.properties.isWhitespace
        }
    }

    private static func lex(_ text: String) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
                continue
            }
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "!":
                if next == "=" {
                    tokens.append(.notEquals)
                    index += 2
                } else {
                    tokens.append(.not)
                    index += 1
                }
            case "=":
                if next == "=" {
                    tokens.append(.doubleEquals)
                    index += 2
                } else {
                    tokens.append(.equals)
                    index += 1
                }
            case "(":
                tokens.append(.openParen)
                index += 1
            case ")":
                tokens.append(.closeParen)
                index += 1
            case ",":
                tokens.append(.comma)
                index += 1
            case ">":
                tokens.append(.greater)
                index += 1
            case "<":
                tokens.append(.less)
                index += 1
            default:
                var identifier = String.UnicodeScalarView()
                while index < scalars.count, !isSpecial(scalars[index]) {
                    identifier.append(scalars[index])
                    index += 1
                }
                tokens.append(.identifier(String(identifier)))
            }
        }
        tokens.append(.end)
        return tokens
    }

    private func peek() -> Token { tokens[min(position, tokens.count - 1)] }

    private mutating func next() -> Token {
        let token = peek()
        if position < tokens.count { position += 1 }
        return token
    }

    private func failure(_ reason: String) -> SelectorParseError {
        SelectorParseError(selector: text, reason: reason)
    }

    mutating func parse() throws(SelectorParseError) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        if peek() == .end { return requirements }
        while true {
            requirements.append(try parseRequirement())
            switch next() {
            case .end:
                return requirements
            case .comma:
                switch peek() {
                case .identifier, .not: continue
                case let other: throw failure("found '\(other.text)', expected: identifier after ','")
                }
            case let other:
                throw failure("found '\(other.text)', expected: ',' or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(SelectorParseError) -> LabelSelector.Requirement {
        switch next() {
        case .not:
            let token = next()
            guard case .identifier(let key) = token else {
                throw failure("found '\(token.text)', expected: identifier after '!'")
            }
            try checkKey(key)
            return .init(key: key, op: .doesNotExist)
        case .identifier(let key):
            try checkKey(key)
            switch peek() {
            case .end, .comma:
                return .init(key: key, op: .exists)
            case .equals, .doubleEquals, .notEquals:
                let op: LabelSelector.Operator = next() == .notEquals ? .notEquals : .equals
                let value = try parseExactValue()
                try checkValue(value)
                return .init(key: key, op: op, values: [value])
            case .greater, .less:
                let op: LabelSelector.Operator = next() == .greater ? .greaterThan : .lessThan
                guard case .identifier(let value) = next() else {
                    throw failure("for '\(op == .greaterThan ? ">" : "<")' on \"\(key)\", exactly one integer value is required")
                }
                guard Int64(value) != nil else {
                    throw failure("for '\(op == .greaterThan ? ">" : "<")' on \"\(key)\", the value must be an integer, not \"\(value)\"")
                }
                return .init(key: key, op: op, values: [value])
            case .identifier("in"), .identifier("notin"):
                let op: LabelSelector.Operator = next() == .identifier("in") ? .in : .notIn
                let values = try parseValueSet(key: key)
                for value in values { try checkValue(value) }
                return .init(key: key, op: op, values: values)
            case let other:
                throw failure("found '\(other.text)' after \"\(key)\", expected: in, notin, =, ==, !=, >, <, ',' or end of string")
            }
        case let other:
            throw failure("found '\(other.text)', expected: !, identifier")
        }
    }

    private mutating func parseExactValue() throws(SelectorParseError) -> String {
        switch peek() {
        case .end, .comma:
            return ""
        case .identifier(let value):
            _ = next()
            return value
        case let other:
            throw failure("found '\(other.text)', expected: identifier")
        }
    }

    /// `( v1, v2 )`; empty members are the empty string, as in Kubernetes.
    private mutating func parseValueSet(key: String) throws(SelectorParseError) -> [String] {
        let token = next()
        guard token == .openParen else {
            throw failure("found '\(token.text)' after \"\(key)\" in/notin, expected: '('")
        }
        var values: [String] = []
        var current: String?
        while true {
            switch next() {
            case .identifier(let value):
                if current != nil { throw failure("found '\(value)', expected: ',' or ')'") }
                current = value
            case .comma:
                values.append(current ?? "")
                current = nil
            case .closeParen:
                values.append(current ?? "")
                return values
            case let other:
                throw failure("found '\(other.text)' in the values of \"\(key)\", expected: ',', ')' or identifier")
            }
        }
    }

    private func checkKey(_ key: String) throws(SelectorParseError) {
        if let problem = LabelSyntax.keyProblem(key) { throw failure(problem) }
    }

    private func checkValue(_ value: String) throws(SelectorParseError) {
        if let problem = LabelSyntax.valueProblem(value) { throw failure(problem) }
    }
}

// MARK: - metav1.LabelSelector

extension LabelSelector {
    /// Reads a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`) as found in
    /// Deployments, ReplicaSets, PodDisruptionBudgets and the like. JSON `null` selects
    /// nothing, `{}` selects everything, as Kubernetes' `LabelSelectorAsSelector` does.
    public init(json: JSONValue) throws(SelectorParseError) {
        let text = json.serializedString()
        func failure(_ reason: String) -> SelectorParseError { SelectorParseError(selector: text, reason: reason) }
        if json.isNull {
            self = .nothing
            return
        }
        guard let fields = json.objectValue else { throw failure("a label selector must be an object, not \(json.typeName)") }
        var requirements: [Requirement] = []

        switch fields["matchLabels"] {
        case nil, .null?:
            break
        case .object(let labels)?:
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                guard let value = value.stringValue else {
                    throw failure("matchLabels[\"\(key)\"] must be a string, not \(value.typeName)")
                }
                if let problem = LabelSyntax.keyProblem(key) { throw failure("matchLabels: \(problem)") }
                if let problem = LabelSyntax.valueProblem(value) { throw failure("matchLabels: \(problem)") }
                requirements.append(Requirement(key: key, op: .equals, values: [value]))
            }
        case let other?:
            throw failure("matchLabels must be an object, not \(other.typeName)")
        }

        switch fields["matchExpressions"] {
        case nil, .null?:
            break
        case .array(let expressions)?:
            for (index, expression) in expressions.enumerated() {
                let location = "matchExpressions[\(index)]"
                guard let expression = expression.objectValue else { throw failure("\(location) must be an object") }
                guard let key = expression["key"]?.stringValue else { throw failure("\(location).key: Required value") }
                if let problem = LabelSyntax.keyProblem(key) { throw failure("\(location).key: \(problem)") }
                guard let operatorName = expression["operator"]?.stringValue else {
                    throw failure("\(location).operator: Required value")
                }
                var values: [String] = []
                switch expression["values"] {
                case nil, .null?:
                    break
                case .array(let items)?:
                    for item in items {
                        guard let value = item.stringValue else { throw failure("\(location).values must hold strings") }
                        values.append(value)
                    }
                case let other?:
                    throw failure("\(location).values must be an array, not \(other.typeName)")
                }
                let op: Operator
                switch operatorName {
                case "In": op = .in
                case "NotIn": op = .notIn
                case "Exists": op = .exists
                case "DoesNotExist": op = .doesNotExist
                default:
                    throw failure("\(location).operator: \"\(operatorName)\" is not a valid label selector operator")
                }
                switch op {
                case .in, .notIn:
                    if values.isEmpty {
                        throw failure("\(location).values: for 'In', 'NotIn' operators, values set can't be empty")
                    }
                    for value in values {
                        if let problem = LabelSyntax.valueProblem(value) { throw failure("\(location).values: \(problem)") }
                    }
                default:
                    if !values.isEmpty {
                        throw failure("\(location).values: values set must be empty for exists and does not exist")
                    }
                }
                requirements.append(Requirement(key: key, op: op, values: values))
            }
        case let other?:
            throw failure("matchExpressions must be an array, not \(other.typeName)")
        }
        self.init(requirements: requirements)
    }
}
