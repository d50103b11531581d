import KubeModel
import Metrics
import Synchronization

/// `apiserver_request_total` and `apiserver_request_duration_seconds`, named as
/// kube-apiserver names them so existing dashboards read them (`# HELP` texts: VirtyardServer's
/// `MetricHelp` table).
///
/// Each handle is made once per set of labels and kept: making it through the metrics factory
/// on every request (the registry's lookup under its lock, the labels hashed and checked
/// again) was 1.5 % of the server's CPU under load. The labels come from the resource registry,
/// the HTTP methods the parser accepts and the status codes the server answers, so the kept
/// handles are few; past `maximumKept` a handle is made per request again rather than kept.
final class RequestMetrics: Sendable {
    private struct CountLabels: Hashable {
        var verb: String
        var resource: GroupResource
        var code: Int
    }

    private struct DurationLabels: Hashable {
        var verb: String
        var resource: String
    }

    private let counters = Mutex<[CountLabels: Counter]>([:])
    private let timers = Mutex<[DurationLabels: Timer]>([:])
    private let maximumKept: Int

    init(maximumKept: Int = 4_096) {
        self.maximumKept = maximumKept
    }

    static let shared = RequestMetrics()

    func record(verb: String, resource: GroupResource, code: Int, duration: Duration) {
        counter(CountLabels(verb: verb, resource: resource, code: code)).increment()
        // A watch lasts as long as the client wants: its duration says nothing of the server.
        if verb != "WATCH" {
            timer(DurationLabels(verb: verb, resource: resource.resource)).recordNanoseconds(Self.nanoseconds(duration))
        }
    }

    /// How many handles are kept (for tests).
    var keptCount: Int { counters.withLock { $0.count } + timers.withLock { $0.count } }

    private func counter(_ labels: CountLabels) -> Counter {
        if let kept = counters.withLock({ $0[labels] }) { return kept }
        let made = Counter(
            label: "apiserver_request_total",
            dimensions: [
                ("verb", labels.verb), ("group", labels.resource.group), ("resource", labels.resource.resource),
                ("code", String(labels.code)),
            ])
        return counters.withLock { kept in
            if let raced = kept[labels] { return raced }
            if kept.count < maximumKept { kept[labels] = made }
            return made
        }
    }

    private func timer(_ labels: DurationLabels) -> Timer {
        if let kept = timers.withLock({ $0[labels] }) { return kept }
        let made = Timer(
            label: "apiserver_request_duration_seconds", dimensions: [("verb", labels.verb), ("resource", labels.resource)],
            preferredDisplayUnit: .seconds)
        return timers.withLock { kept in
            if let raced = kept[labels] { return raced }
            if kept.count < maximumKept { kept[labels] = made }
            return made
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
