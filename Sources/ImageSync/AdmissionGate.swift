import ControllerKit
import KubeModel
import Synchronization

/// Decides which queued image may start syncing, so that the number Syncing never exceeds
/// the policy's concurrency.
///
/// The count is what the cluster says (images whose stored phase is Syncing, which survives
/// restarts and leader changes) plus the images this process has admitted whose Syncing status
/// the cache has not shown yet. Decisions are taken one at a time under a lock, and only the
/// head of the FIFO is admitted: with `free` slots, the first `free` queued images.
final class AdmissionGate: Sendable {
    private let admitted = Mutex<Set<ObjectKey>>([])

    enum Decision: Equatable {
        case admit
        /// Not this one's turn: its place in the queue (1 is next) and the images Syncing.
        case wait(position: Int?, syncing: Int)
    }

    /// Decides for the image `key` on the queue as the cache shows it now.
    func decide(_ key: ObjectKey, queue: ImageQueue, concurrency: Int) -> Decision {
        admitted.withLock { admitted in
            // Admissions the cache now shows (or that vanished) no longer need remembering.
            admitted = admitted.filter { queue.phase(of: $0) == .queued }
            let syncing = queue.syncingCount + admitted.count
            // Its place among the queued images not admitted yet.
            let position =
                admitted.contains(key)
                ? nil
                : queue.position(of: key).map { place in
                    place - admitted.filter { queue.position(of: $0).map { $0 < place } ?? false }.count
                }
            guard let position, position <= concurrency - syncing else {
                return .wait(position: position, syncing: syncing)
            }
            admitted.insert(key)
            return .admit
        }
    }

    /// The admission did not make it to the cluster (the status write failed).
    func withdraw(_ key: ObjectKey) {
        _ = admitted.withLock { $0.remove(key) }
    }
}
