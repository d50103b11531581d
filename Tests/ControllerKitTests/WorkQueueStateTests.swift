import Testing

@testable import ControllerKit

/// The queue's rules as a pure state machine, without tasks or clocks.
@Suite("WorkQueueState")
struct WorkQueueStateTests {
    private func makeState() -> WorkQueueState<String> {
        WorkQueueState(backoff: FailureBackoff(base: .milliseconds(10), cap: .seconds(1)), bucket: nil)
    }

    @Test func addOutcomesFollowTheDirtyAndProcessingSets() {
        var state = makeState()
        #expect(state.add("a", now: .zero) == .queued)
        #expect(state.add("a", now: .zero) == .coalesced)
        let popped = state.pop(now: .milliseconds(3))
        #expect(popped?.key == "a")
        #expect(popped?.waited == .milliseconds(3))
        #expect(state.add("a", now: .zero) == .deferredUntilDone)
        #expect(state.add("a", now: .zero) == .coalesced)
        #expect(state.readyCount == 0)
        let done = state.done("a", now: .milliseconds(10))
        #expect(done.requeued)
        #expect(done.worked == .milliseconds(7))
        #expect(state.readyCount == 1)
    }

    @Test func doneWithoutReAddLeavesNothingQueued() {
        var state = makeState()
        _ = state.add("a", now: .zero)
        _ = state.pop(now: .zero)
        #expect(state.done("a", now: .zero).requeued == false)
        #expect(state.readyCount == 0)
        #expect(state.done("unknown", now: .zero).worked == nil)
    }

    @Test func rateLimitedAddsGrowPerKey() {
        var state = makeState()
        #expect(state.addRateLimited("a", now: .zero) == .milliseconds(10))
        #expect(state.addRateLimited("a", now: .zero) == .milliseconds(20))
        #expect(state.addRateLimited("b", now: .zero) == .milliseconds(10))
        #expect(state.requeues(of: "a") == 2)
        state.forget("a")
        #expect(state.requeues(of: "a") == 0)
        #expect(state.addRateLimited("a", now: .zero) == .milliseconds(10))
    }

    @Test func delayedKeysArePromotedInTimeOrder() {
        var state = makeState()
        _ = state.add("c", after: .milliseconds(30), now: .zero)
        _ = state.add("a", after: .milliseconds(10), now: .zero)
        _ = state.add("b", after: .milliseconds(20), now: .zero)
        #expect(state.nextReadyTime == .milliseconds(10))
        state.promoteDue(now: .milliseconds(25))
        #expect(state.pop(now: .milliseconds(25))?.key == "a")
        #expect(state.pop(now: .milliseconds(25))?.key == "b")
        #expect(state.pop(now: .milliseconds(25)) == nil)
        #expect(state.nextReadyTime == .milliseconds(30))
    }

    @Test func shutDownDropsPendingWorkButLetsInFlightFinish() {
        var state = makeState()
        _ = state.add("a", now: .zero)
        _ = state.add("b", now: .zero)
        _ = state.add("later", after: .seconds(1), now: .zero)
        _ = state.pop(now: .zero)
        _ = state.add("a", now: .zero)
        state.shutDown()
        #expect(state.isShuttingDown)
        #expect(state.readyCount == 0)
        #expect(state.nextReadyTime == nil)
        #expect(state.add("c", now: .zero) == .ignored)
        #expect(state.addRateLimited("c", now: .zero) == nil)
        #expect(state.done("a", now: .zero).requeued == false)
        #expect(state.pop(now: .seconds(2)) == nil)
    }
}
