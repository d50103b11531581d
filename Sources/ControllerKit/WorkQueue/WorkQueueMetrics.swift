import Metrics

/// The queue metrics controller-runtime exports, under the same names, so existing dashboards
/// and alerts work against Virtyard unchanged.
///
/// Both `name` and `controller` carry the queue's name, as controller-runtime labels them.
/// Their `# HELP` texts are in VirtyardServer's `MetricHelp` table, by name.
struct WorkQueueMetrics: Sendable {
    private let depth: Gauge
    private let adds: Counter
    private let retries: Counter
    private let queueDuration: Timer
    private let workDuration: Timer

    init(name: String) {
        let dimensions = [("name", name), ("controller", name)]
        depth = Gauge(label: "workqueue_depth", dimensions: dimensions)
        adds = Counter(label: "workqueue_adds_total", dimensions: dimensions)
        retries = Counter(label: "workqueue_retries_total", dimensions: dimensions)
        queueDuration = Timer(
            label: "workqueue_queue_duration_seconds", dimensions: dimensions,
            preferredDisplayUnit: .seconds)
        workDuration = Timer(
            label: "workqueue_work_duration_seconds", dimensions: dimensions,
            preferredDisplayUnit: .seconds)
    }

    func recordDepth(_ count: Int) { depth.record(count) }
    func recordAdd() { adds.increment() }
    func recordRetry() { retries.increment() }
    func recordWaited(_ duration: Duration) { queueDuration.record(duration: duration) }
    func recordWorked(_ duration: Duration) { workDuration.record(duration: duration) }
}
