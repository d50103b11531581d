import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// Keeps `status.queuePosition` of every queued image equal to its place in the global FIFO
/// (1 is next), as ``ImageQueueCache`` keeps it in order. Positions shift together whenever an
/// image leaves the queue; writing them from one loop, at most once a second and only where
/// they changed, bounds the writes however long the queue is.
struct QueuePositions: Service {
    let api: any KubernetesAPI
    let images: Informer
    let queue: ImageQueueCache
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await images.waitForSync()
            while !Task.isCancelled {
                await updateOnce()
                try await Task.sleep(for: interval)
            }
        }
    }

    func updateOnce() async {
        for (index, key) in queue.read(\.keys).enumerated() {
            guard let object = images.get(key) else { continue }
            let image = VMDiskImage(object)
            let position = Int64(index + 1)
            guard image.queuePosition != position, let name = object.name else { continue }
            do {
                // Only while it is still queued: the image may have been admitted since the cache
                // was read, and a Syncing image has no place in the queue.
                _ = try await api.patch(
                    .vmDiskImages, namespace: object.namespace, name: name,
                    patch: [
                        [
                            "op": "test", "path": .string(VMDiskImage.Field.phase.jsonPointer),
                            "value": .string(VMDiskImage.Phase.queued.rawValue),
                        ],
                        [
                            "op": "add", "path": .string(VMDiskImage.Field.queuePosition.jsonPointer),
                            "value": .int(position),
                        ],
                    ],
                    type: .json, subresource: "status", options: .default)
            } catch {
                logger.debug("could not write queue position", metadata: ["image": "\(name)", "error": "\(error)"])
            }
        }
    }
}
