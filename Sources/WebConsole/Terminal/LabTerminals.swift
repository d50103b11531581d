import Foundation
import KubeModel
import LabPool
import Logging
import PlatformHTTP
import Synchronization

/// Embedded mode's lab terminals: the serial console of a lab cluster's simulated
/// control-plane VM, which the embedded API serves as KubeVirt's `console` subresource
/// (``VMConsoles``). Each running lab session may have one sandboxed shell
/// (``SandboxCommand``) with `kubectl` pointed at the session's virtual cluster.
///
/// A shell ends when its session ends or is reset, when no browser has been attached for
/// ``Configuration/detachGrace`` (a browser that reconnects sooner gets the same shell and
/// its scrollback), when it exits, or when the server stops. ``run()`` is the loop that
/// notices: once a second it compares every shell with the lab service's cache of sessions
/// (memory only, no API call) — level-triggered, so a missed event or a new leader term
/// changes nothing.
public final class LabTerminals: VMConsoles {
    public struct Configuration: Sendable {
        /// Shells run as uids `firstUID ..< firstUID + maximumTerminals`, one each.
        public var firstUID = 60_000
        public var maximumTerminals = 200
        public var detachGrace: Duration = .seconds(30)
        public var scrollbackBytes = 64 << 10
        var tools = SandboxCommand.Tools()
        var limits = SandboxCommand.Limits()

        init(tools: SandboxCommand.Tools) {
            self.tools = tools
        }

        /// Against a real cluster: KubeVirt serves the consoles, nothing is sandboxed here.
        public static var realCluster: Configuration { Configuration(tools: SandboxCommand.Tools()) }

        /// The configuration for this host, after checking that sandboxed shells work here
        /// (`bwrap` and util-linux on `PATH`, running as root, a trial sandbox starts).
        /// Throws a message for the command line otherwise.
        public static func checkedOnThisHost() throws -> Configuration {
            let configuration = Configuration(tools: try SandboxTools.locate())
            try SandboxTools.preflight(configuration.tools, uid: configuration.firstUID)
            return configuration
        }
    }

    let configuration: Configuration
    let lab: LabService
    let logger: Logger
    private let shells = Mutex<[String: ShellTerminal]>([:])

    public init(configuration: Configuration, lab: LabService, logger: Logger = Logger(label: "virtyard.console.terminals")) {
        self.configuration = configuration
        self.lab = lab
        self.logger = logger
    }

    /// The console of VMI `namespace/name`: the shell of the session whose control-plane VM it
    /// is. Other simulated VMs have no console.
    public func attach(namespace: String, name: String) async throws -> any TerminalConnection {
        let owner: String?
        do throws(PlatformError) {
            owner = try lab.console.session(consoleOf: namespace, vm: name)
        } catch {
            throw VMConsoleUnavailable(error.message)
        }
        guard let owner else {
            throw VMConsoleUnavailable(
                "The simulated VM \(namespace)/\(name) has no serial console; only a leased lab cluster's control-plane VM has one.")
        }
        return try attach(session: owner)
    }

    func attach(session name: String) throws(VMConsoleUnavailable) -> any TerminalConnection {
        let session: JSONValue
        do throws(PlatformError) {
            session = try lab.console.session(name)
        } catch {
            throw VMConsoleUnavailable(error.message)
        }
        guard session["status"]?.stringValue == "running", let kubeconfig = session["kubeconfig"]?.stringValue else {
            let status = session["status"]?.stringValue ?? "unknown"
            throw VMConsoleUnavailable("The lab session is not running (\(status)); the terminal opens once it is.")
        }
        let cluster = session["assignedCluster"]?.stringValue
        let shell = try shells.withLock { shells throws(VMConsoleUnavailable) -> ShellTerminal in
            if let running = shells[name], !running.hasExited { return running }
            let used = Set(shells.values.map(\.uid))
            guard shells.count < configuration.maximumTerminals,
                let uid = (configuration.firstUID..<configuration.firstUID + configuration.maximumTerminals).first(where: {
                    !used.contains($0)
                })
            else {
                throw VMConsoleUnavailable("Too many terminals are open on this server; try again in a minute.")
            }
            var command = SandboxCommand(uid: uid)
            command.tools = configuration.tools
            command.limits = configuration.limits
            let process: SandboxProcess
            do {
                process = try SandboxProcess.spawn(
                    command.arguments,
                    data: [
                        SandboxCommand.DataDescriptor.kubeconfig: kubeconfig,
                        SandboxCommand.DataDescriptor.passwd: command.passwd,
                        SandboxCommand.DataDescriptor.group: command.group,
                    ], size: .standard)
            } catch {
                logger.error("could not start a lab terminal", metadata: ["session": "\(name)", "error": "\(error)"])
                throw VMConsoleUnavailable("The terminal could not be started; the server's log says why.")
            }
            logger.info("lab terminal started", metadata: ["session": "\(name)", "uid": "\(uid)", "pid": "\(process.pid)"])
            let shell = ShellTerminal(
                session: name, uid: uid, cluster: cluster, process: process, scrollbackBytes: configuration.scrollbackBytes)
            shells[name] = shell
            return shell
        }
        return shell.attach()
    }

    /// Ends shells whose session ended, that nobody watched for the grace period, or that
    /// exited, once a second until cancelled; then ends them all.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            sweep()
        }
        let all = shells.withLock { Array($0.values) }
        for shell in all { shell.terminate(reason: "The server is shutting down.") }
    }

    /// One pass: what should end, ends; what has ended is forgotten.
    func sweep(now: ContinuousClock.Instant = .now) {
        let current = shells.withLock { Array($0.values) }
        for shell in current {
            if shell.hasExited {
                shells.withLock { if $0[shell.session] === shell { $0[shell.session] = nil } }
                logger.info("lab terminal ended", metadata: ["session": "\(shell.session)"])
                continue
            }
            if let reason = endReason(for: shell, now: now) { shell.terminate(reason: reason) }
        }
    }

    func endReason(for shell: ShellTerminal, now: ContinuousClock.Instant) -> String? {
        // The same test as the browser's side of the terminal; a session that cannot be read
        // (not attached yet) keeps its shell until it can.
        if case .ended(let reason) = SessionBoundTerminal.standing(session: shell.session, cluster: shell.cluster ?? "", lab: lab) {
            return reason
        }
        if let detached = shell.detachedDuration(now: now), detached > configuration.detachGrace {
            return "No browser was attached for \(configuration.detachGrace.components.seconds) seconds."
        }
        return nil
    }

    /// How many shells run now (for tests and metrics).
    public var count: Int { shells.withLock { $0.count } }
}
