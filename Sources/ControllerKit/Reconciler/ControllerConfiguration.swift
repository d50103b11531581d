/// How a ``Controller`` runs its reconciler.
public struct ControllerConfiguration: Sendable {
    /// Reconciles run at once (each on a different key). One is often right: it keeps
    /// reconcilers simple to reason about; raise it for slow, independent reconciles.
    public var workers: Int
    /// Backoff and rate limit of requeues after errors.
    public var backoff: FailureBackoff
    /// Overall limit on requeues across all keys; nil for none.
    public var rateLimit: TokenBucket?
    /// How long to wait for the informers' caches before giving up with
    /// ``ControllerError/cacheSyncTimeout(controller:resources:timeout:)``: a cache that never
    /// syncs means RBAC or the API is broken, and failing loudly beats reconciling nothing
    /// forever. controller-runtime waits two minutes.
    public var cacheSyncTimeout: Duration

    /// Defaults to one worker, client-go's rate limiting and controller-runtime's two-minute
    /// cache sync timeout.
    public init(
        workers: Int = 1, backoff: FailureBackoff = FailureBackoff(), rateLimit: TokenBucket? = TokenBucket(),
        cacheSyncTimeout: Duration = .seconds(120)
    ) {
        self.workers = max(1, workers)
        self.backoff = backoff
        self.rateLimit = rateLimit
        self.cacheSyncTimeout = cacheSyncTimeout
    }
}
