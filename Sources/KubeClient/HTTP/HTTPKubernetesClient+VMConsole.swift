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

/// One VM console over a WebSocket client, with backpressure both ways: output is handed
/// over one message at a time as the reader takes it (the socket is not read meanwhile), and
/// ``send(_:)`` returns when the socket has taken the bytes. Ends when the server closes (its
/// `{"closed":…}` message or close-frame reason becomes ``closeReason``), when the connection
/// cannot be made within ``connectTimeout``, or on ``detach()``.
final class VMConsoleSocket: TerminalConnection {
    /// Largest frame taken from the server.
    static let maximumMessage = 1 << 20
    static let connectTimeout: Duration = .seconds(15)

    private struct State {
        var closeReason: String?
        var serverSaid: String?
        var detached = false
        var over = false
        var writer: WebSocketOutboundWriter?
        /// The latest size asked for before the socket was open.
        var pendingSize: TerminalSize?
        var task: Task<Void, Never>?
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
        let task = Task { await self.run(url: url, configuration: configuration, tls: tls) }
        state.withLock { $0.task = task }
    }

    private enum Step: Sendable {
        case closed(WebSocketCloseFrame?)
        case timerFired
    }

    private func run(url: String, configuration: WebSocketClientConfiguration, tls: TLSConfiguration?) async {
        var failure: String?
        var closeFrame: WebSocketCloseFrame?
        do {
            closeFrame = try await withThrowingTaskGroup(of: Step.self, returning: WebSocketCloseFrame?.self) { group in
                group.addTask {
                    .closed(
                        try await WebSocketClient.connect(
                            url: url, configuration: configuration, tlsConfiguration: tls, logger: self.logger
                        ) {
                            inbound, outbound, _ in
                            self.opened(outbound)
                            await self.read(inbound)
                        })
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectTimeout)
                    return .timerFired
                }
                while let step = try await group.next() {
                    switch step {
                    case .closed(let frame):
                        group.cancelAll()
                        return frame
                    case .timerFired:
                        guard state.withLock({ $0.writer != nil }) else { throw ConnectTimeout() }
                    }
                }
                return nil
            }
        } catch is CancellationError {
            // Detached.
        } catch {
            logger.notice("vm console could not be opened", metadata: ["error": "\(error)"])
            failure =
                error is ConnectTimeout
                ? "The VM's console did not answer within \(Self.connectTimeout.components.seconds) seconds."
                : "The VM's console could not be opened (refused, not running, or no right to it); the server's log says more."
        }
        state.withLock { state in
            state.over = true
            state.writer = nil
            // A client that left needs no reason; otherwise the server's words, if it gave any.
            if !state.detached {
                let frameReason = closeFrame?.reason.flatMap { $0.isEmpty ? nil : $0 }
                state.closeReason = failure ?? state.serverSaid ?? frameReason ?? "The VM's console closed."
            }
        }
        handoff.finish()
    }

    private struct ConnectTimeout: Error {}

    private func opened(_ writer: WebSocketOutboundWriter) {
        let size = state.withLock { state -> TerminalSize? in
            state.writer = writer
            defer { state.pendingSize = nil }
            return state.pendingSize
        }
        if let size { Task { try? await writer.write(.text(TerminalControlMessage.resize(size).text)) } }
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
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func resize(_ size: TerminalSize) {
        guard sendsResize else { return }
        let writer = state.withLock { state -> WebSocketOutboundWriter? in
            if state.writer == nil { state.pendingSize = size }
            return state.writer
        }
        if let writer { Task { try? await writer.write(.text(TerminalControlMessage.resize(size).text)) } }
    }

    func detach() {
        let (writer, task) = state.withLock { state in
            state.detached = true
            return (state.writer, state.task)
        }
        handoff.finish()
        Task {
            try? await writer?.close(.normalClosure, reason: nil)
            // A connection still being made (or a server that never closes) ends here.
            task?.cancel()
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
