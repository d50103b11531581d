import Foundation
import KubeModel

/// The lab API's timestamps (RFC 3339 text) as the Labs pages show them: a fixed UTC form a
/// person reads the same on every screen, with the machine form kept for `<time datetime>`
/// (which the countdowns read).
enum LabTime {
    /// `2026-12-05 10:31:02 UTC`; nil when the value is not an RFC 3339 timestamp.
    static func display(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, let date = Timestamp.date(text) else { return nil }
        return display(date)
    }

    static func display(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ number: Int?) -> String {
            let value = number ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return
            "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) UTC"
    }

    /// The timestamp for a `datetime` attribute: only text that parses as RFC 3339 (so
    /// nothing else reaches the attribute or the countdown script).
    static func machine(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, Timestamp.date(text) != nil else { return nil }
        return text
    }

    /// A `[String: Any]` piece for templates: `{iso, text}` or nothing.
    static func model(_ value: JSONValue?) -> [String: Any]? {
        guard let iso = machine(value), let text = display(value) else { return nil }
        return ["iso": iso, "text": text]
    }
}
