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

    /// Parks the continuation of an announced waiter; returns it to be resumed at once when the
    /// waiter was woken (or removed) in the meantime.
    mutating func park(_ id: UInt64, _ continuation: CheckedContinuation<Void, Never>) -> Wakeups {
        switch slots[id] {
        case .announced?:
            slots[id] = .parked(continuation)
            return Wakeups()
        case .parked?, .woken?, nil:
            return Wakeups([continuation])
        }
    }

    /// Wakes one waiter; a slot that is not parked yet is marked so that parking returns at once.
    mutating func wake(_ id: UInt64) -> Wakeups {
        switch slots[id] {
        case .announced?:
            slots[id] = .woken
            return Wakeups()
        case .parked(let continuation)?:
            slots[id] = .woken
            return Wakeups([continuation])
        case .woken?, nil:
            return Wakeups()
        }
    }

    mutating func wakeAll() -> Wakeups {
        var all = Wakeups()
        for id in Array(slots.keys) { all.continuations += wake(id).continuations }
        return all
    }

    /// Forgets a waiter once it has stopped waiting; a parked continuation is handed back to be
    /// resumed, so that none is ever leaked.
    mutating func remove(_ id: UInt64) -> Wakeups {
        if case .parked(let continuation)? = slots.removeValue(forKey: id) { return Wakeups([continuation]) }
        return Wakeups()
    }
}

/// Continuations to resume — after the lock around the ``WaiterSet`` is released. Resuming one
/// takes the waiting task's status lock, and a task being cancelled holds that lock while its
/// cancellation handler waits for ours: resuming under our lock deadlocked the scheduler's
/// shutdown (both threads of a 2-core pool blocked, the whole process frozen).
struct Wakeups: Sendable {
    var continuations: [CheckedContinuation<Void, Never>]

    init(_ continuations: [CheckedContinuation<Void, Never>] = []) {
        self.continuations = continuations
    }

    func resume() {
        for continuation in continuations { continuation.resume() }
    }
}
