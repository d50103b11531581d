import ControllerKit
import KubeModel
import Synchronization

/// The ``ImageQueue`` of the images informer's cache, updated image by image as events arrive.
///
/// ``refresh(_:)`` reads the image from the cache under the queue's lock, so two handlers
/// refreshing the same image at once cannot leave an older state behind: whichever runs last
/// reads the newest. It is called from two places:
///
/// - a handler registered for the informer's whole life (``follow()``), so the queue stays
///   whole while the controller is not running (deletions on a standby replica included);
/// - the controller's own image handler, before it queues keys, so that a reconcile never sees
///   a queue older than the event that woke it.
final class ImageQueueCache: Sendable {
    private let images: Informer
    private let queue = Mutex(ImageQueue())

    init(images: Informer) {
        self.images = images
    }

    /// Registers the handler that keeps the queue in step with the informer, for good.
    func follow() {
        images.addEventHandler { [self] event in
            if let key = event.key { refresh(key) }
        }
    }

    /// Brings one image's entry up to date with the informer's cache.
    func refresh(_ key: ObjectKey) {
        queue.withLock { queue in queue.update(key, to: images.get(key)) }
    }

    /// Reads the queue under its lock.
    func read<Result: Sendable>(_ body: (ImageQueue) -> Result) -> Result {
        queue.withLock { queue in body(queue) }
    }
}
