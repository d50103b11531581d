import Foundation
import KubeModel

/// One VMDiskImage as the images table shows it: phase and message, place in the queue, and
/// progress as a number for the progress bar (0–100) and as text (percent, bytes, rate).
struct ImageRow: Equatable {
    var namespace: String
    var name: String
    var phase: String
    /// The badge's colour class; the phase is always written out too.
    var phaseClass: String
    var message: String?
    var queuePosition: Int64?
    /// Whole percent for `aria-valuenow`: 100 once Ready.
    var percent: Int
    var percentText: String
    var bytesText: String?
    var rateText: String?
    var source: String
    var diskSize: String
    var failures: Int?

    /// - Parameter rate: bytes per second lately (``TransferRates``), nil when unknown.
    init(_ image: VMDiskImage, rate: Double?) {
        namespace = image.namespace
        name = image.name
        let phase = image.phase
        if image.isDeleting {
            self.phase = "Deleting"
            phaseClass = "warn"
        } else {
            self.phase = phase?.rawValue ?? "New"
            phaseClass = Self.badgeClass(phase)
        }
        message = image.message.flatMap { $0.isEmpty ? nil : $0 }
        queuePosition = phase == .queued ? image.queuePosition : nil
        let exact = phase == .ready ? 100 : Self.percent(fromProgress: image.progress)
        percent = exact.map { Int($0.rounded(.down)) } ?? 0
        percentText = exact.map(Self.formatPercent) ?? (phase == .queued ? "waiting" : "not started")
        let bytes = image.bytesTransferred
        bytesText = bytes.map { ByteFormatting.bytes($0) }
        rateText = phase == .syncing ? rate.flatMap { $0 > 0 ? ByteFormatting.rate($0) : nil } : nil
        let type = image.sourceType?.rawValue ?? "?"
        source = image.url.map { "\(type): \($0)" } ?? type
        diskSize = image.diskSizeText ?? ""
        failures = image.failureCount.flatMap { $0 > 0 ? $0 : nil }
    }

    /// CDI's progress text (`45.20%`) as a number in 0…100; nil for `N/A` or nothing.
    static func percent(fromProgress text: String?) -> Double? {
        guard let text else { return nil }
        let digits = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        guard let value = Double(digits), value.isFinite else { return nil }
        return min(100, max(0, value))
    }

    static func formatPercent(_ value: Double) -> String {
        value == 100 || value == 0 ? "\(Int(value)) %" : String(format: "%.1f %%", value)
    }

    static func badgeClass(_ phase: VMDiskImage.Phase?) -> String {
        switch phase {
        case .ready: "ok"
        case .retryableFailure: "warn"
        case .failed: "bad"
        case .syncing, .queued, nil: "muted"
        }
    }

    /// Failed first (they need someone), then the work in progress, then the rest.
    var sortRank: Int {
        switch phase {
        case "Failed": 0
        case "RetryableFailure": 1
        case "Syncing": 2
        case "Queued": 3
        default: 4
        }
    }

    var model: [String: Any] {
        var model: [String: Any] = [
            "namespace": namespace, "name": name, "phase": phase, "phaseClass": phaseClass, "percent": percent,
            "percentText": percentText, "source": source, "diskSize": diskSize,
        ]
        if let message { model["message"] = message }
        if let queuePosition { model["queuePosition"] = queuePosition }
        if let bytesText { model["bytesText"] = bytesText }
        if let rateText { model["rateText"] = rateText }
        if let failures { model["failures"] = failures == 1 ? "1 failed attempt" : "\(failures) failed attempts" }
        return model
    }
}

/// Sizes and rates for people: binary units, one decimal.
enum ByteFormatting {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(max(0, count))
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite, bytesPerSecond > 0 else { return "" }
        return bytes(Int64(min(bytesPerSecond, Double(Int64.max / 2)))) + "/s"
    }
}
