import KubeModel

/// What seeing a version of the policy ConfigMap changed: what is reported, once per version.
enum PolicyChange: Sendable, Equatable {
    /// A valid version put a different policy in force.
    case applied(SyncPolicy)
    /// The ConfigMap is gone: the defaults are back in force.
    case removed(defaults: SyncPolicy)
    /// A version with an invalid value; `keeping` stays in force.
    case rejected(SyncPolicy.InvalidValue, keeping: SyncPolicy, configMap: JSONValue)

    /// The Event that tells the ConfigMap's owner (a rejection is the only change worth one).
    var event: (reason: String, message: String)? {
        guard case .rejected(let error, let policy, _) = self else { return nil }
        return ("InvalidPolicy", "\(error); the previous policy stays in force (\(policy))")
    }
}

/// The policy in force and the ConfigMap version it came from: a pure state machine, fed each
/// version of the ConfigMap as the cache shows it, that parses a version once.
///
/// A version with an invalid value leaves the previous policy in force (a process that starts
/// with an invalid version has no previous policy: it applies the valid keys). Deleting the
/// ConfigMap returns to the defaults.
struct PolicyState: Sendable, Equatable {
    let defaults: SyncPolicy
    private(set) var policy: SyncPolicy
    /// Nil until the first observation; then the resourceVersion seen (nil: no ConfigMap).
    private var seenVersion: String??

    init(defaults: SyncPolicy) {
        self.defaults = defaults
        policy = defaults
    }

    /// Takes in the ConfigMap as it is now (nil when absent); returns what changed, nil when
    /// this version was seen before or changes nothing.
    mutating func observe(_ configMap: JSONValue?) -> PolicyChange? {
        let version = configMap?.resourceVersion
        let firstObservation = seenVersion == nil
        if !firstObservation, seenVersion == .some(version) { return nil }
        seenVersion = .some(version)
        guard let configMap else {
            let changed = policy != defaults
            policy = defaults
            return changed ? .removed(defaults: defaults) : nil
        }
        let data = ConfigMap(configMap).data
        do throws(SyncPolicy.InvalidValue) {
            let parsed = try SyncPolicy.parse(data, base: defaults)
            let changed = parsed != policy
            policy = parsed
            return changed ? .applied(parsed) : nil
        } catch {
            // Just started: there is no previous policy to keep, so the valid keys apply.
            if firstObservation { policy = SyncPolicy.parseValidKeys(data, base: defaults).0 }
            return .rejected(error, keeping: policy, configMap: configMap)
        }
    }
}
