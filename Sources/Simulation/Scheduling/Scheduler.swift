import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// Places pending pods on nodes and binds them through `pods/binding`, as kube-scheduler does
/// for the default scheduler name. Runs in embedded mode only: a real cluster has its own.
///
/// One loop takes pods off a FIFO queue and runs the ``SchedulingAlgorithm`` against the
/// ``SchedulerCache``; the chosen node is *assumed* (counted at once) and the binding is
/// written in the background, so the next pod is placed while the last one's write is in
/// flight. A pod that fits nowhere gets `PodScheduled=False` (reason `Unschedulable`) and a
/// `FailedScheduling` event, and waits until a node changes or a pod leaves.
public final class Scheduler: Service, Sendable {
    public struct Configuration: Sendable {
        public var strategy: ResourceScoringStrategy
        /// Nil: kube-scheduler's adaptive percentage.
        public var percentageOfNodesToScore: Int?
        /// Bindings written at once. kube-scheduler binds each pod in its own goroutine; a
        /// bound keeps memory in check, and it must cover a commit's wait under load (the
        /// measurements behind 64, the API client's connections per host, are in
        /// docs/performance.md).
        public var bindConcurrency: Int
        /// Write `Scheduled` / `FailedScheduling` events.
        public var recordEvents: Bool
        public var schedulerName: String

        public init(
            strategy: ResourceScoringStrategy = .leastAllocated, percentageOfNodesToScore: Int? = nil,
            bindConcurrency: Int = 64, recordEvents: Bool = true, schedulerName: String = "default-scheduler"
        ) {
            self.strategy = strategy
            self.percentageOfNodesToScore = percentageOfNodesToScore
            self.bindConcurrency = bindConcurrency
            self.recordEvents = recordEvents
            self.schedulerName = schedulerName
        }
    }

    private struct State {
        var cache = SchedulerCache()
        var algorithm: SchedulingAlgorithm
        /// Pods that fit nowhere, waiting for the cluster to change.
        var unschedulable: Set<ObjectKey> = []
    }

    let api: any KubernetesAPI
    let nodes: Informer
    let pods: Informer
    public let configuration: Configuration
    let logger: Logger
    let events: EventRecorder
    private let state: Mutex<State>
    /// The last `PodScheduled=False` message written per pod, so retries that fail the same
    /// way write nothing. Apart from `state`: every binding clears its pod's entry, and
    /// bindings finishing must not wait on the scheduling cycle that holds `state`.
    private let reportedFailures = Mutex<[ObjectKey: String]>([:])
    private let statistics = Mutex(Statistics())

    public struct Statistics: Sendable, Hashable {
        public var scheduled = 0
        public var unschedulableAttempts = 0
        public var bindFailures = 0
        public var nodesEvaluated = 0
    }

    public init(
        api: any KubernetesAPI, informers: SharedInformerFactory, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.scheduler")
    ) {
        self.api = api
        self.nodes = informers.informer(for: .nodes)
        self.pods = informers.informer(for: .pods)
        self.configuration = configuration
        self.logger = logger
        self.events = EventRecorder(api: api, component: configuration.schedulerName, logger: logger)
        self.state = Mutex(
            State(
                algorithm: SchedulingAlgorithm(
                    strategy: configuration.strategy,
                    percentageOfNodesToScore: configuration.percentageOfNodesToScore)))
    }

    public var currentStatistics: Statistics { statistics.withLock { $0 } }

    public func run() async throws {
        do {
            try await schedule()
        } catch is CancellationError {
            // Shutdown: a normal end.
        }
    }

