import Foundation
import HTTPTypes
import HummingbirdWSClient
import KubeModel
import Logging
import NIOCore
import NIOSSL
import Synchronization

extension HTTPKubernetesClient {
    /// KubeVirt's console protocol: raw bytes in binary frames.
    static let consoleSubprotocol = "plain.kubevirt.io"

    public func openVMConsole(namespace: String, name: String, sendsResize: Bool) -> any TerminalConnection {
        let path =
            "/apis/subresources.kubevirt.io/v1/namespaces/\(ResourcePath.escape(namespace))/virtualmachineinstances/"
            + "\(ResourcePath.escape(name))/console"
        // The server as configured (not ``baseURL``, whose host is `tls-server-name` when one
        // is set: the WebSocket client has no DNS override, so it dials the real host and
        // names the other in TLS).
        var server = configuration.server
        while server.hasSuffix("/") { server.removeLast() }
        var url = server + path
        if url.hasPrefix("https://") {
            url = "wss://" + url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            url = "ws://" + url.dropFirst("http://".count)
        }
        var headers: HTTPFields = [.userAgent: userAgent, .secWebSocketProtocol: Self.consoleSubprotocol]
        if let token = tokens.token() {
            headers[.authorization] = "Bearer \(token)"
        } else if let basicAuthorization {
            headers[.authorization] = basicAuthorization
        }
        let tls: TLSConfiguration?
        do {
            tls = url.hasPrefix("wss://") ? try configuration.makeTLSConfiguration() : nil
        } catch {
            return ClosedTerminal(reason: "The cluster's TLS settings are not usable: \(error)")
        }
        let host = URLComponents(string: configuration.server)?.host ?? ""
        let name = configuration.tls.serverName ?? Self.serverName(forIPHost: host)
        return VMConsoleSocket(url: url, headers: headers, tls: tls, serverName: name, sendsResize: sendsResize, logger: logger)
    }

    /// The name to verify a server addressed by IP as: the WebSocket client's TLS always
    /// sends a name (SNI), and an IP address is not one. Loopback is `localhost`; elsewhere
    /// `kubernetes`, the name every kube-apiserver serving certificate carries (kubeadm, k3s,
    /// RKE2, OpenShift). Nil for a host that is a name already.
    static func serverName(forIPHost host: String) -> String? {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let isIP = bare.contains(":") || (!bare.isEmpty && bare.allSatisfy { $0.isNumber || $0 == "." })
        guard isIP else { return nil }
        return bare == "::1" || bare.hasPrefix("127.") ? "localhost" : "kubernetes"
    }
}

/// A console that is already over (it could not be opened).
public struct ClosedTerminal: TerminalConnection {
    public let output: AsyncStream<[UInt8]>
    public let closeReason: String?

    public init(reason: String) {
        closeReason = reason
        output = AsyncStream { $0.finish() }
    }

    public func send(_ bytes: [UInt8]) async {}
    public func resize(_ size: TerminalSize) {}
    public func detach() {}
}

/// One VM console over a WebSocket client. The socket runs in a task of its own; keystrokes
/// and resizes queue to it, output streams from it. Ends when the server closes (its
/// `{"closed":…}` message, when it sends one, becomes ``closeReason``), or on ``detach()``.
final class VMConsoleSocket: TerminalConnection {
    enum Outgoing: Sendable {
        case bytes([UInt8])
        case resize(TerminalSize)
    }

    /// Largest frame taken from the server.
    static let maximumMessage = 1 << 20

    let output: AsyncStream<[UInt8]>
    private let printed: AsyncStream<[UInt8]>.Continuation
    private let queued: AsyncStream<Outgoing>
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let sendsResize: Bool
    private let logger: Logger
    private let state = Mutex<(closeReason: String?, serverSaid: String?, detached: Bool)>((nil, nil, false))

    init(url: String, headers: HTTPFields, tls: TLSConfiguration?, serverName: String?, sendsResize: Bool, logger: Logger) {
        self.sendsResize = sendsResize
        self.logger = logger
        (output, printed) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(256))
        (queued, outgoing) = AsyncStream.makeStream(of: Outgoing.self)
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: Self.maximumMessage, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(30)),
            sniHostname: serverName)
        Task { await self.run(url: url, configuration: configuration, tls: tls) }
    }

    private func run(url: String, configuration: WebSocketClientConfiguration, tls: TLSConfiguration?) async {
        var failure: String?
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger) {
                inbound, outbound, _ in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.read(inbound) }
                    group.addTask {
                        for await item in self.queued {
                            switch item {
                            case .bytes(let bytes): try? await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                            case .resize(let size): try? await outbound.write(.text(TerminalControlMessage.resize(size).text))
                            }
                        }
                        try? await outbound.close(.normalClosure, reason: nil)
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            failure = "The VM's console could not be opened (\(error))."
        }
        state.withLock { state in
            // A client that left needs no reason; otherwise the server's words, if it gave any.
            if !state.detached { state.closeReason = failure ?? state.serverSaid ?? "The VM's console closed." }
        }
        printed.finish()
        outgoing.finish()
    }

    private func read(_ inbound: WebSocketInboundStream) async {
        do {
            for try await message in inbound.messages(maxSize: Self.maximumMessage) {
                switch message {
                case .binary(let buffer):
                    printed.yield(Array(buffer: buffer))
                case .text(let text):
                    if case .closed(let why) = TerminalControlMessage.parse(text) {
                        // The server's last word: close our side now, so it can close its own.
                        state.withLock { $0.serverSaid = why }
                        outgoing.finish()
                    } else {
                        printed.yield(Array(text.utf8))
                    }
                }
            }
        } catch {
            logger.debug("vm console socket ended", metadata: ["error": "\(error)"])
        }
    }

    var closeReason: String? { state.withLock { $0.closeReason } }

    func send(_ bytes: [UInt8]) async {
        outgoing.yield(.bytes(bytes))
    }

    func resize(_ size: TerminalSize) {
        guard sendsResize else { return }
        outgoing.yield(.resize(size))
    }

    func detach() {
        state.withLock { $0.detached = true }
        // Ending the queue makes the writer close the socket; the reader then ends too.
        outgoing.finish()
    }
}
