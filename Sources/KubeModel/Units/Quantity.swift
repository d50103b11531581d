/// A Kubernetes resource quantity (`500m`, `2`, `4Gi`, `1.5G`, `1e3`), held exactly in
/// thousandths of the base unit so CPU millicores and memory bytes both fit.
///
/// The scheduler adds and compares requests; doing that in `Double` would let rounding decide
/// whether a pod fits, so the value is an integer like `resource.Quantity`'s scaled form.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in thousandths (`milli`) of the unit: `"250m"` → 250, `"1Ki"` → 1_024_000.
    public private(set) var milliValue: Int64

    public init(milliValue: Int64) { self.milliValue = milliValue }

    public init(_ value: Int64) { self.milliValue = value.multipliedReportingOverflow(by: 1000).partialValue }

    /// The value rounded up to a whole unit, as `Quantity.Value()` does (`"1500m"` → 2).
    public var value: Int64 { milliValue >= 0 ? (milliValue + 999) / 1000 : milliValue / 1000 }

    public var doubleValue: Double { Double(milliValue) / 1000 }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.milliValue < rhs.milliValue }
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(milliValue: lhs.milliValue &+ rhs.milliValue) }
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(milliValue: lhs.milliValue &- rhs.milliValue) }
    public static let zero = Quantity(milliValue: 0)

    /// Parses the canonical forms: an optional sign, a decimal number (with optional exponent
    /// `e`/`E`) and an optional binary (`Ki`…`Ei`) or decimal (`n`, `u`, `m`, `k`, `M`…`E`) suffix.
    public init(parsing text: String) throws(QuantityError) {
        let scalars = Array(text.utf8)
        guard !scalars.isEmpty else { throw QuantityError(text: text, reason: "empty quantity") }
        var index = 0
        var negative = false
        if scalars[index] == UInt8(ascii: "+") || scalars[index] == UInt8(ascii: "-") {
            negative = scalars[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        while index < scalars.count {
            let c = scalars[index]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                digits.append(c - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            } else if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard !digits.isEmpty else { throw QuantityError(text: text, reason: "no digits") }
        let suffix = String(decoding: scalars[index...], as: UTF8.self)
        var binaryShift = 0
        var decimalExponent = 0
        switch suffix {
        case "": break
        case "Ki": binaryShift = 10
        case "Mi": binaryShift = 20
        case "Gi": binaryShift = 30
        case "Ti": binaryShift = 40
        case "Pi": binaryShift = 50
        case "Ei": binaryShift = 60
        case "n": decimalExponent = -9
        case "u": decimalExponent = -6
        case "m": decimalExponent = -3
        case "k": decimalExponent = 3
        case "M": decimalExponent = 6
        case "G": decimalExponent = 9
        case "T": decimalExponent = 12
        case "P": decimalExponent = 15
        case "E": decimalExponent = 18
        default:
            guard let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
                abs(exponent) < 40
            else {
                throw QuantityError(text: text, reason: "unknown suffix \"\(suffix)\"")
            }
            decimalExponent = exponent
        }
        // value = digits × 10^(exponent − fractionDigits) × 2^shift, kept in thousandths.
        let exponent = decimalExponent - fractionDigits + 3
        var mantissa: Int64 = 0
        var overflow = false
        for digit in digits {
            let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            overflow = overflow || o1 || o2
            mantissa = sum
        }
        var result = mantissa
        if exponent >= 0 {
            for _ in 0..<exponent {
                let (next, o) = result.multipliedReportingOverflow(by: 10)
                overflow = overflow || o
                result = next
            }
            let (shifted, o) = result.multipliedReportingOverflow(by: Int64(1) << binaryShift)
            overflow = overflow || o
            result = shifted
        } else {
            // Multiply by the binary factor first so `1.5Ki` stays exact, then round up the
            // remaining decimal division, as Kubernetes rounds sub-milli values up.
            let (shifted, o) = result.multipliedReportingOverflow(by: Int64(1) << binaryShift)
            overflow = overflow || o
            result = shifted
            var divisor: Int64 = 1
            for _ in 0..<(-exponent) where divisor < Int64.max / 10 { divisor *= 10 }
            result = (result + divisor - 1) / divisor
        }
        guard !overflow else { throw QuantityError(text: text, reason: "out of range") }
        milliValue = negative ? -result : result
    }

    /// Canonical-ish text: whole units when exact (`2`, or `4Gi` for exact binary multiples
    /// of at least 1 Ki), millis otherwise (`250m`).
    public var description: String {
        guard milliValue % 1000 == 0 else { return "\(milliValue)m" }
        let whole = milliValue / 1000
        guard whole != 0 else { return "0" }
        for (shift, suffix) in [(60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
            let unit = Int64(1) << shift
            if whole % unit == 0 { return "\(whole / unit)\(suffix)" }
        }
        return "\(whole)"
    }

    /// The JSON form in objects: always a string, as the API server writes quantities.
    public var json: JSONValue { .string(description) }

    /// A quantity from an object field, which users may write as a string or a bare number.
    public init?(json: JSONValue?) {
        switch json {
        case .string(let text)?:
            guard let parsed = try? Quantity(parsing: text) else { return nil }
            self = parsed
        case .int(let value)?:
            self.init(value)
        case .double(let value)?:
            guard value.isFinite, abs(value) < 9e12 else { return nil }
            self.init(milliValue: Int64((value * 1000).rounded(.up)))
        default:
            return nil
        }
    }
}

public struct QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String {
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': \"\(text)\": \(reason)"
    }
}
