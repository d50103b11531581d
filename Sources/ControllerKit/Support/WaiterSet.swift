/// Tasks suspended until something changes, kept inside the lock of the state they wait on.
///
/// A waiter is announced (``announce()``) in the same critical section that found nothing to
/// do, and only later parks its continuation (``park(_:_:)``) — after that section has ended.
/// A wake-up that lands in between marks the announced slot as woken, so the continuation
/// resumes at once instead of sleeping through the change that was meant to wake it (the lost
/// wake-up problem of condition variables without a held mutex).
struct WaiterSet {
    private enum Slot {
        case announced
        case parked(CheckedContinuation<Void, Never>)
        case woken
    }

    private var slots: [UInt64: Slot] = [:]
    private var nextID: UInt64 = 0

    var isEmpty: Bool { slots.isEmpty }

    /// Reserves a slot for a task that is about to wait.
    mutating func announce() -> UInt64 {
        defer { nextID &+= 1 }
        slots[nextID] = .announced
        return nextID
    }

    /// Parks the continuation of an announced waiter, or resumes it at once when it was woken
    /// (or removed) in the meantime.
    mutating func park(_ id: UInt64, _ continuation: CheckedContinuation<Void, Never>) {
        switch slots[id] {
        case .announced?:
            slots[id] = .parked(continuation)
        case .parked?, .woken?, nil:
            continuation.resume()
        }
    }

    /// Wakes one waiter; a slot that is not parked yet is marked so that parking returns at once.
    mutating func wake(_ id: UInt64) {
        switch slots[id] {
        case .announced?:
            slots[id] = .woken
        case .parked(let continuation)?:
            slots[id] = .woken
            continuation.resume()
        case .woken?, nil:
            break
        }
    }

    mutating func wakeAll() {
        for id in Array(slots.keys) { wake(id) }
    }

    /// Forgets a waiter once it has stopped waiting; a parked continuation is resumed first so
    /// that none is ever leaked.
    mutating func remove(_ id: UInt64) {
        if case .parked(let continuation)? = slots.removeValue(forKey: id) { continuation.resume() }
    }
}
