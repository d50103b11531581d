import Foundation
import HTTPTypes
import Hummingbird

/// Browser terminals for lab sessions (the session page's terminal panel and its WebSocket,
/// `/ui/labs/sessions/{name}/terminal`). Nil in ``ConsoleServices`` when `serve` runs
/// without `--lab-terminals`; then the panel says terminals are off and the route is 404.
///
/// The WebSocket route speaks only to this protocol, so the console of a session can come
/// from anywhere that gives bytes both ways: in embedded mode a sandboxed shell
/// (``LabTerminals``); on a real cluster an attacher for KubeVirt's `console` subresource of
/// the session's control-plane VM would implement the same two calls.
public protocol ConsoleTerminals: Sendable {
    /// Attaches a browser to the session's terminal, starting it if none runs. A browser
    /// already attached is detached (the newest window wins). Throws a ``TerminalError``
    /// when the session has no terminal to give (not running, too many terminals).
    func attach(session: String) async throws -> any TerminalConnection
}

/// One browser's attachment to a session's terminal.
public protocol TerminalConnection: Sendable {
    /// What the terminal prints, starting with the recent scrollback when re-attaching. It
    /// finishes when the terminal ends or another browser takes it over; ``closeReason``
    /// then says which, for a person.
    var output: AsyncStream<[UInt8]> { get }
    /// Why ``output`` finished; nil while it has not.
    var closeReason: String? { get }
    /// Keystrokes and pastes. Returns when the terminal has taken them (backpressure).
    func send(_ bytes: [UInt8]) async
    func resize(_ size: TerminalSize)
    /// The browser went away: the terminal keeps running for a grace period, so that a
    /// reconnect finds it.
    func detach()
}

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// What a new terminal starts with, until the browser says how much room it has.
    public static let standard = TerminalSize(columns: 80, rows: 24)
    /// Sizes outside these bounds are refused (xterm.js never asks for them; a hostile
    /// client could).
    public static let columnRange = 2...1000
    public static let rowRange = 1...500
}

/// Why a terminal could not be attached, for the person at the browser.
public struct TerminalError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: message + "\n")))
    }
}
