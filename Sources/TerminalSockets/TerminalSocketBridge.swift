import HummingbirdWebSocket
import KubeModel
import Logging
import NIOCore

/// A terminal carried over a server-side WebSocket: the one pump behind both the embedded
/// API's VM console (`virtualmachineinstances/{name}/console`) and the web console's terminal
/// socket. Binary frames carry the terminal's bytes both ways; a text frame from the client
/// is a ``TerminalControlMessage`` resize, or else typed as it is; the server's last word on
/// a terminal that ends on purpose is `{"closed":"why"}` (so a page says why and does not
/// reconnect).
public enum TerminalSocketBridge {
    /// Pumps bytes between the socket and `connection` until either side ends, or until
    /// `ends` returns (its reason is then sent). The terminal is detached at the end.
    public static func run(
        _ connection: any TerminalConnection, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        maximumMessage: Int, logger: Logger, onInput: @escaping @Sendable () -> Void = {},
        ends: (@Sendable () async -> String)? = nil
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await chunk in connection.output {
                    do {
                        try await outbound.write(.binary(ByteBuffer(bytes: chunk)))
                    } catch {
                        return
                    }
                }
                // Ended on purpose (not by the client leaving): say why.
                if let reason = connection.closeReason { await close(outbound, saying: reason) }
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: maximumMessage) {
                        onInput()
                        switch message {
                        case .binary(let buffer):
                            await connection.send(Array(buffer: buffer))
                        case .text(let text):
                            if case .resize(let size) = TerminalControlMessage.parse(text) {
                                connection.resize(size)
                            } else {
                                await connection.send(Array(text.utf8))
                            }
                        }
                    }
                } catch {
                    logger.debug("terminal socket ended", metadata: ["error": "\(error)"])
                }
            }
            if let ends {
                group.addTask {
                    let reason = await ends()
                    if !Task.isCancelled { await close(outbound, saying: reason) }
                }
            }
            // Whichever side ends first ends the others: the output stream finishes once
            // detached, and the socket's inbound once it is closed.
            await group.next()
            connection.detach()
            group.cancelAll()
        }
    }

    /// Refuses a terminal on an open socket: says why, waits (a few seconds at most) for the
    /// client to close, then closes. Closing first could lose the message in a client that
    /// has not started reading yet.
    public static func refuse(
        _ reason: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, maximumMessage: Int
    ) async {
        try? await outbound.write(.text(TerminalControlMessage.closed(reason).text))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await _ in inbound.messages(maxSize: maximumMessage) {}
                } catch {}
            }
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
        try? await outbound.close(.normalClosure, reason: nil)
    }

    static func close(_ outbound: WebSocketOutboundWriter, saying reason: String) async {
        try? await outbound.write(.text(TerminalControlMessage.closed(reason).text))
        try? await outbound.close(.normalClosure, reason: nil)
    }
}
