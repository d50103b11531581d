import Foundation
import Glibc
import KubeModel

/// One lab session's running shell: its sandboxed process on a PTY, the scrollback, and the
/// browser attached to it (at most one; a new one takes over).
///
/// A thread of its own reads the PTY (a blocking read, off the concurrency pool) and hands
/// output to the attached browser as fast as the browser takes it: while the browser lags
/// more than ``maximumQueuedBytes`` behind, the thread stops reading, the PTY fills and the
/// shell's writes block — backpressure down to the program printing. With no browser, output
/// goes to the scrollback only. Input and resizes go through one serial queue, which also
/// closes the PTY last, so nothing ever writes to a closed (or reused) descriptor.
///
/// Mutable state is guarded by `condition`'s lock (hence `@unchecked Sendable`).
final class ShellTerminal: @unchecked Sendable {
    let session: String
    let uid: Int
    /// The lab cluster the session had when the shell started: a different one means the
    /// session was reset under it.
    let cluster: String?
    private let process: SandboxProcess
    private let condition = NSCondition()
    private let input = DispatchQueue(label: "virtyard.terminal.input")
    /// Only touched on `input`.
    private var masterClosed = false

    static let maximumQueuedBytes = 256 << 10
    /// Largest piece of output handed over at once (one WebSocket frame).
    static let maximumChunk = 32 << 10

    // Guarded by `condition`.
    private var scrollback: Scrollback
    private var attached: UInt64?
    private var nextAttachment: UInt64 = 1
    private var queue: [UInt8] = []
    private var waiter: CheckedContinuation<[UInt8]?, Never>?
    private var closeReasons: [UInt64: String] = [:]
    private var detachedSince: ContinuousClock.Instant
    private var endReason: String?
    private var outputEnded = false
    private var reaped = false

    init(session: String, uid: Int, cluster: String?, process: SandboxProcess, scrollbackBytes: Int) {
        self.session = session
        self.uid = uid
        self.cluster = cluster
        self.process = process
        scrollback = Scrollback(capacity: scrollbackBytes)
        detachedSince = .now
        let reader = Thread { [self] in readUntilExit() }
        reader.name = "virtyard.terminal.\(session)"
        reader.start()
    }

    // MARK: - Browsers

    /// Attaches a browser; the one attached before is told it was replaced.
    func attach() -> ShellAttachment {
        condition.lock()
        defer { condition.unlock() }
        if let previous = attached {
            closeReasons[previous] = "The terminal was opened in another window."
            waiter?.resume(returning: nil)
            waiter = nil
        }
        let id = nextAttachment
        nextAttachment += 1
        attached = id
        // The screen as it was: the browser replays it before anything new.
        queue = scrollback.bytes
        if outputEnded { closeReasons[id] = endReason ?? "The shell exited." }
        condition.broadcast()
        return ShellAttachment(terminal: self, id: id)
    }

    /// The browser `id` went away; the shell stays for the grace period.
    func detach(_ id: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        guard attached == id else { return }
        attached = nil
        queue = []
        waiter?.resume(returning: nil)
        waiter = nil
        detachedSince = .now
        condition.broadcast()
    }

    /// The next output for browser `id`; nil once it is detached, replaced or the shell ended.
    func nextOutput(for id: UInt64) async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                condition.lock()
                defer { condition.unlock() }
                guard attached == id else { return continuation.resume(returning: nil) }
                if !queue.isEmpty {
                    let chunk = Array(queue.prefix(Self.maximumChunk))
                    queue.removeFirst(chunk.count)
                    condition.broadcast()
                    return continuation.resume(returning: chunk)
                }
                if outputEnded { return continuation.resume(returning: nil) }
                waiter?.resume(returning: nil)
                waiter = continuation
            }
        } onCancel: {
            detach(id)
        }
    }

    func closeReason(for id: UInt64) -> String? {
        condition.lock()
        defer { condition.unlock() }
        return closeReasons[id]
    }

    /// How long no browser has been attached; nil while one is.
    func detachedDuration(now: ContinuousClock.Instant = .now) -> Duration? {
        condition.lock()
        defer { condition.unlock() }
        return attached == nil ? now - detachedSince : nil
    }

    // MARK: - Input

    /// Types `bytes` into the terminal; returns once the PTY took them.
    func write(_ bytes: [UInt8]) async {
        guard !bytes.isEmpty else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            input.async { [self] in
                defer { continuation.resume() }
                guard !masterClosed else { return }
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { Glibc.write(process.master, $0.baseAddress, $0.count) }
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    func resize(_ size: TerminalSize) {
        input.async { [self] in
            guard !masterClosed else { return }
            try? SandboxProcess.resize(process.master, size)
        }
    }

    // MARK: - Ending

    /// Kills the shell and everything it started; the attached browser hears `reason`.
    func terminate(reason: String) {
        condition.lock()
        if endReason == nil { endReason = reason }
        condition.broadcast()
        condition.unlock()
        process.kill()
    }

    /// True once the process has exited and been reaped (its uid may be reused).
    var hasExited: Bool {
        condition.lock()
        defer { condition.unlock() }
        return reaped
    }

    private func readUntilExit() {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = read(process.master, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            // EIO: every process holding the PTY's other end has gone.
            guard count > 0 else { break }
            deliver(buffer[0..<count])
        }
        // The shell may have ended on its own (`exit`); make sure nothing of it stays.
        process.kill()
        condition.lock()
        outputEnded = true
        if let attached { closeReasons[attached] = endReason ?? "The shell exited." }
        if queue.isEmpty {
            waiter?.resume(returning: nil)
            waiter = nil
        }
        condition.broadcast()
        condition.unlock()
        process.waitForExit()
        input.async { [self] in
            masterClosed = true
            close(process.master)
            condition.lock()
            reaped = true
            condition.unlock()
        }
    }

    private func deliver(_ bytes: ArraySlice<UInt8>) {
        condition.lock()
        defer { condition.unlock() }
        scrollback.append(bytes)
        guard let id = attached else { return }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: Array(bytes))
        } else {
            queue += bytes
        }
        while attached == id && queue.count > Self.maximumQueuedBytes && endReason == nil {
            condition.wait()
        }
    }
}

/// A browser's handle on a ``ShellTerminal``.
struct ShellAttachment: TerminalConnection {
    let terminal: ShellTerminal
    let id: UInt64
    let output: AsyncStream<[UInt8]>

    init(terminal: ShellTerminal, id: UInt64) {
        self.terminal = terminal
        self.id = id
        output = AsyncStream(unfolding: { await terminal.nextOutput(for: id) })
    }

    var closeReason: String? { terminal.closeReason(for: id) }
    func send(_ bytes: [UInt8]) async { await terminal.write(bytes) }
    func resize(_ size: TerminalSize) { terminal.resize(size) }
    func detach() { terminal.detach(id) }
}
