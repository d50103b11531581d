import AsyncAlgorithms
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// A WebSocket to a cluster opened with a client's credentials, its messages handed over
/// through two channels so that another socket (a reverse proxy's client) can be relayed to
/// it: ``fromServer`` ends when the server's side closes, and closing ``toServer`` (or
/// ``close()``) closes the server's side. Backpressure holds both ways: a message is read
/// from one side only when the other has taken the previous one.
public final class RelayedWebSocket: Sendable {
    /// What the cluster sent, in order.
    public let fromServer = AsyncChannel<WebSocketMessage>()
    /// What to send to the cluster, in order; finish it to close the cluster's side.
    public let toServer = AsyncChannel<WebSocketMessage>()
    /// The subprotocol asked for (the one a relay answers its own client with).
    public let subprotocol: String?

    private let opened = Mutex<(result: Bool?, waiters: [CheckedContinuation<Bool, Never>])>((nil, []))
    private let connection = Mutex<Task<Void, Never>?>(nil)

    init(subprotocol: String?) {
        self.subprotocol = subprotocol
    }

    /// Waits until the upgrade succeeded (true) or failed (false), at most `timeout` (then
    /// false and the connection is abandoned).
    public func waitUntilOpen(timeout: Duration) async -> Bool {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.settle(false)
        }
        defer { timer.cancel() }
        let result = await withCheckedContinuation { continuation in
            let known = opened.withLock { state -> Bool? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
        if !result { close() }
        return result
    }

    /// Closes both directions and stops the connection.
    public func close() {
        toServer.finish()
        fromServer.finish()
        connection.withLock { $0 }?.cancel()
    }

    /// Relays a client's socket to the cluster's until either side ends (or ``close()``): the
    /// client's messages to ``toServer``, ``fromServer``'s to the client. Closes this socket
    /// when done.
    public func relay(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        await Self.splice(inbound: inbound, outbound: outbound, into: toServer, from: fromServer)
        close()
    }

    /// One socket spliced to a pair of channels: what `inbound` reads goes `into` the one,
    /// what comes `from` the other is written to `outbound`. Either side's end ends both
    /// (both channels finished, `outbound` closed).
    static func splice(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, into received: AsyncChannel<WebSocketMessage>,
        from sent: AsyncChannel<WebSocketMessage>
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: HTTPKubernetesClient.maximumRelayedMessage) {
                        await received.send(message)
                    }
                } catch {
                    // The socket broke: it ends as if closed.
                }
                received.finish()
            }
            group.addTask {
                for await message in sent {
                    switch message {
                    case .text(let text): try? await outbound.write(.text(text))
                    case .binary(let buffer): try? await outbound.write(.binary(buffer))
                    }
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            await group.next()
            received.finish()
            sent.finish()
            await group.waitForAll()
        }
    }

    fileprivate func settle(_ result: Bool) {
        let waiters = opened.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    fileprivate func run(_ task: Task<Void, Never>) {
        connection.withLock { $0 = task }
    }
}

extension HTTPKubernetesClient {
    /// Largest message relayed in either direction.
    public static let maximumRelayedMessage = 1 << 20

    /// Opens a WebSocket to `pathAndQuery` on this client's server with its credentials and
    /// TLS settings, asking for `subprotocol` (kubectl's `v5.channel.k8s.io`, say). The
    /// WebSocket client cannot report which of several protocols a server chose, so exactly
    /// one is asked for. Wait for ``RelayedWebSocket/waitUntilOpen(timeout:)`` before relaying.
    public func openWebSocket(pathAndQuery: String, subprotocol: String?) -> RelayedWebSocket {
        let socket = RelayedWebSocket(subprotocol: subprotocol)
        let target: WebSocketTarget
        do {
            target = try webSocketTarget(pathAndQuery: pathAndQuery, subprotocol: subprotocol)
        } catch {
            socket.settle(false)
            return socket
        }
        let (url, tls) = (target.url, target.tls)
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: Self.maximumRelayedMessage, additionalHeaders: target.headers, autoPing: .enabled(timePeriod: .seconds(30)),
            sniHostname: target.serverName)
        let logger = self.logger
        socket.run(
            Task {
                do {
                    _ = try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger) {
                        inbound, outbound, _ in
                        socket.settle(true)
                        await RelayedWebSocket.splice(
                            inbound: inbound, outbound: outbound, into: socket.fromServer, from: socket.toServer)
                    }
                } catch {
                    logger.debug("relayed socket did not open", metadata: ["url": "\(url)", "error": "\(error)"])
                }
                socket.settle(false)
                socket.fromServer.finish()
                socket.toServer.finish()
            })
        return socket
    }
}
