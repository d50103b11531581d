import KubeModel

/// What the web console's policy form needs from ``SyncPolicy``: its keys in reading order and
/// each value as the ConfigMap writes it.
extension SyncPolicy {
    /// The ConfigMap's keys, in the order the documentation lists them.
    package static var configMapKeys: [String] { keys }

    /// A key's value as a ConfigMap would hold it (`5`, `3m0s`); nil for a key that is not the
    /// policy's.
    package func configMapValue(forKey key: String) -> String? {
        switch key {
        case "concurrency": String(concurrency)
        case "retryLimit": String(retryLimit)
        case "attemptRestartLimit": String(attemptRestartLimit)
        case "retryBackoffDuration": GoDuration.format(retryBackoffDuration)
        case "maxRetryBackoff": GoDuration.format(maxRetryBackoff)
        case "attemptTimeout": GoDuration.format(attemptTimeout)
        case "syncDeadline": GoDuration.format(syncDeadline)
        default: nil
        }
    }
}
