/// Suspends the current task until a ``WaiterSet`` slot is woken, `deadline` passes or the
/// task is cancelled — whichever comes first — then removes the slot.
///
/// The deadline is a child task sleeping on the injected clock rather than a timer thread, so
/// a manual test clock drives it and nothing outlives the call: the task group ends the sleeper
/// before returning. The caller owns the lock around its ``WaiterSet``; it hands in closures
/// that run the three operations under that lock.
func suspend(
    slot id: UInt64,
    deadline: (instant: Duration, time: TimeSource)?,
    park: (UInt64, CheckedContinuation<Void, Never>) -> Void,
    wake: @escaping @Sendable (UInt64) -> Void,
    remove: (UInt64) -> Void
) async {
    await withTaskGroup(of: Void.self) { group in
        if let deadline {
            group.addTask {
                do {
                    try await deadline.time.sleep(until: deadline.instant)
                    wake(id)
                } catch {
                    // Cancelled because the waiter was woken some other way: nothing to do.
                }
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in park(id, continuation) }
        } onCancel: {
            wake(id)
        }
        group.cancelAll()
    }
    remove(id)
}
