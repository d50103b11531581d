import Foundation
import KubeModel

/// The cluster-wide sync policy: ConfigMap `sync-operator-policy` in the controller's
/// namespace (`virtyard-system`). Keys left out take data-sync-operator's defaults, which its
/// environment variables override, as they override them there.
public struct SyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Images Syncing at once, at most.
    public var concurrency: Int
    /// Retries after a failed attempt; the failure after the last retry is final.
    public var retryLimit: Int
    /// The wait after the first failure; each further failure waits three times longer.
    public var retryBackoffDuration: Duration
    public var maxRetryBackoff: Duration
    /// How long one attempt may stay Syncing before it counts as failed.
    public var attemptTimeout: Duration
    /// How long after an image first starts syncing it may still be retried.
    public var syncDeadline: Duration
    /// Restarts from zero of the DataVolume's transfer (its `restartCount`) within one attempt
    /// before the attempt counts as failed: each is a whole download paid again.
    public var attemptRestartLimit: Int

    public static let configMapName = "sync-operator-policy"

    /// data-sync-operator's defaults: 5 at once (`MAX_VMDI_SYNC_CONCURRENCY`), 3 restarts per
    /// attempt (`MAX_SYNC_ATTEMPT_RETRIES`), backoff 3ⁿ minutes (3 min, 9, 27 …) capped at 1 h
    /// (`MAX_SYNC_RETRY_BACKOFF_DURATION`), 1 h per attempt (`MAX_SYNC_ATTEMPT_DURATION`), 12 h
    /// overall (`MAX_SYNC_DURATION`). It has no retry count of its own; 3 retries keep the
    /// deadline from being the only bound.
    public static let builtIn = SyncPolicy(
        concurrency: 5, retryLimit: 3, retryBackoffDuration: .seconds(180),
        maxRetryBackoff: .seconds(3600), attemptTimeout: .seconds(3600),
        syncDeadline: .seconds(12 * 3600), attemptRestartLimit: 3)

    public init(
        concurrency: Int, retryLimit: Int, retryBackoffDuration: Duration, maxRetryBackoff: Duration,
        attemptTimeout: Duration, syncDeadline: Duration, attemptRestartLimit: Int
    ) {
        self.concurrency = concurrency
        self.retryLimit = retryLimit
        self.retryBackoffDuration = retryBackoffDuration
        self.maxRetryBackoff = maxRetryBackoff
        self.attemptTimeout = attemptTimeout
        self.syncDeadline = syncDeadline
        self.attemptRestartLimit = attemptRestartLimit
    }

    /// A value the policy cannot take; the previous policy stays in force.
    public struct InvalidValue: Error, Equatable, CustomStringConvertible {
        public var key: String
        public var value: String
        public var problem: String

        public var description: String { "\(key): \"\(value)\" \(problem)" }
    }

    /// The defaults with data-sync-operator's environment variables applied.
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) throws(InvalidValue) -> SyncPolicy {
        var policy = builtIn
        let variables: [(String, String)] = [
            ("MAX_VMDI_SYNC_CONCURRENCY", "concurrency"), ("MAX_SYNC_ATTEMPT_RETRIES", "attemptRestartLimit"),
            ("MAX_SYNC_RETRY_BACKOFF_DURATION", "maxRetryBackoff"), ("MAX_SYNC_ATTEMPT_DURATION", "attemptTimeout"),
            ("MAX_SYNC_DURATION", "syncDeadline"),
        ]
        for (variable, key) in variables {
            guard let value = environment[variable] else { continue }
            do {
                try policy.set(key, value)
            } catch {
                throw InvalidValue(key: variable, value: value, problem: error.problem)
            }
        }
        return policy
    }

    /// `base` with the ConfigMap's values; unknown keys are refused so a typo is not silently ignored.
    public static func parse(_ data: [String: String], base: SyncPolicy) throws(InvalidValue) -> SyncPolicy {
        var policy = base
        for key in data.keys.sorted() {
            try policy.set(key, data[key] ?? "")
        }
        return policy
    }

    /// The valid keys applied to `base` and the invalid ones reported: what a process that
    /// starts with an invalid ConfigMap uses, having no previous policy to keep.
    public static func parseValidKeys(_ data: [String: String], base: SyncPolicy) -> (SyncPolicy, [InvalidValue]) {
        var policy = base
        var problems: [InvalidValue] = []
        for key in data.keys.sorted() {
            do throws(InvalidValue) {
                try policy.set(key, data[key] ?? "")
            } catch {
                problems.append(error)
            }
        }
        return (policy, problems)
    }

    static let keys = [
        "concurrency", "retryLimit", "retryBackoffDuration", "maxRetryBackoff", "attemptTimeout",
        "syncDeadline", "attemptRestartLimit",
    ]

    private mutating func set(_ key: String, _ raw: String) throws(InvalidValue) {
        let value = raw.trimmingCharacters(in: .whitespaces)
        func count(minimum: Int) throws(InvalidValue) -> Int {
            guard let number = Int(value), number >= minimum else {
                throw InvalidValue(key: key, value: raw, problem: "is not a whole number ≥ \(minimum)")
            }
            return number
        }
        func duration() throws(InvalidValue) -> Duration {
            guard let parsed = try? GoDuration.parse(value), parsed > .zero else {
                throw InvalidValue(key: key, value: raw, problem: "is not a positive Go duration (like 30s, 5m, 1h30m)")
            }
            return parsed
        }
        switch key {
        case "concurrency": concurrency = try count(minimum: 1)
        case "retryLimit": retryLimit = try count(minimum: 0)
        case "attemptRestartLimit": attemptRestartLimit = try count(minimum: 1)
        case "retryBackoffDuration": retryBackoffDuration = try duration()
        case "maxRetryBackoff": maxRetryBackoff = try duration()
        case "attemptTimeout": attemptTimeout = try duration()
        case "syncDeadline": syncDeadline = try duration()
        default:
            throw InvalidValue(key: key, value: raw, problem: "is not a policy key (known: \(Self.keys.joined(separator: ", ")))")
        }
    }

    /// The wait before retry number `failures` (1 after the first failure):
    /// `retryBackoffDuration × 3^(failures − 1)`, at most `maxRetryBackoff`.
    public func backoff(afterFailures failures: Int) -> Duration {
        var wait = retryBackoffDuration
        for _ in 1..<max(1, failures) {
            wait = wait * 3
            if wait >= maxRetryBackoff { return maxRetryBackoff }
        }
        return min(wait, maxRetryBackoff)
    }

    public var description: String {
        "concurrency=\(concurrency) retryLimit=\(retryLimit) retryBackoffDuration=\(GoDuration.format(retryBackoffDuration)) "
            + "maxRetryBackoff=\(GoDuration.format(maxRetryBackoff)) attemptTimeout=\(GoDuration.format(attemptTimeout)) "
            + "syncDeadline=\(GoDuration.format(syncDeadline)) attemptRestartLimit=\(attemptRestartLimit)"
    }
}
