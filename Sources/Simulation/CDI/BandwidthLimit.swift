import ControllerKit
import Synchronization

/// One byte rate shared by every import of the process (`--sim-import-bandwidth`): each chunk
/// read from the network reserves its size and waits its turn, so N parallel imports share the
/// link instead of saturating it. Reading slower lets TCP flow control slow the sender.
public final class BandwidthLimit: Sendable {
    /// Bytes per second; nil means unlimited.
    public let bytesPerSecond: Int64?
    private let bucket: Mutex<TokenBucket>
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    public init(bytesPerSecond: Int64?) {
        let rate = bytesPerSecond.flatMap { $0 > 0 ? $0 : nil }
        self.bytesPerSecond = rate
        start = clock.now
        // A tenth of a second of burst (at least 64 KiB) keeps the rate smooth at that scale.
        // Rate 0 makes the bucket a no-op (`reserve` returns at once).
        bucket = Mutex(TokenBucket(rate: Double(rate ?? 0), burst: Int(max((rate ?? 0) / 10, 64 << 10))))
    }

    /// Waits until `bytes` more may be read.
    func take(_ bytes: Int) async throws {
        guard bytesPerSecond != nil, bytes > 0 else { return }
        let now = clock.now - start
        let wait = bucket.withLock { $0.reserve(Double(bytes), at: now) }
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
