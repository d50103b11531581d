import Metrics

/// The reconcile metrics controller-runtime exports, under its names and labels, so the usual
/// dashboards (reconcile rate by result, error rate, latency) work unchanged. Their `# HELP`
/// texts are in VirtyardServer's `MetricHelp` table, by name.
struct ControllerMetrics: Sendable {
    private let success: Counter
    private let error: Counter
    private let requeue: Counter
    private let requeueAfter: Counter
    private let errors: Counter
    private let duration: Timer
    private let activeWorkers: Gauge

    init(controller: String, workers: Int) {
        func total(_ result: String) -> Counter {
            Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", controller), ("result", result)])
        }
        success = total("success")
        error = total("error")
        requeue = total("requeue")
        requeueAfter = total("requeue_after")
        errors = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", controller)])
        duration = Timer(
            label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", controller)],
            preferredDisplayUnit: .seconds)
        activeWorkers = Gauge(label: "controller_runtime_active_workers", dimensions: [("controller", controller)])
        Gauge(label: "controller_runtime_max_concurrent_reconciles", dimensions: [("controller", controller)]).record(workers)
    }

    func recordSuccess(_ result: ReconcileResult, after elapsed: Duration) {
        switch result {
        case .done: success.increment()
        case .requeue: requeue.increment()
        case .requeueAfter: requeueAfter.increment()
        }
        duration.record(duration: elapsed)
    }

    func recordError(after elapsed: Duration) {
        error.increment()
        errors.increment()
        duration.record(duration: elapsed)
    }

    func recordActiveWorkers(_ count: Int) {
        activeWorkers.record(count)
    }
}
