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
        let target: WebSocketTarget
        do {
            target = try webSocketTarget(pathAndQuery: path, subprotocol: Self.consoleSubprotocol)
        } catch {
            return ClosedTerminal(reason: "The cluster's TLS settings are not usable: \(error)")
        }
        return VMConsoleSocket(
            url: target.url, headers: target.headers, tls: target.tls, serverName: target.serverName, sendsResize: sendsResize,
            logger: logger)
    }

    /// Where and how a WebSocket to this client's server connects.
    struct WebSocketTarget {
        var url: String
        var headers: HTTPFields
        var tls: TLSConfiguration?
        var serverName: String?
    }

    /// The `ws(s)://` URL of `pathAndQuery`, the headers with this client's credentials, and
    /// its TLS settings.
    func webSocketTarget(pathAndQuery: String, subprotocol: String?) throws -> WebSocketTarget {
        // The server as configured (not ``baseURL``, whose host is `tls-server-name` when one
        // is set: the WebSocket client has no DNS override, so it dials the real host and
        // names the other in TLS).
        var server = configuration.server
        while server.hasSuffix("/") { server.removeLast() }
        var url = server + pathAndQuery
        if url.hasPrefix("https://") {
            url = "wss://" + url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            url = "ws://" + url.dropFirst("http://".count)
        }
        var headers: HTTPFields = [.userAgent: userAgent]
        if let subprotocol { headers[.secWebSocketProtocol] = subprotocol }
        if let token = tokens.token() {
            headers[.authorization] = "Bearer \(token)"
        } else if let basicAuthorization {
            headers[.authorization] = basicAuthorization
        }
        let tls = url.hasPrefix("wss://") ? try configuration.makeTLSConfiguration() : nil
        let host = URLComponents(string: configuration.server)?.host ?? ""
        return WebSocketTarget(
            url: url, headers: headers, tls: tls, serverName: configuration.tls.serverName ?? Self.serverName(forIPHost: host))
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

/// One VM console over a WebSocket client, with backpressure both ways: output is handed
/// over one message at a time as the reader takes it (the socket is not read meanwhile), and
/// ``send(_:)`` returns when the socket has taken the bytes. Ends when the server closes (its
/// `{"closed":…}` message or close-frame reason becomes ``closeReason``), when the connection
/// does not open within ``connectTimeout``, or on ``detach()``.
///
/// The connection runs in a task of its own that this object never awaits: the client's TLS
/// handshake and upgrade do not heed cancellation, so a server that stalls them must not hold
/// the console (or whoever waits on it) — the console ends at once, and the task is cancelled
/// and left to the socket's own timeouts.
final class VMConsoleSocket: TerminalConnection {
    /// Largest frame taken from the server.
    static let maximumMessage = 1 << 20
    static let connectTimeout: Duration = .seconds(15)
    /// How long a leaving client's close frame may take before the connection is cancelled.
    static let closeGrace: Duration = .seconds(2)

    private struct State {
        var closeReason: String?
        var serverSaid: String?
        var detached = false
        var over = false
        var opened = false
        var writer: WebSocketOutboundWriter?
        /// The latest size asked for and not yet written; one writer task sends sizes in order.
        var pendingSize: TerminalSize?
        var sizeWriterRunning = false
        var connection: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    let output: AsyncStream<[UInt8]>
    private let handoff = Handoff<[UInt8]>()
    private let sendsResize: Bool
    private let logger: Logger
    private let state = Mutex(State())

    init(url: String, headers: HTTPFields, tls: TLSConfiguration?, serverName: String?, sendsResize: Bool, logger: Logger) {
        self.sendsResize = sendsResize
        self.logger = logger
        let handoff = self.handoff
        output = AsyncStream(unfolding: { await handoff.take() })
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: Self.maximumMessage, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(30)),
            sniHostname: serverName)
        let connection = Task { await self.connect(url: url, configuration: configuration, tls: tls) }
        let timer = Task {
            guard (try? await Task.sleep(for: Self.connectTimeout)) != nil else { return }
            self.connectTimedOut()
        }
        state.withLock { state in
            state.connection = connection
            state.timer = timer
        }
    }

    private func connect(url: String, configuration: WebSocketClientConfiguration, tls: TLSConfiguration?) async {
        do {
            let frame = try await WebSocketClient.connect(
                url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
            ) { inbound, outbound, _ in
                self.opened(outbound)
                await self.read(inbound)
            }
            end(failure: nil, closeFrame: frame)
        } catch is CancellationError {
            end(failure: nil, closeFrame: nil)
        } catch {
            logger.notice("vm console connection failed", metadata: ["error": "\(error)"])
            let opened = state.withLock { $0.opened }
            end(
                failure: opened
                    ? "The connection to the VM's console was lost."
                    : "The VM's console could not be opened (refused, not running, or no right to it); the server's log says more.",
                closeFrame: nil)
        }
    }

    private func connectTimedOut() {
        let (opened, connection) = state.withLock { ($0.opened, $0.connection) }
        guard !opened else { return }
        end(failure: "The VM's console did not answer within \(Self.connectTimeout.components.seconds) seconds.", closeFrame: nil)
        connection?.cancel()
    }

    /// The console is over (once): the reason is settled and the output ends.
    private func end(failure: String?, closeFrame: WebSocketCloseFrame?) {
        let timer = state.withLock { state -> Task<Void, Never>? in
            guard !state.over else { return nil }
            state.over = true
            state.writer = nil
            // A client that left needs no reason; otherwise the server's own words first.
            if !state.detached {
                let frameReason = closeFrame?.reason.flatMap { $0.isEmpty ? nil : $0 }
                state.closeReason = state.serverSaid ?? failure ?? frameReason ?? "The VM's console closed."
            }
            return state.timer
        }
        timer?.cancel()
        handoff.finish()
    }

    private func opened(_ writer: WebSocketOutboundWriter) {
        let (over, sizes) = state.withLock { state -> (Bool, Bool) in
            state.opened = true
            // Over already (the client left, or the connect timed out): no writes from here.
            guard !state.over else { return (true, false) }
            state.writer = writer
            return (false, state.pendingSize != nil)
        }
        if over { Task { try? await writer.close(.normalClosure, reason: nil) } }
        if sizes { writeSizes() }
    }

    private func read(_ inbound: WebSocketInboundStream) async {
        do {
            for try await message in inbound.messages(maxSize: Self.maximumMessage) {
                switch message {
                case .binary(let buffer):
                    guard await handoff.put(Array(buffer: buffer)) else { return }
                case .text(let text):
                    if case .closed(let why) = TerminalControlMessage.parse(text) {
                        // The server's last word: close our side now, so it can close its own.
                        let writer = state.withLock { state in
                            state.serverSaid = why
                            return state.writer
                        }
                        try? await writer?.close(.normalClosure, reason: nil)
                    } else {
                        guard await handoff.put(Array(text.utf8)) else { return }
                    }
                }
            }
        } catch {
            logger.debug("vm console socket ended", metadata: ["error": "\(error)"])
        }
    }

    var closeReason: String? { state.withLock { $0.closeReason } }

    /// Waits (up to the connect timeout) for the socket to open, then writes: returns when
    /// the socket has taken the bytes. Dropped when the console is over.
    func send(_ bytes: [UInt8]) async {
        let deadline = ContinuousClock.now + Self.connectTimeout
        while true {
            let (writer, over) = state.withLock { ($0.writer, $0.over || $0.detached) }
            if let writer {
                try? await writer.write(.binary(ByteBuffer(bytes: bytes)))
                return
            }
            if over || ContinuousClock.now > deadline { return }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }

    func resize(_ size: TerminalSize) {
        guard sendsResize else { return }
        state.withLock { $0.pendingSize = size }
        writeSizes()
    }

    /// Writes the latest pending size, and again while newer ones arrive, from one task at a
    /// time, so the server never ends on an older size than the last asked for.
    private func writeSizes() {
        let start = state.withLock { state -> Bool in
            guard state.writer != nil, state.pendingSize != nil, !state.sizeWriterRunning else { return false }
            state.sizeWriterRunning = true
            return true
        }
        guard start else { return }
        Task {
            while true {
                let next = state.withLock { state -> (WebSocketOutboundWriter, TerminalSize)? in
                    guard let writer = state.writer, let size = state.pendingSize else {
                        state.sizeWriterRunning = false
                        return nil
                    }
                    state.pendingSize = nil
                    return (writer, size)
                }
                guard let (writer, size) = next else { return }
                try? await writer.write(.text(TerminalControlMessage.resize(size).text))
            }
        }
    }

    func detach() {
        let (writer, connection) = state.withLock { state in
            state.detached = true
            return (state.writer, state.connection)
        }
        end(failure: nil, closeFrame: nil)
        // Close politely, but do not wait on it: a server that stopped reading would block the
        // close frame for ever.
        Task { try? await writer?.close(.normalClosure, reason: nil) }
        Task {
            try? await Task.sleep(for: Self.closeGrace)
            connection?.cancel()
        }
    }
}

/// Hands values from one producer to one consumer, one at a time: ``put(_:)`` returns once
/// the value is taken (false when the handoff was finished instead), so a producer never
/// runs ahead of its consumer.
final class Handoff<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var producer: CheckedContinuation<Bool, Never>?
        var consumer: CheckedContinuation<Value?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func put(_ value: Value) async -> Bool {
        await withCheckedContinuation { (producer: CheckedContinuation<Bool, Never>) in
            let action = state.withLock { state -> (CheckedContinuation<Value?, Never>?, Bool?) in
                if state.finished { return (nil, false) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return (consumer, true)
                }
                state.value = value
                state.producer = producer
                return (nil, nil)
            }
            switch action {
            case (let consumer?, _):
                consumer.resume(returning: value)
                producer.resume(returning: true)
            case (nil, let answer?):
                producer.resume(returning: answer)
            case (nil, nil):
                break
            }
        }
    }

    func take() async -> Value? {
        await withCheckedContinuation { (consumer: CheckedContinuation<Value?, Never>) in
            let ready = state.withLock { state -> (Value?, CheckedContinuation<Bool, Never>?, Bool) in
                if let value = state.value {
                    state.value = nil
                    defer { state.producer = nil }
                    return (value, state.producer, true)
                }
                if state.finished { return (nil, nil, true) }
                state.consumer = consumer
                return (nil, nil, false)
            }
            if ready.2 {
                ready.1?.resume(returning: true)
                consumer.resume(returning: ready.0)
            }
        }
    }

    /// Ends the handoff: a waiting producer hears false, a waiting consumer nil, and so does
    /// every later call.
    func finish() {
        let (producer, consumer) = state.withLock { state in
            state.finished = true
            state.value = nil
            defer {
                state.producer = nil
                state.consumer = nil
            }
            return (state.producer, state.consumer)
        }
        producer?.resume(returning: false)
        consumer?.resume(returning: nil)
    }
}
