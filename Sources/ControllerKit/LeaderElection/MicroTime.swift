import Foundation
import KubeModel

/// A Kubernetes `MicroTime`: an instant with microsecond precision, written in RFC 3339 UTC
/// with exactly six fraction digits (`2026-11-23T12:00:00.000000Z`).
///
/// Lease `acquireTime` and `renewTime` are `MicroTime`s; other clients (kubectl, client-go)
/// parse them strictly, so the format is produced arithmetically rather than through a date
/// formatter whose output depends on locale settings and rounds to milliseconds on Linux.
public struct MicroTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSince1970: Int64

    /// An instant given as microseconds since the Unix epoch.
    public init(microsecondsSince1970: Int64) {
        self.microsecondsSince1970 = microsecondsSince1970
    }

    /// The instant of `date`, truncated to the microsecond.
    public init(_ date: Date) {
        microsecondsSince1970 = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// The current wall-clock time.
    public static func now() -> MicroTime { MicroTime(Date()) }

    /// The instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSince1970) / 1_000_000) }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.microsecondsSince1970 < rhs.microsecondsSince1970 }

    /// The RFC 3339 text, e.g. `2026-11-23T12:00:00.000000Z`.
    public var description: String {
        let (seconds, micros) = microsecondsSince1970.quotientAndRemainder(dividingBy: 1_000_000)
        return RFC3339Timestamp.format(seconds: seconds, nanoseconds: micros * 1000, microseconds: true)
            ?? "0000-01-01T00:00:00.000000Z"
    }

    /// Parses RFC 3339 (`2026-11-23T12:00:00Z`, any number of fraction digits, `Z` or a
    /// `±hh:mm` offset), as Kubernetes accepts for `Time` and `MicroTime`; nil otherwise.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
        guard let year = number(0..<4), byte(4) == UInt8(ascii: "-"), let month = number(5..<7),
            byte(7) == UInt8(ascii: "-"), let day = number(8..<10),
            byte(10) == UInt8(ascii: "T") || byte(10) == UInt8(ascii: "t"), let hour = number(11..<13),
            byte(13) == UInt8(ascii: ":"), let minute = number(14..<16), byte(16) == UInt8(ascii: ":"),
            let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var micros: Int64 = 0
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while let digit = byte(index), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
                if digits < 6 { micros = micros * 10 + Int64(digit - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        switch byte(index) {
        case UInt8(ascii: "Z")?, UInt8(ascii: "z")?:
            index += 1
        case let sign? where sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"):
            guard let offsetHours = number(index + 1..<index + 3), byte(index + 3) == UInt8(ascii: ":"),
                let offsetMinutes = number(index + 4..<index + 6)
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = RFC3339Timestamp.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        self.init(microsecondsSince1970: seconds * 1_000_000 + micros)
    }
}
