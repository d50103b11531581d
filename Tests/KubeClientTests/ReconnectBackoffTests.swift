import KubeClient
import Testing

/// Retry delays.
struct ReconnectBackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(200))
        #expect(backoff.delay(afterFailures: 4) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 5) == .seconds(1))
        #expect(backoff.delay(afterFailures: 500) == .seconds(1))
    }

    @Test func jitterStaysWithinBounds() {
        let backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 2, jitter: 0.5)
        let delays = (0..<200).map { _ in backoff.delay(afterFailures: 3) }
        #expect(delays.allSatisfy { $0 >= .seconds(2) && $0 <= .seconds(4) })
        #expect(Set(delays).count > 1, "jitter varies the delay")
    }
}
