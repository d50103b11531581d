import Foundation

/// Exponential backoff with jitter and a cap: how long to wait before the next attempt
/// after `failures` consecutive failures. Jitter spreads the reconnects of many watchers
/// after a server restart instead of having them all arrive at once.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The delay after the first failure.
    public var initial: Duration
    /// No delay exceeds this.
    public var maximum: Duration
    /// Growth per further failure.
    public var multiplier: Double
    /// Fraction (0…1) of each delay that is randomised away: a delay `d` becomes a random
    /// value in `d * (1 - jitter) ... d`.
    public var jitter: Double

    /// A policy; `multiplier` is at least 1 and `jitter` is clamped to 0…1.
    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// client-go's reflector values: 800 ms doubling to 30 s.
    public static let `default` = ReconnectBackoff()

    /// The delay before attempt `failures + 1`; `failures` counts from 1.
    public func delay(afterFailures failures: Int) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        let exponent = Double(max(0, failures - 1))
        let grown = min(maximumSeconds, initialSeconds * Foundation.pow(multiplier, min(exponent, 64)))
        let jittered = jitter > 0 ? grown * (1 - jitter * Double.random(in: 0..<1)) : grown
        return .nanoseconds(Int64(max(0, jittered) * 1e9))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
