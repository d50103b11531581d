import Foundation

/// A standard five-field cron schedule as CronJobs take it (`minute hour day-of-month month
/// day-of-week`), with ranges (`1-5`), lists (`1,15`), steps (`*/15`, `10-50/20`, `5/10`),
/// month and weekday names (`jan`, `mon-fri`), `?` for "any" in the day fields, `7` for
/// Sunday, and the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
/// `@midnight`, `@hourly` — the syntax of the cron library kube-controller-manager uses.
///
/// As in classic cron, when both day fields are restricted a day matches if either does.
struct CronSchedule: Sendable, Equatable {
    var minutes: Set<Int>
    var hours: Set<Int>
    var daysOfMonth: Set<Int>
    var months: Set<Int>
    var daysOfWeek: Set<Int>
    /// Whether the day-of-month / day-of-week field was `*` or `?` (then the other alone decides).
    var anyDayOfMonth: Bool
    var anyDayOfWeek: Bool

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    private static let descriptors = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    init(parsing text: String) throws(CronScheduleError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.descriptors[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") { throw CronScheduleError(schedule: text, reason: "unknown descriptor \(expanded)") }
        if expanded.uppercased().hasPrefix("TZ=") || expanded.uppercased().hasPrefix("CRON_TZ=") {
            throw CronScheduleError(schedule: text, reason: "a time zone belongs in spec.timeZone, not in the schedule")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronScheduleError(schedule: text, reason: "expected exactly 5 fields, found \(fields.count)")
        }
        func field(
            _ index: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [],
            nameBase: Int = 0
        ) throws(CronScheduleError) -> Set<Int> {
            do {
                return try Self.parseField(fields[index], range: range, names: names, nameBase: nameBase)
            } catch {
                throw CronScheduleError(schedule: text, reason: "\(name): \(error.reason)")
            }
        }
        minutes = try field(0, "minute", 0...59)
        hours = try field(1, "hour", 0...23)
        daysOfMonth = try field(2, "day of month", 1...31)
        months = try field(3, "month", 1...12, names: Self.monthNames, nameBase: 1)
        // 7 is Sunday too; folded into 0.
        let weekdays = try field(4, "day of week", 0...7, names: Self.dayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        anyDayOfMonth = fields[2].hasPrefix("*") || fields[2] == "?"
        anyDayOfWeek = fields[4].hasPrefix("*") || fields[4] == "?"
    }

    private static func parseField(
        _ text: String, range: ClosedRange<Int>, names: [String],
        nameBase: Int
    ) throws(CronScheduleError) -> Set<Int> {
        var values = Set<Int>()
        func number(_ token: Substring) throws(CronScheduleError) -> Int {
            if let value = Int(token) {
                guard range.contains(value) else {
                    throw CronScheduleError(schedule: text, reason: "\(value) is outside \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + nameBase }
            throw CronScheduleError(schedule: text, reason: "\"\(token)\" is not a number\(names.isEmpty ? "" : " or a name")")
        }
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw CronScheduleError(schedule: text, reason: "empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw CronScheduleError(schedule: text, reason: "more than one / in \"\(item)\"") }
            var step = 1
            if parts.count == 2 {
                guard let parsed = Int(parts[1]), parsed > 0 else {
                    throw CronScheduleError(schedule: text, reason: "step \"\(parts[1])\" must be a positive number")
                }
                step = parsed
            }
            let span = parts[0]
            let low: Int
            var high: Int
            if span == "*" || span == "?" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = span.firstIndex(of: "-") {
                low = try number(span[..<dash])
                high = try number(span[span.index(after: dash)...])
                guard low <= high else { throw CronScheduleError(schedule: text, reason: "range \(span) runs backwards") }
            } else {
                low = try number(span)
                // `5/10` means from 5 to the end in steps of 10.
                high = parts.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// Whether the schedule fires at the minute of `components` (in the schedule's zone).
    func matches(_ components: DateComponents) -> Bool {
        guard let minute = components.minute, let hour = components.hour, let day = components.day,
            let month = components.month, let weekday = components.weekday
        else { return false }
        return minutes.contains(minute) && hours.contains(hour) && months.contains(month)
            && dayMatches(day: day, weekday: weekday - 1)
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        let byMonth = daysOfMonth.contains(day)
        let byWeek = daysOfWeek.contains(weekday)
        if anyDayOfMonth || anyDayOfWeek { return byMonth && byWeek }
        return byMonth || byWeek
    }

    /// The first time strictly after `date` the schedule fires, within about five years
    /// (`0 0 30 2 *` never fires: nil).
    func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard var candidate = calendar.date(bySetting: .second, value: 0, of: date) else { return nil }
        if candidate <= date { candidate = candidate.addingTimeInterval(60) }
        candidate = calendar.dateInterval(of: .minute, for: candidate)?.start ?? candidate
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
            guard let month = parts.month, let hour = parts.hour, let day = parts.day, let weekday = parts.weekday
            else { return nil }
            if !months.contains(month) {
                guard let start = calendar.dateInterval(of: .month, for: candidate)?.end else { return nil }
                candidate = start
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                guard let start = calendar.dateInterval(of: .day, for: candidate)?.end else { return nil }
                candidate = start
            } else if !hours.contains(hour) {
                guard let start = calendar.dateInterval(of: .hour, for: candidate)?.end else { return nil }
                candidate = start
            } else if !minutes.contains(parts.minute ?? -1) {
                candidate = candidate.addingTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    /// The latest time the schedule fired in `(since, until]`, and how many times it fired
    /// there (exact up to `limit`; past it the count is a lower bound, as the CronJob
    /// controller stops counting missed starts at 100).
    func latest(
        since: Date, until: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        limit: Int = 100
    ) -> (time: Date, missed: Int)? {
        var latest: Date?
        var count = 0
        var cursor = since
        while let next = next(after: cursor, in: timeZone), next <= until {
            latest = next
            count += 1
            cursor = next
            // Too many to walk one by one: skip to the last week, whose starts are still walked.
            if count == limit, until.addingTimeInterval(-7 * 86_400) > cursor {
                cursor = until.addingTimeInterval(-7 * 86_400)
            }
        }
        return latest.map { ($0, count) }
    }
}

/// A schedule that cannot be read, with the reason.
struct CronScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    var schedule: String
    var reason: String

    var description: String { "unparseable schedule \"\(schedule)\": \(reason)" }
}
