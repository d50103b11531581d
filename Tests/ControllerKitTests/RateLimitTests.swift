import ControllerKit
import Testing

@Suite("FailureBackoff and TokenBucket")
struct RateLimitTests {
    @Test func failureBackoffDoublesFromFiveMillisecondsAndCapsAtThousandSeconds() {
        let backoff = FailureBackoff()
        #expect(backoff.base == .milliseconds(5))
        #expect(backoff.cap == .seconds(1000))
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(5))
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(10))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(20))
        #expect(backoff.delay(afterFailures: 10) == .milliseconds(5120))
        // 5 ms · 2^17 = 655 s; 2^18 would be 1311 s.
        #expect(backoff.delay(afterFailures: 17) == .milliseconds(655_360))
        #expect(backoff.delay(afterFailures: 18) == .seconds(1000))
        #expect(backoff.delay(afterFailures: 5000) == .seconds(1000))
    }

    @Test func failureBackoffIsConfigurable() {
        let backoff = FailureBackoff(base: .seconds(1), cap: .seconds(3))
        #expect(backoff.delay(afterFailures: 0) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1) == .seconds(2))
        #expect(backoff.delay(afterFailures: 2) == .seconds(3))
    }

    @Test func tokenBucketAllowsTheBurstThenOnePerInterval() {
        var bucket = TokenBucket()
        #expect(bucket.rate == 10)
        #expect(bucket.burst == 100)
        for _ in 0..<100 { #expect(bucket.reserve(at: .zero) == .zero) }
        #expect(bucket.reserve(at: .zero) == .milliseconds(100))
        #expect(bucket.reserve(at: .zero) == .milliseconds(200))
    }

    @Test func tokenBucketRefillsOverTimeUpToTheBurst() {
        var bucket = TokenBucket(rate: 10, burst: 2)
        #expect(bucket.reserve(at: .zero) == .zero)
        #expect(bucket.reserve(at: .zero) == .zero)
        #expect(bucket.reserve(at: .zero) == .milliseconds(100))
        // A long idle period refills to the burst, not beyond.
        #expect(bucket.reserve(at: .seconds(60)) == .zero)
        #expect(bucket.reserve(at: .seconds(60)) == .zero)
        #expect(bucket.reserve(at: .seconds(60)) > .zero)
    }

    @Test func backoffGrowsAndResets() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(350), jitter: 0)
        #expect(backoff.next() == .milliseconds(100))
        #expect(backoff.next() == .milliseconds(200))
        #expect(backoff.next() == .milliseconds(350))
        #expect(backoff.next() == .milliseconds(350))
        backoff.reset()
        #expect(backoff.next() == .milliseconds(100))
    }

    @Test func backoffJitterStaysWithinBounds() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 1)
        let first = backoff.next()
        #expect(first >= .milliseconds(100) && first <= .milliseconds(200))
    }
}
