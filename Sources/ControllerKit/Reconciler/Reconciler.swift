import KubeModel

/// Makes the world match what one object asks for: the piece of a controller that carries its
/// domain logic.
///
/// Reconciling is level-triggered. The reconciler is told only *which* object to look at,
/// never what changed: it reads the current state (from an ``Informer``'s cache or the API),
/// acts to close the gap between desired and actual, and writes status. Because it never trusts
/// an event, missed, repeated or reordered events cannot make it wrong — the next reconcile of
/// the key sees the truth. It must therefore be idempotent: reconciling an object that is
/// already in its desired state changes nothing.
///
/// The ``Controller`` calls it from several workers, but never for the same key twice at once.
public protocol Reconciler: Sendable {
    /// Reconciles the object with this key; the object may no longer exist (deletion is one
    /// more state to reconcile, usually by doing nothing or cleaning up).
    ///
    /// Throwing requeues the key with exponential backoff (and counts an error); returning a
    /// ``ReconcileResult`` says whether and when to look again.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// What a ``Reconciler`` wants done with the key after a successful pass.
public enum ReconcileResult: Sendable, Hashable {
    /// The object is reconciled; the next event about it brings it back.
    case done
    /// Look again soon, with the key's backoff, as for an error but without logging one (for
    /// example while waiting on something that has no event of its own).
    case requeue
    /// Look again after this duration whatever happens meanwhile: polling something outside
    /// Kubernetes, or a deadline such as a lab session that expires in ten minutes.
    case requeueAfter(Duration)
}
