import HummingbirdCore
import NIOCore

/// How long and how much a connection may hold a listener, for every listener Virtyard
/// opens (the embedded Kubernetes API and the platform address).
///
/// One idle timer covers the slow and the silent: it runs from the moment a connection is
/// accepted — so a client that never finishes its TLS handshake, or trickles its request
/// head, is closed when it fires — and again after each response, for idle keep-alive
/// connections. It is paused while a response is being written, so watches stream for as
/// long as they ask.
public struct ConnectionLimits: Sendable {
    /// Close a connection that has sent nothing for this long (Go's `http.Server` in
    /// kube-apiserver reads a request head within 32 s and keeps idle connections 90 s).
    public var idleTimeout: Duration
    /// Largest request head (request line and headers), in bytes.
    public var maximumHeaderBytes: Int

    public init(idleTimeout: Duration = .seconds(60), maximumHeaderBytes: Int = 64 << 10) {
        self.idleTimeout = idleTimeout
        self.maximumHeaderBytes = maximumHeaderBytes
    }

    /// The HTTP/1.1 channel configuration that enforces these limits.
    public var http1: HTTP1Channel.Configuration {
        let components = idleTimeout.components
        let nanoseconds = components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
        return HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(nanoseconds),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maximumHeaderBytes, maxHeaderListSize: maximumHeaderBytes,
                maxHeaderFieldCount: 200))
    }
}
