import Foundation
import Synchronization

/// How fast each image's data is arriving, from the `bytesTransferred` values the console has
/// seen in the last few seconds (the status has no rate of its own). Kept in memory, for the
/// images the table shows now only.
final class TransferRates: Sendable {
    struct Sample: Sendable, Equatable {
        var time: Date
        var bytes: Int64
    }

    /// The span a rate is measured over.
    static let window: TimeInterval = 15
    static let maximumSamples = 16
    private let samples = Mutex<[String: [Sample]]>([:])

    /// Takes in an image's byte count at `time` and answers its rate over the window (nil until
    /// two samples at least half a second apart exist). A count that went down (a new attempt)
    /// starts over.
    func observe(_ key: String, bytes: Int64, at time: Date) -> Double? {
        samples.withLock { all in
            var list = all[key] ?? []
            if let last = list.last, bytes < last.bytes || time < last.time { list = [] }
            if let last = list.last, last.bytes == bytes, time.timeIntervalSince(last.time) < 1 {
                // The same figure seen again at once (several renders): nothing new.
            } else {
                list.append(Sample(time: time, bytes: bytes))
            }
            let newest = list.last
            list.removeAll { time.timeIntervalSince($0.time) > Self.window && $0 != newest }
            if list.count > Self.maximumSamples { list.removeFirst(list.count - Self.maximumSamples) }
            all[key] = list
            guard let first = list.first, let last = list.last else { return nil }
            let seconds = last.time.timeIntervalSince(first.time)
            guard seconds >= 0.5 else { return nil }
            return Double(last.bytes - first.bytes) / seconds
        }
    }

    /// Forgets images no longer listed.
    func retain(_ keys: Set<String>) {
        samples.withLock { all in all = all.filter { keys.contains($0.key) } }
    }

    var trackedCount: Int { samples.withLock { $0.count } }
}
