extension WorkQueue {
    /// How a ``WorkQueue`` spaces out retries and what it reports.
    public struct Configuration: Sendable {
        /// Names the queue in metrics (`workqueue_*{name=…,controller=…}`); nil reports nothing,
        /// as client-go does for unnamed queues.
        public var name: String?
        /// Per-key backoff of ``WorkQueue/addRateLimited(_:)``.
        public var backoff: FailureBackoff
        /// Overall limit on rate-limited requeues; nil for none.
        public var rateLimit: TokenBucket?

        /// Defaults to client-go's controller rate limiter and no metrics.
        public init(
            name: String? = nil, backoff: FailureBackoff = FailureBackoff(),
            rateLimit: TokenBucket? = TokenBucket()
        ) {
            self.name = name
            self.backoff = backoff
            self.rateLimit = rateLimit
        }

        /// client-go's default controller rate limiter: 5 ms … 1000 s per key, 10 qps burst 100.
        public static var `default`: Configuration { Configuration() }
    }
}
