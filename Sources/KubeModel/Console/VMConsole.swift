/// KubeVirt's `console` subresource as this codebase meets it three times: the API server that
/// serves `virtualmachineinstances/{name}/console` as a WebSocket, the guest behind it (in
/// embedded mode a lab's sandboxed shell), and the web console's terminal that reads it.

/// A VM's consoles, by VirtualMachineInstance: what the embedded API server asks when a
/// client opens `…/virtualmachineinstances/{name}/console`. On a real cluster KubeVirt's own
/// `virt-handler` plays this part.
public protocol VMConsoles: Sendable {
    /// Attaches to the VMI's console, starting what serves it if nothing runs. A client
    /// already attached is detached (the newest wins, as with a serial port). Throws a
    /// ``VMConsoleUnavailable`` when the VMI has no console to give.
    func attach(namespace: String, name: String) async throws -> any TerminalConnection
}

/// Why a console could not be attached, in words for the person at the other end.
public struct VMConsoleUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One client's attachment to a console.
public protocol TerminalConnection: Sendable {
    /// What the console prints, starting with the recent scrollback when re-attaching. It
    /// finishes when the console ends or another client takes it over; ``closeReason`` then
    /// says which, for a person.
    var output: AsyncStream<[UInt8]> { get }
    /// Why ``output`` finished; nil while it has not (or when the client left).
    var closeReason: String? { get }
    /// Keystrokes and pastes. Returns when the console has taken them (backpressure).
    func send(_ bytes: [UInt8]) async
    /// A serial console has no size; a terminal that has one (the embedded shell) takes it.
    func resize(_ size: TerminalSize)
    /// The client went away: what serves the console may keep running for a while, so that
    /// a reconnect finds it.
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

    /// What a new terminal starts with, until the client says how much room it has.
    public static let standard = TerminalSize(columns: 80, rows: 24)
    /// Sizes outside these bounds are refused (xterm.js never asks for them; a hostile
    /// client could).
    public static let columnRange = 2...1000
    public static let rowRange = 1...500
}
