import Metrics
import Prometheus

/// The `# HELP` line of every metric made through swift-metrics (`Counter`, `Gauge`,
/// `Timer` in KubeServer, ControllerKit and here), in one table.
///
/// swift-metrics has no place for a help text and swift-prometheus's own factory passes an
/// empty one, so the metrics would reach Prometheus without HELP (`promtool check metrics`
/// flags each). `HelpfulMetricsFactory` looks the text up here by metric name instead, and
/// the call sites stay plain swift-metrics. A name missing from this table gets no HELP line,
/// which `Tests/conformance/test_metrics_lint.py` catches. Capacity's node metrics are
/// rendered as text with their HELP written beside them (`CapacityMetrics`).
///
/// Names borrowed from kube-apiserver and controller-runtime keep those projects' wording,
/// so the text reads the same on their dashboards.
public enum MetricHelp {
    public static let texts: [String: String] = [
        // KubeServer: the Kubernetes API (KubeAPIResponder).
        "apiserver_request_total":
            "Counter of API requests broken out by verb, group, resource and HTTP response code.",
        "apiserver_request_duration_seconds":
            "Response latency distribution in seconds for each verb and resource (watches are not timed).",

        // VirtyardServer: the embedded store, read at each scrape (StoreMetrics).
        "virtyard_apiserver_resource_version":
            "Current resourceVersion of the embedded store: the version of its last write.",
        "virtyard_apiserver_watchers": "Watch streams open on the embedded store.",
        "virtyard_apiserver_objects": "Objects held by the embedded store, per resource.",
        "virtyard_apiserver_store_transactions":
            "SQLite transactions committed since start (writes are group-committed; writes / transactions is the batch factor).",
        "virtyard_apiserver_store_writes": "Object writes and deletes committed to SQLite since start.",

        // ControllerKit: reconcilers (ControllerMetrics), controller-runtime's names.
        "controller_runtime_reconcile_total": "Total number of reconciliations per controller and result.",
        "controller_runtime_reconcile_errors_total": "Total number of reconciliation errors per controller.",
        "controller_runtime_reconcile_time_seconds": "Length of time per reconciliation per controller.",
        "controller_runtime_active_workers": "Number of currently used workers per controller.",
        "controller_runtime_max_concurrent_reconciles": "Maximum number of concurrent reconciles per controller.",

        // ControllerKit: work queues (WorkQueueMetrics), controller-runtime's names.
        "workqueue_depth": "Current depth of workqueue.",
        "workqueue_adds_total": "Total number of adds handled by workqueue.",
        "workqueue_retries_total": "Total number of retries handled by workqueue.",
        "workqueue_queue_duration_seconds": "How long in seconds an item stays in workqueue before being requested.",
        "workqueue_work_duration_seconds": "How long in seconds processing an item from workqueue takes.",
    ]

    /// Makes the registry `/metrics` emits and bootstraps swift-metrics onto it, with the help
    /// texts above. Once per process (swift-metrics allows one bootstrap).
    public static func bootstrapRegistry() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(HelpfulMetricsFactory(registry: registry))
        return registry
    }
}

/// swift-prometheus's `PrometheusMetricsFactory` (its default histogram buckets, its
/// unregistering), except that each metric is made with its help text from a table.
///
/// The registry holds one help text per name and stops the process when a second differs,
/// so every handler of a name must come through here; the table gives them the same text.
public struct HelpfulMetricsFactory: MetricsFactory {
    private let base: PrometheusMetricsFactory
    private let help: [String: String]

    public init(registry: PrometheusCollectorRegistry, help: [String: String] = MetricHelp.texts) {
        self.base = PrometheusMetricsFactory(registry: registry)
        self.help = help
    }

    /// The name as given; an empty unit adds no suffix.
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        base.registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        base.registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return base.registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let buckets = base.valueHistogramBuckets[label] ?? base.defaultValueHistogramBuckets
        return base.registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        base.registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = base.durationHistogramBuckets[label] ?? base.defaultDurationHistogramBuckets
        return base.registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        base.destroyFloatingPointCounter(handler)
    }
    public func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
