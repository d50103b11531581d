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

    func decide(_ key: ObjectKey, images: [JSONValue], concurrency: Int) -> Decision {
        admitted.withLock { admitted in
            var phases: [ObjectKey: VMDiskImage.Phase] = [:]
            for image in images {
                if let key = ObjectKey(image), let phase = VMDiskImage(image).phase { phases[key] = phase }
            }
            // Admissions the cache now shows (or that vanished) no longer need remembering.
            admitted = admitted.filter { phases[$0] == .queued }
            let syncing = phases.filter { $0.value == .syncing }.count + admitted.count
            let waiting = VMDiskImage.queue(images).compactMap(ObjectKey.init).filter { !admitted.contains($0) }
            let position = waiting.firstIndex(of: key).map { $0 + 1 }
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
