import Synchronization

/// A flag that goes from unset to set once, with tasks able to wait for it.
///
/// "Has the cache synced", "has this handler seen the initial list" and "was shutdown
/// requested" are all such facts: they become true once and stay true, and waiting for them
/// must not block a thread or miss the moment they flipped.
final class OneShotLatch: Sendable {
    private struct State {
        var isSet = false
        var waiters = WaiterSet()
    }

    private let state = Mutex(State())

    init() {}

    var isSet: Bool { state.withLock { $0.isSet } }

    /// Sets the flag and wakes every waiter; later calls do nothing.
    func set() {
        let wakeups = state.withLock { state in
            guard !state.isSet else { return Wakeups() }
            state.isSet = true
            return state.waiters.wakeAll()
        }
        wakeups.resume()
    }

    /// Waits until the flag is set.
    func wait() async throws(CancellationError) {
        _ = try await wait(until: nil, time: nil)
    }

    /// Waits until the flag is set or `deadline` passes on `time`; returns whether it was set.
    func wait(until deadline: Duration?, time: TimeSource?) async throws(CancellationError) -> Bool {
        while true {
            if Task.isCancelled { throw CancellationError() }
            if let time, let deadline, time.now >= deadline { return isSet }
            let slot: UInt64? = state.withLock { state in state.isSet ? nil : state.waiters.announce() }
            guard let slot else { return true }
            await suspend(
                slot: slot, deadline: deadline.flatMap { instant in time.map { (instant, $0) } },
                park: { id, continuation in state.withLock { $0.waiters.park(id, continuation) }.resume() },
                wake: { [self] id in self.state.withLock { $0.waiters.wake(id) }.resume() },
                remove: { id in state.withLock { $0.waiters.remove(id) }.resume() })
        }
    }
}
