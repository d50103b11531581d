import Testing

@testable import WebConsole

/// The sandbox's command line: what it shares with the host, what it limits, what it passes.
@Suite struct TerminalSandboxTests {
    let command = SandboxCommand(uid: 60_007)

    /// The value after `flag` (or the pair after it) each time `flag` occurs.
    func values(after flag: String, count: Int = 1) -> [[String]] {
        let arguments = command.arguments
        return arguments.indices.filter { arguments[$0] == flag }.map { Array(arguments[($0 + 1)...($0 + count)]) }
    }

    @Test func theChainDropsToTheShellsOwnUIDBeforeLimitsAndBwrap() throws {
        let arguments = command.arguments
        #expect(Array(arguments.prefix(2)) == ["/usr/bin/setsid", "-c"])
        let setpriv = try #require(arguments.firstIndex(of: "/usr/bin/setpriv"))
        let prlimit = try #require(arguments.firstIndex(of: "/usr/bin/prlimit"))
        let bwrap = try #require(arguments.firstIndex(of: "/usr/bin/bwrap"))
        #expect(setpriv < prlimit && prlimit < bwrap)
        #expect(arguments[setpriv + 1...setpriv + 3] == ["--reuid=60007", "--regid=60007", "--clear-groups"])
        // The shell, interactive, without the host's start-up files, is the last thing.
        #expect(Array(arguments.suffix(4)) == ["/bin/bash", "--noprofile", "--norc", "-i"])
        // bwrap's --new-session would take away the controlling terminal that setsid -c gives.
        #expect(!arguments.contains("--new-session"))
    }

    @Test func limitsProcessesCPUFileSizeAndCores() {
        let arguments = command.arguments
        for limit in ["--nproc=128", "--cpu=600", "--fsize=\(64 << 20)", "--nofile=256", "--as=\(4 << 30)", "--core=0"] {
            #expect(arguments.contains(limit), "missing \(limit)")
        }
        var tight = command
        tight.limits.processes = 16
        #expect(tight.arguments.contains("--nproc=16"))
    }

    @Test func theSystemIsReadOnlyAndHomeAndTmpArePrivate() {
        #expect(values(after: "--ro-bind", count: 2) == [["/usr", "/usr"]])
        #expect(values(after: "--bind", count: 2).isEmpty, "nothing of the host is writable")
        #expect(values(after: "--dev-bind", count: 2).isEmpty)
        #expect(values(after: "--tmpfs") == [["/home/lab"], ["/tmp"]])
        #expect(values(after: "--size") == [["\(64 << 20)"], ["\(64 << 20)"]])
        // Only named files of /etc, read-only; never /etc whole (shadow, the server's config).
        let etc = values(after: "--ro-bind-try", count: 2)
        #expect(etc.allSatisfy { $0[0] == $0[1] && $0[0].hasPrefix("/etc/") })
        #expect(!etc.contains { $0[0] == "/etc/shadow" || $0[0] == "/etc" })
        for flag in ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--clearenv"] {
            #expect(command.arguments.contains(flag), "missing \(flag)")
        }
    }

    @Test func theKubeconfigArrivesAsDataNotAsAHostPath() {
        let data = values(after: "--ro-bind-data", count: 2)
        #expect(data.contains(["3", "/run/virtyard/kubeconfig"]))
        #expect(data.contains(["4", "/etc/passwd"]) && data.contains(["5", "/etc/group"]))
        let environment = Dictionary(uniqueKeysWithValues: command.environment)
        #expect(environment["KUBECONFIG"] == "/run/virtyard/kubeconfig")
        #expect(environment["PATH"]?.split(separator: ":").contains("/usr/bin") == true)
        #expect(environment["HOME"] == "/home/lab")
        // Every variable is set after --clearenv, nothing of the server's environment.
        let arguments = command.arguments
        let clear = arguments.firstIndex(of: "--clearenv") ?? arguments.endIndex
        let firstSet = arguments.firstIndex(of: "--setenv") ?? arguments.startIndex
        #expect(clear < firstSet)
        #expect(values(after: "--setenv", count: 2).count == command.environment.count)
        #expect(command.passwd.contains("lab:x:60007:60007:"))
    }

    @Test func scrollbackKeepsTheNewestBytes() {
        var scrollback = Scrollback(capacity: 8)
        scrollback.append(Array("hello".utf8))
        #expect(scrollback.bytes == Array("hello".utf8))
        scrollback.append(Array(" world".utf8))
        #expect(String(decoding: scrollback.bytes, as: UTF8.self) == "lo world")
        scrollback.append(Array("0123456789ABC".utf8))
        #expect(String(decoding: scrollback.bytes, as: UTF8.self) == "56789ABC")
        #expect(scrollback.count == 8)
    }
}
