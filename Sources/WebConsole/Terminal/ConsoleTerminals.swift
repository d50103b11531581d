import Foundation
import KubeClient
import KubeModel
import LabPool
import PlatformHTTP
import Synchronization

/// Browser terminals for lab sessions (the session page's terminal panel and its WebSocket,
/// `/ui/labs/sessions/{name}/terminal`). Nil in ``ConsoleServices`` when `serve` runs
/// without `--lab-terminals`; then the panel says terminals are off and the route is 404.
///
/// The WebSocket route speaks only to this protocol; tests put a double behind it.
public protocol ConsoleTerminals: Sendable {
    /// Attaches a browser to the session's terminal through `api`. A browser already
    /// attached is detached (the newest window wins). Throws a ``ConsoleError`` or a
    /// `PlatformError` when the session has no terminal to give (not running).
    func attach(session: String, api: any KubernetesAPI) async throws -> any TerminalConnection
}

/// The one way a lab session's terminal is reached, embedded or not: the serial console of
/// the session's control-plane VM, KubeVirt's `console` subresource, opened through the
/// cluster's API. On a real cluster KubeVirt serves it; in embedded mode the embedded API
/// serves it from ``LabTerminals`` (a sandboxed shell per session).
public struct KubeVirtConsoleTerminals: ConsoleTerminals {
    let lab: LabService
    /// The API understands Virtyard's resize messages (the embedded API does; a real
    /// KubeVirt serial console has no size and would type them).
    let sendsResize: Bool

    public init(lab: LabService, sendsResize: Bool) {
        self.lab = lab
        self.sendsResize = sendsResize
    }

    public func attach(session: String, api: any KubernetesAPI) async throws -> any TerminalConnection {
        let target = try lab.console.consoleVM(ofSession: session)
        let console = api.openVMConsole(namespace: target.namespace, name: target.name, sendsResize: sendsResize)
        return SessionBoundTerminal(inner: console, session: session, cluster: target.cluster, lab: lab)
    }
}

/// A console that ends when its lab session ends or is reset, whatever serves it (a real
/// VM's serial console outlives the session; the person's access must not). While the
/// session cannot be read (the lab service not attached) the console stays, for
/// ``unknownGrace`` at most: access is not kept open on what cannot be checked.
final class SessionBoundTerminal: TerminalConnection {
    static let checkInterval: Duration = .seconds(1)
    static let unknownGrace: Duration = .seconds(30)

    private let inner: any TerminalConnection
    private let ended = Mutex<(reason: String?, detached: Bool)>((nil, false))

    init(inner: any TerminalConnection, session: String, cluster: String, lab: LabService) {
        self.inner = inner
        Task { [weak self] in
            var unknownSince: ContinuousClock.Instant?
            while true {
                try? await Task.sleep(for: Self.checkInterval)
                guard let self, !self.isOver else { return }
                switch Self.standing(session: session, cluster: cluster, lab: lab) {
                case .current:
                    unknownSince = nil
                case .ended(let reason):
                    self.end(reason)
                    return
                case .unknown:
                    let since = unknownSince ?? .now
                    unknownSince = since
                    if ContinuousClock.now - since > Self.unknownGrace {
                        self.end("This server cannot read the lab session now; reload the page to reconnect.")
                        return
                    }
                }
            }
        }
    }

    enum Standing: Equatable {
        case current
        case ended(String)
        /// Not readable now (the lab service is not attached).
        case unknown
    }

    /// Whether the session still has this terminal.
    static func standing(session: String, cluster: String, lab: LabService) -> Standing {
        do throws(PlatformError) {
            let target = try lab.console.consoleVM(ofSession: session)
            return target.cluster == cluster ? .current : .ended("The lab session was reset.")
        } catch {
            return error.status == .serviceUnavailable ? .unknown : .ended("The lab session ended.")
        }
    }

    private var isOver: Bool { ended.withLock { $0.reason != nil || $0.detached } || inner.closeReason != nil }

    private func end(_ reason: String) {
        ended.withLock { $0.reason = $0.reason ?? reason }
        inner.detach()
    }

    var output: AsyncStream<[UInt8]> { inner.output }
    var closeReason: String? { ended.withLock { $0.reason } ?? inner.closeReason }
    func send(_ bytes: [UInt8]) async { await inner.send(bytes) }
    func resize(_ size: TerminalSize) { inner.resize(size) }

    func detach() {
        ended.withLock { $0.detached = true }
        inner.detach()
    }
}
