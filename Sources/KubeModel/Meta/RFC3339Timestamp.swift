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

    /// Seconds and nanoseconds since 1970 for RFC 3339 text (`2026-11-23T12:00:00Z`, with an
    /// optional fraction of up to nine digits and `Z` or a `±hh:mm` offset, `T`/`t` and `Z`/`z`
    /// in either case); nil for anything else. Arithmetic, like ``format``: controllers parse
    /// timestamps in their sort keys, where Foundation's parsers cost tens of microseconds each.
    public static func parse(_ text: String) -> (seconds: Int64, nanoseconds: Int64)? {
        var utf8 = text.utf8.makeIterator()
        func next() -> UInt8? { utf8.next() }
        func number(_ width: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<width {
                guard let byte = next(), (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        func expect(_ characters: UInt8...) -> Bool {
            guard let byte = next() else { return false }
            return characters.contains(byte)
        }
        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2),
            expect(0x54, 0x74), let hour = number(2), expect(0x3A), let minute = number(2), expect(0x3A),
            let second = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var nanoseconds: Int64 = 0
        var zone = next()
        if zone == 0x2E {
            var digits = 0
            zone = next()
            while let byte = zone, (0x30...0x39).contains(byte) {
                guard digits < 9 else { return nil }
                nanoseconds = nanoseconds * 10 + Int64(byte - 0x30)
                digits += 1
                zone = next()
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanoseconds *= 10 }
        }
        var offset: Int64 = 0
        switch zone {
        case 0x5A, 0x7A:
            break
        case 0x2B, 0x2D:
            guard let offsetHours = number(2), expect(0x3A), let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offset = (offsetHours * 60 + offsetMinutes) * 60 * (zone == 0x2B ? 1 : -1)
        default:
            return nil
        }
        guard next() == nil else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        return (days * secondsPerDay + hour * 3600 + minute * 60 + second - offset, nanoseconds)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (the inverse of ``civilDate``).
    public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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
