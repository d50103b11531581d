import Synchronization

/// The bearer token for each request. A token file is re-read once its cached value is
/// older than the refresh interval, as client-go's cached file token source does, so a
/// rotated service-account token is picked up without restarting; a failed re-read keeps
/// the last good token rather than failing requests.
final class BearerTokenSource: Sendable {
    private let fixedToken: String?
    private let tokenFile: String?
    private let refreshInterval: Duration
    private let cache: Mutex<(token: String?, readAt: ContinuousClock.Instant?)>

    init(token: String?, tokenFile: String?, refreshInterval: Duration) {
        fixedToken = token
        self.tokenFile = tokenFile
        self.refreshInterval = refreshInterval
        cache = Mutex((token: nil, readAt: nil))
    }

    /// The token to send now, or nil when the configuration has none.
    func token() -> String? {
        guard let tokenFile else { return fixedToken }
        return cache.withLock { cache in
            let now = ContinuousClock.now
            if let readAt = cache.readAt, now - readAt < refreshInterval, let token = cache.token { return token }
            if let fresh = try? KubeConfig.readToken(tokenFile) {
                cache = (fresh, now)
            } else {
                // Keep the last good token; try the file again on the next request.
                cache.readAt = nil
            }
            return cache.token ?? fixedToken
        }
    }
}
