import ControllerKit
import KubeModel
import Logging
import Synchronization

/// The policy in force, read from the `sync-operator-policy` ConfigMap in the informer's cache.
///
/// Each version of the ConfigMap is parsed once. A version with an invalid value leaves the
/// previous policy in force and is reported once: a log line and a Warning event
/// `InvalidPolicy` on the ConfigMap (a process that starts with an invalid version has no
/// previous policy: it applies the valid keys). Deleting the ConfigMap returns to the defaults.
public final class PolicyStore: Sendable {
    let configMaps: Informer
    let namespace: String
    let defaults: SyncPolicy
    let events: EventRecorder?
    let logger: Logger

    private struct State {
        var resourceVersion: String?
        var policy: SyncPolicy
        var read = false
    }

    private let state: Mutex<State>

    init(configMaps: Informer, namespace: String, defaults: SyncPolicy, events: EventRecorder?, logger: Logger) {
        self.configMaps = configMaps
        self.namespace = namespace
        self.defaults = defaults
        self.events = events
        self.logger = logger
        state = Mutex(State(resourceVersion: nil, policy: defaults))
    }

    private enum Change: Sendable {
        case none
        case removed
        case applied
        case rejected(SyncPolicy.InvalidValue)
    }

    public var current: SyncPolicy {
        let configMap = configMaps.get(namespace: namespace, name: SyncPolicy.configMapName)
        let version = configMap?.resourceVersion
        let data = configMap.map { ConfigMap($0).data } ?? [:]
        let defaults = self.defaults
        let (policy, change) = state.withLock { state -> (SyncPolicy, Change) in
            guard version != state.resourceVersion || !state.read else { return (state.policy, .none) }
            let firstRead = !state.read
            state.read = true
            state.resourceVersion = version
            guard configMap != nil else {
                let changed = state.policy != defaults
                state.policy = defaults
                return (defaults, changed ? .removed : .none)
            }
            do throws(SyncPolicy.InvalidValue) {
                let policy = try SyncPolicy.parse(data, base: defaults)
                let changed = policy != state.policy
                state.policy = policy
                return (policy, changed ? .applied : .none)
            } catch {
                // Just started: there is no previous policy to keep, so the valid keys apply.
                if firstRead { state.policy = SyncPolicy.parseValidKeys(data, base: defaults).0 }
                return (state.policy, .rejected(error))
            }
        }
        switch change {
        case .none:
            break
        case .removed:
            logger.info("sync policy ConfigMap removed; using the defaults", metadata: ["policy": "\(policy)"])
        case .applied:
            logger.info("sync policy in force", metadata: ["policy": "\(policy)"])
        case .rejected(let error):
            logger.error("invalid sync policy; keeping the previous one", metadata: ["error": "\(error)", "policy": "\(policy)"])
            if let configMap {
                events?.record(configMap, type: .warning, reason: "InvalidPolicy",
                               message: "\(error); the previous policy stays in force (\(policy))")
            }
        }
        return policy
    }
}
