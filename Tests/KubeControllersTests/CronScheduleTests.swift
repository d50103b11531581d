import Foundation
import Testing

@testable import KubeControllers

struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    func next(_ schedule: String, after: String, zone: TimeZone? = nil) throws -> Date? {
        try CronSchedule(parsing: schedule).next(after: date(after), in: zone ?? utc)
    }

    @Test func readsRangesStepsListsAndNames() throws {
        let schedule = try CronSchedule(parsing: "*/15 9-17/4 1,15 jan-mar MON-fri")
        #expect(schedule.minutes == [0, 15, 30, 45])
        #expect(schedule.hours == [9, 13, 17])
        #expect(schedule.daysOfMonth == [1, 15])
        #expect(schedule.months == [1, 2, 3])
        #expect(schedule.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronSchedule(parsing: "5/20 * * * 7").minutes == [5, 25, 45])
        #expect(try CronSchedule(parsing: "0 0 * * 7").daysOfWeek == [0])
        #expect(try CronSchedule(parsing: "@hourly") == CronSchedule(parsing: "0 * * * *"))
        #expect(try CronSchedule(parsing: "@weekly") == CronSchedule(parsing: "0 0 * * sun"))
    }

    @Test(arguments: [
        "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
        "* * * * 8", "5-1 * * * *", "*/0 * * * *", "a * * * *", "* * * foo *", "1,,2 * * * *",
        "@every 5m", "CRON_TZ=UTC * * * * *", "*/x * * * *", "1/2/3 * * * *",
    ])
    func refusesWhatIsNotASchedule(_ text: String) {
        #expect(throws: CronScheduleError.self) { try CronSchedule(parsing: text) }
    }

    @Test func findsTheNextStart() throws {
        #expect(try next("* * * * *", after: "2026-03-01T10:00:30Z") == date("2026-03-01T10:01:00Z"))
        #expect(try next("* * * * *", after: "2026-03-01T10:00:00Z") == date("2026-03-01T10:01:00Z"))
        #expect(try next("30 2 * * *", after: "2026-03-01T10:00:00Z") == date("2026-03-02T02:30:00Z"))
        #expect(try next("0 0 1 * *", after: "2026-12-15T00:00:00Z") == date("2027-01-01T00:00:00Z"))
        #expect(try next("0 12 * * mon", after: "2026-12-04T00:00:00Z") == date("2026-12-07T12:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2026-01-01T00:00:00Z") == date("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func bothDayFieldsRestrictedMeansEither() throws {
        // The 13th, or any Friday: from Monday 2026-12-07 the first is Friday the 11th.
        #expect(try next("0 0 13 * fri", after: "2026-12-07T00:00:00Z") == date("2026-12-11T00:00:00Z"))
        // With the weekday a star, only the 13th counts.
        #expect(try next("0 0 13 * *", after: "2026-12-07T00:00:00Z") == date("2026-12-13T00:00:00Z"))
    }

    @Test func followsTheTimeZone() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // 09:00 in Berlin in winter is 08:00 UTC.
        #expect(try next("0 9 * * *", after: "2026-12-04T12:00:00Z", zone: berlin) == date("2026-12-05T08:00:00Z"))
    }

    @Test func theLatestMissedStartAndTheirCount() throws {
        let schedule = try CronSchedule(parsing: "*/10 * * * *")
        let latest = schedule.latest(since: date("2026-03-01T10:00:00Z"), until: date("2026-03-01T10:35:00Z"))
        #expect(latest?.time == date("2026-03-01T10:30:00Z"))
        #expect(latest?.missed == 3)
        #expect(schedule.latest(since: date("2026-03-01T10:00:00Z"), until: date("2026-03-01T10:05:00Z")) == nil)
        // A year of minutes: a lower bound of the count, but still the very latest start.
        let every = try CronSchedule(parsing: "* * * * *")
        let far = every.latest(since: date("2025-03-01T10:00:00Z"), until: date("2026-03-01T10:35:30Z"))
        #expect(far?.time == date("2026-03-01T10:35:00Z"))
        #expect((far?.missed ?? 0) >= 100)
    }
}
