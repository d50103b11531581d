/// RFC 3339 text for a protobuf Timestamp, in UTC, the way Kubernetes writes `Time`
/// (`2026-11-23T12:00:00Z`) and `MicroTime` (`2026-11-23T12:00:00.123456Z`). Computed
/// arithmetically so it depends on no locale, calendar or time zone setting.
public enum RFC3339Timestamp {
    private static let secondsPerDay: Int64 = 86_400
    private static let nanosecondsPerSecond: Int64 = 1_000_000_000
    /// Seconds from 1970 to the start of year 0 and to the end of year 9999, with margin.
    private static let supportedSeconds: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    /// Nil when the time falls outside the years 0000–9999 (Go refuses to write those as JSON).
    public static func format(seconds: Int64, nanoseconds: Int64, microseconds: Bool) -> String? {
        // Normalise the nanoseconds into 0..<1e9 the way Go's time.Unix does.
        var seconds = seconds
        var nanoseconds = nanoseconds
        if nanoseconds < 0 || nanoseconds >= nanosecondsPerSecond {
            let carry = nanoseconds / nanosecondsPerSecond
            guard seconds.addingReportingOverflow(carry).overflow == false else { return nil }
            seconds += carry
            nanoseconds -= carry * nanosecondsPerSecond
            if nanoseconds < 0 {
                nanoseconds += nanosecondsPerSecond
                guard seconds > Int64.min else { return nil }
                seconds -= 1
            }
        }
        guard supportedSeconds.contains(seconds) else { return nil }

        var days = seconds / secondsPerDay
        var secondOfDay = seconds % secondsPerDay
        if secondOfDay < 0 {
            secondOfDay += secondsPerDay
            days -= 1
        }
        let (year, month, day) = civilDate(daysSince1970: days)
        guard (0...9999).contains(year) else { return nil }

        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if microseconds {
            text += "." + pad(nanoseconds / 1000, 6)
        }
        return text + "Z"
    }

    /// Proleptic Gregorian year, month and day for a day count from 1970-01-01
    /// (the days-to-civil algorithm of Howard Hinnant's date library).
    private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSince1970 + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
