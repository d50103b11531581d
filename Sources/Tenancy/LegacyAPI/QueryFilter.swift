import Foundation

/// The `filter` of `/api/query`: the FIQL subset Cloud Director clients send.
///
/// `name==web*;isEnabled==true,name==db` — `;` is *and* and binds tighter than `,` (*or*),
/// parentheses group, `\` escapes the next character; comparisons `==`, `!=`, `=lt=`, `=le=`,
/// `=gt=`, `=ge=`. In `==`/`!=` values `*` matches any run of characters, and strings compare
/// without regard to case, as Cloud Director's do. With `filterEncoded=true` every value is
/// percent-decoded once more (pyvcloud encodes them twice below API 35.0).
public indirect enum QueryFilter: Sendable, Equatable {
    case comparison(field: String, op: Operator, value: String)
    case all([QueryFilter])
    case any([QueryFilter])

    public enum Operator: String, Sendable {
        case equal = "=="
        case notEqual = "!="
        case less = "=lt="
        case lessOrEqual = "=le="
        case greater = "=gt="
        case greaterOrEqual = "=ge="
    }

    /// Why a filter cannot be used (a 400 to the client).
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    static let maximumLength = 4096
    static let maximumComparisons = 64
    static let maximumDepth = 8

    public init(parsing text: String, valuesEncoded: Bool = false) throws(Malformed) {
        guard text.utf8.count <= Self.maximumLength else {
            throw Malformed(description: "The filter is longer than \(Self.maximumLength) bytes.")
        }
        var parser = Parser(characters: Array(text), valuesEncoded: valuesEncoded)
        self = try parser.expression(depth: 0)
        guard parser.position == parser.characters.count else {
            throw Malformed(description: "Unexpected \"\(parser.characters[parser.position])\" at \(parser.position) in the filter.")
        }
    }

    /// Whether a record passes; a field the record lacks compares as empty text.
    public func matches(_ value: (String) -> String?) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(value) }
        case .any(let parts): return parts.contains { $0.matches(value) }
        case .comparison(let field, let op, let expected):
            let actual = Self.comparable(value(field) ?? "")
            let wanted = Self.comparable(expected)
            switch op {
            case .equal: return Self.wildcard(wanted, matches: actual)
            case .notEqual: return !Self.wildcard(wanted, matches: actual)
            case .less: return Self.order(actual, wanted) < 0
            case .lessOrEqual: return Self.order(actual, wanted) <= 0
            case .greater: return Self.order(actual, wanted) > 0
            case .greaterOrEqual: return Self.order(actual, wanted) >= 0
            }
        }
    }

    /// Absolute hrefs compare by their path, so `org==<href>` matches whatever host name the
    /// client reached this server by; everything else by its lower-cased text.
    static func comparable(_ text: String) -> String {
        if text.hasPrefix("http://") || text.hasPrefix("https://"), let url = URL(string: text), !url.path.isEmpty {
            return url.path.lowercased()
        }
        return text.lowercased()
    }

    /// Numbers compare as numbers, anything else as text.
    static func order(_ left: String, _ right: String) -> Int {
        if let left = Double(left), let right = Double(right) { return left < right ? -1 : (left == right ? 0 : 1) }
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// `*` matches any run of characters (iterative, so hostile patterns stay linear-ish).
    static func wildcard(_ pattern: String, matches text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let pattern = Array(pattern)
        let text = Array(text)
        var p = 0
        var t = 0
        var star: Int?
        var mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] != "*", pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if let star {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    private struct Parser {
        let characters: [Character]
        let valuesEncoded: Bool
        var position = 0
        var comparisons = 0

        mutating func expression(depth: Int) throws(Malformed) -> QueryFilter {
            guard depth <= QueryFilter.maximumDepth else {
                throw Malformed(description: "The filter nests more than \(QueryFilter.maximumDepth) parentheses deep.")
            }
            var alternatives = [try conjunction(depth: depth)]
            while position < characters.count, characters[position] == "," {
                position += 1
                alternatives.append(try conjunction(depth: depth))
            }
            return alternatives.count == 1 ? alternatives[0] : .any(alternatives)
        }

        mutating func conjunction(depth: Int) throws(Malformed) -> QueryFilter {
            var parts = [try term(depth: depth)]
            while position < characters.count, characters[position] == ";" {
                position += 1
                parts.append(try term(depth: depth))
            }
            return parts.count == 1 ? parts[0] : .all(parts)
        }

        mutating func term(depth: Int) throws(Malformed) -> QueryFilter {
            if position < characters.count, characters[position] == "(" {
                position += 1
                let inner = try expression(depth: depth + 1)
                guard position < characters.count, characters[position] == ")" else {
                    throw Malformed(description: "A \"(\" in the filter is not closed.")
                }
                position += 1
                return inner
            }
            comparisons += 1
            guard comparisons <= QueryFilter.maximumComparisons else {
                throw Malformed(description: "The filter has more than \(QueryFilter.maximumComparisons) comparisons.")
            }
            var field = ""
            while position < characters.count,
                characters[position].isLetter || characters[position].isNumber
                    || characters[position] == "." || characters[position] == "_" || characters[position] == "@"
            {
                field.append(characters[position])
                position += 1
            }
            guard !field.isEmpty else {
                throw Malformed(description: "Expected a field name at \(position) in the filter.")
            }
            let rest = String(characters[position..<min(position + 4, characters.count)])
            guard
                let op = [Operator.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].first(where: {
                    rest.hasPrefix($0.rawValue)
                })
            else {
                throw Malformed(description: "Expected ==, !=, =lt=, =le=, =gt= or =ge= after \"\(field.prefix(64))\" in the filter.")
            }
            position += op.rawValue.count
            var value = ""
            while position < characters.count, ![";", ",", ")"].contains(characters[position]) {
                if characters[position] == "\\", position + 1 < characters.count {
                    position += 1
                }
                value.append(characters[position])
                position += 1
            }
            if valuesEncoded {
                guard let decoded = value.removingPercentEncoding else {
                    throw Malformed(description: "The value of \"\(field.prefix(64))\" is not percent-encoded (filterEncoded=true).")
                }
                value = decoded
            }
            return .comparison(field: field, op: op, value: value)
        }
    }
}
