import Foundation
import KubeModel

/// One resource of a VDC's quota: how much its workloads use against its limit, in the words
/// and numbers a page shows (a limit of nil is "no limit", as a VDC limit of 0 means).
struct QuotaUse: Equatable {
    var resource: String
    var used: Double
    var limit: Double?
    var unit: String

    /// Used as a share of the limit, 0–100 (beyond 100 shows as 100: the text says the truth).
    var percent: Int? {
        guard let limit, limit > 0 else { return nil }
        return min(100, max(0, Int((used / limit * 100).rounded())))
    }

    var text: String {
        guard let limit else { return "\(Self.number(used)) \(unit) used (no limit)" }
        return "\(Self.number(used)) of \(Self.number(limit)) \(unit) (\(percent ?? 0) %)"
    }

    /// Past 90 %, a warning; past the limit, a problem.
    var level: String {
        guard let limit, limit > 0 else { return "muted" }
        if used > limit { return "bad" }
        return used / limit >= 0.9 ? "warn" : "ok"
    }

    var model: [String: Any] {
        var model: [String: Any] = ["resource": resource, "text": text, "level": level, "hasLimit": limit != nil]
        if let limit, limit > 0 {
            model["value"] = Self.number(min(used, limit))
            model["max"] = Self.number(limit)
        }
        return model
    }

    /// At most one decimal, none when whole.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// A VDC's CPU limit in cores: 1 GHz counts as a core, as its ResourceQuota counts it.
    static func cores(limit: Int64, units: String) -> Double? {
        guard limit > 0 else { return nil }
        switch units {
        case "GHz", "cores": return Double(limit)
        default: return Double(limit) / 1000
        }
    }

    /// A VDC's memory limit in GiB.
    static func gibibytes(limit: Int64, units: String) -> Double? {
        guard limit > 0 else { return nil }
        return units == "GB" ? Double(limit) : Double(limit) / 1024
    }

    /// A storage quantity (`10Gi`) in GiB; nil when unreadable.
    static func gibibytes(quantity text: String) -> Double? {
        guard let quantity = try? Quantity(parsing: text) else { return nil }
        return quantity.doubleValue / Double(1 << 30)
    }
}