    private func schedule() async throws {
        let queue = WorkQueue<ObjectKey>(
            configuration: .init(
                name: "scheduler", backoff: FailureBackoff(base: .seconds(1), cap: .seconds(10)),
                rateLimit: nil))
        // A new term starts from what the informers hold now.
        state.withLock { state in
            state.cache = SchedulerCache()
            state.unschedulable = []
        }
        reportedFailures.withLock { $0 = [:] }
        let nodeRegistration = nodes.addEventHandler { [self] event in handleNode(event, queue: queue) }
        let podRegistration = pods.addEventHandler { [self] event in handlePod(event, queue: queue) }
        defer {
            nodes.removeEventHandler(nodeRegistration)
            pods.removeEventHandler(podRegistration)
        }
        try await nodeRegistration.waitForSync()
        try await podRegistration.waitForSync()
        logger.info("scheduler started", metadata: ["nodes": "\(nodes.indexer.count)"])
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    try await schedulingLoop(queue)
                }
                group.addTask {
                    try? await gracefulShutdown()
                    queue.shutDown()
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    // MARK: Events

    private func handleNode(_ event: InformerEvent, queue: WorkQueue<ObjectKey>) {
        switch event {
        case .added(let node, _), .updated(_, let node):
            let info = NodeInfo(node)
            state.withLock { $0.cache.upsertNode(info) }
            retryUnschedulable(queue)
        case .deleted(let node, _):
            guard let name = node.name else { return }
            state.withLock { $0.cache.removeNode(named: name) }
        }
    }

    private func handlePod(_ event: InformerEvent, queue: WorkQueue<ObjectKey>) {
        let pod = event.object
        guard let key = ObjectKey(pod) else { return }
        if case .deleted = event {
            reportedFailures.withLock { _ = $0.removeValue(forKey: key) }
            let freed = state.withLock { state -> Bool in
                state.unschedulable.remove(key)
                guard let uid = pod.uid, state.cache.nodeName(ofPod: uid) != nil else { return false }
                state.cache.removePod(uid: uid)
                return true
            }
            if freed { retryUnschedulable(queue) }
            return
        }
        let view = Pod(pod)
        let terminal = view.phase?.isFinished == true
        let nodeName = view.nodeName ?? ""
        if !nodeName.isEmpty {
            // The usual case after a binding: the pod is already counted (assumed) there.
            if !terminal, let uid = pod.uid, state.withLock({ $0.cache.nodeName(ofPod: uid) == nodeName }) { return }
            let scheduling = SchedulingPod(pod)
            let freed = state.withLock { state -> Bool in
                state.unschedulable.remove(key)
                if terminal {
                    guard state.cache.nodeName(ofPod: scheduling.uid) != nil else { return false }
                    state.cache.removePod(uid: scheduling.uid)
                    return true
                }
                state.cache.addPod(scheduling, on: nodeName)
                return false
            }
            if freed { retryUnschedulable(queue) }
            return
        }
        guard !terminal, pod.deletionTimestamp == nil, isOurs(pod) else { return }
        let waiting = state.withLock { $0.unschedulable.contains(key) }
        if !waiting { queue.add(key) }
    }

    private func isOurs(_ pod: JSONValue) -> Bool {
        let name = Pod(pod).schedulerName ?? ""
        return name.isEmpty || name == configuration.schedulerName
    }

    /// Capacity freed or a node changed: pods that fit nowhere get another try, after their
    /// backoff (kube-scheduler's move to the backoff queue).
    private func retryUnschedulable(_ queue: WorkQueue<ObjectKey>) {
        let waiting = state.withLock { state -> Set<ObjectKey> in
            defer { state.unschedulable = [] }
            return state.unschedulable
        }
        for key in waiting { queue.addRateLimited(key) }
    }

    // MARK: Scheduling

    private func schedulingLoop(_ queue: WorkQueue<ObjectKey>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { bindings in
            var inFlight = 0
            while let key = await queue.next() {
                defer { queue.done(key) }
                guard let pod = pods.get(key), isPending(pod) else {
                    queue.forget(key)
                    continue
                }
                let scheduling = SchedulingPod(pod)
                let decision = state.withLock { state -> SchedulingDecision in
                    let decision = state.algorithm.schedule(scheduling, in: &state.cache)
                    switch decision {
                    case .scheduled(let node, _, _): state.cache.addPod(scheduling, on: node)
                    case .unschedulable: state.unschedulable.insert(key)
                    }
                    return decision
                }
                switch decision {
                case .scheduled(let node, let evaluated, _):
                    statistics.withLock {
                        $0.scheduled += 1
                        $0.nodesEvaluated += evaluated
                    }
                    queue.forget(key)
                    if inFlight >= configuration.bindConcurrency {
                        // Down to three quarters before placing more: this loop is one task
                        // among the many a busy server runs, and taking one slot at a time
                        // cost it a turn on the pool for every pod.
                        let resumeAt = configuration.bindConcurrency * 3 / 4
                        while inFlight > resumeAt {
                            try await bindings.next()
                            inFlight -= 1
                        }
                    }
                    inFlight += 1
                    bindings.addTask { [self] in await bind(pod, scheduling, to: node, queue: queue) }
                case .unschedulable(let failure):
                    statistics.withLock { $0.unschedulableAttempts += 1 }
                    await reportUnschedulable(pod, key: key, message: failure.description)
                }
            }
            try await bindings.waitForAll()
        }
    }

    private func isPending(_ pod: JSONValue) -> Bool {
        let view = Pod(pod)
        return !view.isBound && !view.isDeleting && view.phase?.isFinished != true && isOurs(pod)
    }

    private func bind(_ pod: JSONValue, _ scheduling: SchedulingPod, to node: String, queue: WorkQueue<ObjectKey>) async {
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": [
                "name": .string(scheduling.name), "namespace": .string(scheduling.namespace),
                "uid": .string(scheduling.uid),
            ],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ]
        do {
            _ = try await api.post(
                .pods, namespace: scheduling.namespace, name: scheduling.name,
                subresource: "binding", body: binding, options: .default)
            reportedFailures.withLock {
                _ = $0.removeValue(forKey: ObjectKey(namespace: scheduling.namespace, name: scheduling.name))
            }
            if configuration.recordEvents {
                events.record(
                    pod, type: .normal, reason: "Scheduled",
                    message: "Successfully assigned \(scheduling.namespace)/\(scheduling.name) to \(node)")
            }
        } catch {
            // The assumption was wrong: uncount the pod, and retry unless it is gone or
            // someone else placed it.
            statistics.withLock { $0.bindFailures += 1 }
            state.withLock { $0.cache.removePod(uid: scheduling.uid) }
            if !error.isNotFound && error.code != 409 {
                logger.warning(
                    "binding failed",
                    metadata: [
                        "pod": "\(scheduling.key)", "node": "\(node)",
                        "error": "\(error)",
                    ])
                queue.addRateLimited(ObjectKey(namespace: scheduling.namespace, name: scheduling.name))
            }
        }
    }

    private func reportUnschedulable(_ pod: JSONValue, key: ObjectKey, message: String) async {
        let changed = reportedFailures.withLock { reported -> Bool in
            guard reported[key] != message else { return false }
            reported[key] = message
            return true
        }
        guard changed else { return }
        logger.debug("pod unschedulable", metadata: ["pod": "\(key)", "reason": "\(message)"])
        let patch: JSONValue = [
            "status": [
                "conditions": [
                    [
                        "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
                        "lastProbeTime": .null, "lastTransitionTime": .string(Timestamp.now()),
                    ]
                ]
            ]
        ]
        do {
            _ = try await api.patch(
                .pods, namespace: key.namespace, name: key.name, patch: patch, type: .strategic,
                subresource: "status", options: .default)
        } catch {
            logger.debug("could not mark pod unschedulable", metadata: ["pod": "\(key)", "error": "\(error)"])
        }
        if configuration.recordEvents {
            events.record(pod, type: .warning, reason: "FailedScheduling", message: message)
        }
    }
}
