import Synchronization

/// A value set once and awaited by any number of tasks: how a server announces the port it
/// bound to everyone who needs it — or that it could not bind, so that nobody waits forever
/// for a server that is not coming.
public final class AsyncValue<Value: Sendable>: Sendable {
    private struct State {
        var outcome: Result<Value, any Error>?
        var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the value (the first outcome wins) and wakes every waiter.
    public func set(_ value: Value) {
        finish(.success(value))
    }

    /// Records that the value will never come; waiters throw `error` (unless a value or
    /// another failure came first).
    public func fail(_ error: any Error) {
        finish(.failure(error))
    }

    private func finish(_ outcome: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard state.outcome == nil else { return [] }
            state.outcome = outcome
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    public var current: Value? { state.withLock { try? $0.outcome?.get() } }

    /// The value, once it is set. Throws the failure if there will be none, and
    /// `CancellationError` if the waiting task is cancelled first.
    public func wait() async throws -> Value {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    if let outcome = state.outcome { return outcome }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

extension AsyncValue where Value == Int {
    /// Runs a server bound to `address`, whose port this value announces: when it ends
    /// without having announced one (it could not bind, or stopped first), the waiters learn
    /// why instead of waiting forever. A failure is rethrown as a ``ListenFailure``.
    public func announcingEnd(of address: String, _ run: () async throws -> Void) async throws {
        do {
            try await run()
            fail(ServerStopped(address: address))
        } catch {
            let failure = ListenFailure(address: address, underlying: error)
            fail(failure)
            throw failure
        }
    }
}
