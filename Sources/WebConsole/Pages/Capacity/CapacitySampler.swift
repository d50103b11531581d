import Foundation
import Synchronization

/// Samples the nodes' figures into a ``CapacityHistory`` every 5 s while this replica leads:
/// ``start()`` runs once per leader term (``CapacityPages/attach(_:)``) and cancels the
/// previous term's loop, so there is never more than one. After each sample `onSample` runs
/// (the capacity page's live topics, so open charts move), told whether any figure moved.
final class CapacitySampler: Sendable {
    typealias Source = @Sendable () -> [String: CapacitySample]

    private struct State {
        var source: Source?
        var onSample: (@Sendable (_ moved: Bool) -> Void)?
        var task: Task<Void, Never>?
        /// The figures last announced, without their times: an unchanged cluster re-renders
        /// nothing (at thousands of nodes a render is not free).
        var announced: [String: [Double]] = [:]
    }

    let history: CapacityHistory
    let interval: Duration
    private let state = Mutex(State())

    init(history: CapacityHistory, interval: Duration = CapacityHistory.interval) {
        self.history = history
        self.interval = interval
    }

    /// What to sample and whom to tell (set when the routes are registered, which may come
    /// before or after the first term).
    func configure(source: @escaping Source, onSample: @escaping @Sendable (_ moved: Bool) -> Void) {
        state.withLock { state in
            state.source = source
            state.onSample = onSample
        }
    }

    /// Starts this term's loop, ending the previous one.
    func start() {
        let interval = self.interval
        let task = Task { [weak self] in
            while !Task.isCancelled {
                self?.sampleOnce()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
        let previous = state.withLock { state in
            defer { state.task = task }
            return state.task
        }
        previous?.cancel()
    }

    /// Ends the loop (shutdown, tests).
    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    var isRunning: Bool { state.withLock { $0.task != nil } }

    /// One sample now: recorded, then announced (saying whether any figure moved).
    func sampleOnce() {
        let (source, onSample) = state.withLock { ($0.source, $0.onSample) }
        guard let source else { return }
        let sample = source()
        history.record(sample)
        let figures = sample.mapValues { [$0.cpuUsage, $0.memoryUsage, $0.cpuPressure, $0.memoryPressure] }
        let moved = state.withLock { state in
            defer { state.announced = figures }
            return state.announced != figures
        }
        onSample?(moved)
    }

    deinit {
        state.withLock { $0.task?.cancel() }
    }
}
