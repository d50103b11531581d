import Synchronization

/// The port a listener bound, for whoever waits to announce it; or why it could not bind.
final class BoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case done(Result<Int, any Error>)
    }

    private let state = Mutex(State.waiting([]))

    func set(_ port: Int) { finish(.success(port)) }
    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ outcome: Result<Int, any Error>) {
        let waiting = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiting) = state else { return [] }
            state = .done(outcome)
            return waiting
        }
        for continuation in waiting { continuation.resume(with: outcome) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> Result<Int, any Error>? in
                switch state {
                case .waiting(let waiting):
                    state = .waiting(waiting + [continuation])
                    return nil
                case .done(let outcome): return outcome
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}

struct ListenerStopped: Error, CustomStringConvertible {
    var address: String
    var description: String { "the Cloud Director API on \(address) stopped before it was listening" }
}
