/// Go's `time.Duration` text (`300ms`, `1m30s`, `2h`), as Kubernetes objects and
/// data-sync-operator's settings write durations.
public enum GoDuration {
    /// Parses a Go duration; `"0"` is allowed without a unit, as in Go.
    public static func parse(_ text: String) throws(GoDurationError) -> Duration {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { throw GoDurationError(text: text) }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { throw GoDurationError(text: text) }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "ns": seconds = 1e-9
            case "us", "µs", "μs": seconds = 1e-6
            case "ms": seconds = 1e-3
            case "s": seconds = 1
            case "m": seconds = 60
            case "h": seconds = 3600
            default: throw GoDurationError(text: text)
            }
            total += value * seconds
        }
        guard total.isFinite, total < 9.2e9 else { throw GoDurationError(text: text) }
        let duration = Duration.nanoseconds(Int64((total * 1e9).rounded()))
        return negative ? .zero - duration : duration
    }

    /// Go's own formatting: `1h2m3s`, `1.5s`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard nanoseconds != 0 else { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        nanoseconds = abs(nanoseconds)
        if nanoseconds < 1_000_000_000 {
            // Go picks the largest unit below a second and writes a decimal fraction of it.
            let (unit, suffix): (Int64, String) =
                nanoseconds >= 1_000_000
                ? (1_000_000, "ms")
                : nanoseconds >= 1000 ? (1000, "µs") : (1, "ns")
            return sign + decimal(nanoseconds, unit: unit) + suffix
        }
        let hours = nanoseconds / 3_600_000_000_000
        let minutes = nanoseconds / 60_000_000_000 % 60
        let secondsPart = nanoseconds % 60_000_000_000
        var text = sign
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        return text + decimal(secondsPart, unit: 1_000_000_000) + "s"
    }

    /// `value ÷ unit` with the fraction's trailing zeros dropped (`1500, 1000` → `1.5`).
    private static func decimal(_ value: Int64, unit: Int64) -> String {
        var fraction = value % unit
        guard fraction != 0 else { return String(value / unit) }
        var digits = String(unit).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(value / unit).\(padded)"
    }
}

public struct GoDurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var description: String { "time: invalid duration \"\(text)\"" }
}

extension Duration {
    /// The duration in seconds, as Foundation's `TimeInterval` counts them.
    public var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
