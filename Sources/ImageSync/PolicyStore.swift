import ControllerKit
import KubeModel
import Logging
import Synchronization

/// The policy in force, from the `sync-operator-policy` ConfigMap.
///
/// Reading ``current`` only reads: it returns the policy parsed when the ConfigMap last
/// changed. Changes come in through ``refresh()``, which the ConfigMap informer's event
/// handlers call (see ``PolicyWatch``): it parses a new version once (``PolicyState``) and
/// reports it once — a log line, and for an invalid version a Warning event `InvalidPolicy` on
/// the ConfigMap — however many times the version is seen or the policy read.
public final class PolicyStore: Sendable {
    /// The ConfigMap as the cache shows it now; nil when there is none.
    private let lookup: @Sendable () -> JSONValue?
    private let report: @Sendable (PolicyChange) -> Void
    private let state: Mutex<PolicyState>

    /// - Parameters:
    ///   - lookup: reads the ConfigMap from the cache; called under the store's lock, so that of
    ///     two refreshes at once the later one reads the newer version.
    ///   - report: tells of a change; called under the lock too, so reports keep their order.
    init(
        defaults: SyncPolicy, lookup: @escaping @Sendable () -> JSONValue?,
        report: @escaping @Sendable (PolicyChange) -> Void
    ) {
        self.lookup = lookup
        self.report = report
        state = Mutex(PolicyState(defaults: defaults))
    }

    /// The store of the ConfigMap in `namespace` of this informer's cache, reporting to `events`
    /// and `logger`.
    convenience init(
        configMaps: Informer, namespace: String, defaults: SyncPolicy, events: EventRecorder?,
        logger: Logger
    ) {
        let reporter = PolicyReporter(events: events, logger: logger)
        self.init(
            defaults: defaults,
            lookup: { configMaps.get(namespace: namespace, name: SyncPolicy.configMapName) },
            report: reporter.report)
    }

    /// The policy in force.
    public var current: SyncPolicy {
        state.withLock { $0.policy }
    }

    /// Takes in the ConfigMap as the cache shows it now; a new version is parsed and reported.
    func refresh() {
        state.withLock { state in
            if let change = state.observe(lookup()) { report(change) }
        }
    }
}

/// Tells of a policy change in the log, and of a rejected version with an Event too.
struct PolicyReporter: Sendable {
    let events: EventRecorder?
    let logger: Logger

    func report(_ change: PolicyChange) {
        switch change {
        case .removed(let defaults):
            logger.info("sync policy ConfigMap removed; using the defaults", metadata: ["policy": "\(defaults)"])
        case .applied(let policy):
            logger.info("sync policy in force", metadata: ["policy": "\(policy)"])
        case .rejected(let error, let policy, let configMap):
            logger.error("invalid sync policy; keeping the previous one", metadata: ["error": "\(error)", "policy": "\(policy)"])
            if let event = change.event {
                events?.record(configMap, type: .warning, reason: event.reason, message: event.message)
            }
        }
    }
}
