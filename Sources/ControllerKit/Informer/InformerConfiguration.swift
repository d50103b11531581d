/// How an ``Informer`` lists and watches.
public struct InformerConfiguration: Sendable {
    /// Objects per list page; nil lists everything in one response. Paging keeps the memory of
    /// one response bounded on both ends for large collections (client-go uses 500).
    public var pageSize: Int?
    /// The server-side timeout asked for each watch, picked at random in this range so that
    /// many informers do not reconnect in lock-step (client-go: 5 to 10 minutes). The informer
    /// re-watches from the last resourceVersion when the server closes the stream.
    public var watchTimeoutSeconds: ClosedRange<Int>
    /// Pauses between failed lists, failed watches and watches that ended without delivering
    /// anything.
    public var backoff: Backoff

    /// Defaults to client-go's: pages of 500, watches of 5 to 10 minutes, 800 ms … 30 s backoff.
    public init(pageSize: Int? = 500, watchTimeoutSeconds: ClosedRange<Int> = 300...600, backoff: Backoff = Backoff()) {
        self.pageSize = pageSize
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoff = backoff
    }
}
