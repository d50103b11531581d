import Foundation
import Glibc

/// Finds the programs a sandboxed shell needs and proves, once at start-up, that they work
/// on this host: `serve --lab-terminals` refuses to start otherwise, with what to do.
enum SandboxTools {
    /// The chain's programs from `PATH`, or an error that names what is missing.
    static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) throws(SandboxError) -> SandboxCommand.Tools {
        let directories = (path ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        func find(_ name: String) -> String? {
            directories.lazy.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
        }
        guard let bwrap = find("bwrap") else {
            throw SandboxError(
                "--lab-terminals needs bubblewrap (`bwrap`) on PATH to sandbox the lab shells; install it "
                    + "(Debian/Ubuntu: apt-get install bubblewrap) or leave out --lab-terminals")
        }
        let utilities = ["setsid", "setpriv", "prlimit", "nice"].map { ($0, find($0)) }
        let missing = utilities.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let shell = find("bash") else {
            throw SandboxError(
                "--lab-terminals needs \((missing.isEmpty ? ["bash"] : missing).joined(separator: ", ")) on PATH "
                    + "(Debian: util-linux, coreutils and bash)")
        }
        return SandboxCommand.Tools(
            setsid: utilities[0].1 ?? "", setpriv: utilities[1].1 ?? "", prlimit: utilities[2].1 ?? "",
            nice: utilities[3].1 ?? "", bwrap: bwrap,
            shell: shell.hasPrefix("/usr/") ? shell : "/bin/bash")
    }

    /// Runs the real chain once with `true` instead of a shell: the user namespaces, the uid
    /// change and the mounts either work here, or the error says what the kernel refused.
    static func preflight(_ tools: SandboxCommand.Tools, uid: Int) throws(SandboxError) {
        guard geteuid() == 0 else {
            throw SandboxError(
                "--lab-terminals runs each lab shell as its own unprivileged uid (so that its process limit holds), "
                    + "which needs root; run serve as root or leave out --lab-terminals")
        }
        var command = SandboxCommand(uid: uid)
        command.tools = tools
        var arguments = command.arguments
        // Everything up to the shell, then `true`.
        arguments.removeLast(4)
        arguments.append("/usr/bin/true")
        let process = try SandboxProcess.spawn(
            arguments,
            data: [
                SandboxCommand.DataDescriptor.kubeconfig: "", SandboxCommand.DataDescriptor.passwd: command.passwd,
                SandboxCommand.DataDescriptor.group: command.group,
            ], size: .standard)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(process.master, &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        var status: Int32 = 0
        while waitpid(process.pid, &status, 0) < 0 && errno == EINTR {}
        close(process.master)
        guard status == 0 else {
            let said = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SandboxError(
                "--lab-terminals: the sandbox does not work on this host (\(said.isEmpty ? "exit status \(status)" : said)); "
                    + "bubblewrap needs unprivileged user namespaces")
        }
    }
}
