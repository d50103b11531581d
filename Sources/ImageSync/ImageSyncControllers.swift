import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// Disk image sync (data-sync-operator's VMDiskImage) under the cluster-wide policy: the
/// controllers to run on the leader.
public enum ImageSyncControllers {
    public struct Configuration: Sendable {
        /// Where the policy ConfigMap lives (the controller's own namespace).
        public var namespace: String
        /// The policy when the ConfigMap is absent or leaves keys out.
        public var defaults: SyncPolicy
        public var workers: Int

        public init(namespace: String = "virtyard-system", defaults: SyncPolicy = .builtIn, workers: Int = 4) {
            self.namespace = namespace
            self.defaults = defaults
            self.workers = workers
        }
    }

    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.imagesync")
    ) -> [any Service] {
        let images = informers.informer(for: .vmDiskImages)
        let dataVolumes = informers.informer(for: .dataVolumes)
        let snapshots = informers.informer(for: .volumeSnapshots)
        let virtualMachines = informers.informer(for: .virtualMachines)
        let configMaps = informers.informer(for: .configMaps, namespace: configuration.namespace)
        let events = EventRecorder(api: api, component: "virtyard-imagesync", logger: logger)
        let policy = PolicyStore(
            configMaps: configMaps, namespace: configuration.namespace, defaults: configuration.defaults,
            events: events, logger: logger)
        let queue = ImageQueueCache(images: images)
        queue.follow()
        /// The queue's head: whoever may take a slot that just freed up.
        let head: @Sendable () -> [ObjectKey] = {
            let concurrency = policy.current.concurrency
            return queue.read { $0.head(concurrency) }
        }
        let controller = Controller(
            name: "vmdiskimage",
            reconciler: ImageSyncReconciler(
                api: api, images: images, dataVolumes: dataVolumes, snapshots: snapshots,
                virtualMachines: virtualMachines, policy: policy, queue: queue,
                gate: AdmissionGate(), events: events, logger: logger),
            sources: [
                // The queue takes in the change before the keys go out, so the reconciles they
                // start see it.
                KeySource(informer: images) { image in
                    guard let key = ObjectKey(image) else { return [] }
                    queue.refresh(key)
                    return [key] + head()
                },
                .mapped(configMaps) { configMap in
                    guard configMap.name == SyncPolicy.configMapName else { return [] }
                    policy.refresh()
                    return head()
                },
                .owned(dataVolumes, by: .vmDiskImages),
                .owned(snapshots, by: .vmDiskImages),
                .mapped(virtualMachines) { vm in waitingDeletions(ImageUsage.referencedImages(by: vm), images) },
                .mapped(dataVolumes) { dataVolume in waitingDeletions(ImageUsage.referencedImages(by: dataVolume), images) },
            ],
            configuration: ControllerConfiguration(workers: configuration.workers), logger: logger)
        let positions = QueuePositions(api: api, images: images, queue: queue, interval: .seconds(1), logger: logger)
        return [PolicyWatch(configMaps: configMaps, store: policy), controller, positions]
    }

    private static func waitingDeletions(_ keys: [ObjectKey], _ images: Informer) -> [ObjectKey] {
        keys.filter { images.get($0)?.deletionTimestamp != nil }
    }
}
