import Foundation

extension JSONValue {
    /// Equality as JSON means it: `1` and `1.0` are the same number. `==` keeps them apart
    /// (it must, to round-trip documents); patch `test`, merge keys, `enum` and
    /// `uniqueItems` need this looser comparison.
    func isEquivalent(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let left), .int(let right)):
            return left == right
        case (.int, .double), (.double, .int), (.double, .double):
            guard let left = doubleValue, let right = other.doubleValue else { return false }
            if case .int(let integer) = self, let exact = other.intValue { return integer == exact }
            if case .int(let integer) = other, let exact = intValue { return integer == exact }
            return left == right
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            return zip(left, right).allSatisfy { $0.isEquivalent(to: $1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            for (key, value) in left {
                guard let counterpart = right[key], value.isEquivalent(to: counterpart) else { return false }
            }
            return true
        default:
            return self == other
        }
    }

    /// A representative that is `==` for equivalent values, so equivalent values can share a
    /// dictionary slot (integral doubles become integers, recursively).
    var canonicalForm: JSONValue {
        switch self {
        case .double(let number):
            if let integer = intValue, Double(integer) == number { return .int(integer) }
            return self
        case .array(let items): return .array(items.map(\.canonicalForm))
        case .object(let fields): return .object(fields.mapValues(\.canonicalForm))
        default: return self
        }
    }
}
