/// The command line that starts one lab session's shell in a sandbox: a pure function of its
/// inputs, so the isolation it promises is tested without starting anything.
///
/// The chain, each program exec'ing the next (so the first one's pid is the whole sandbox's
/// process group):
///
/// 1. `setsid -c` — a new session whose controlling terminal is the PTY on standard input
///    (bwrap's own `--new-session` would take the terminal away; job control needs it).
/// 2. `setpriv --reuid/--regid` — an unprivileged uid of this shell's own: host root is
///    exempt from `RLIMIT_NPROC`, and a uid per shell keeps one session's processes from
///    counting against another's.
/// 3. `prlimit` — processes, CPU seconds per process, file size, open files, no core dumps.
/// 4. `bwrap` — new user (with no further user namespaces allowed), mount, PID, IPC, UTS and cgroup namespaces; `/usr` and a few files
///    of `/etc` read-only; home and `/tmp` private, size-bounded tmpfs; the kubeconfig, passwd
///    and group given as data on file descriptors 3–5 (no host path is shared); a clean
///    environment with `KUBECONFIG`; killed when its parent dies.
///
/// The network namespace is shared (`--share-net`): the kubeconfig's server is the embedded
/// API on the host's loopback, which a new network namespace could not reach. A forwarder
/// inside the sandbox (loopback port → a bound Unix socket) would close that gap.
struct SandboxCommand: Sendable, Equatable {
    /// Where the programs of the chain are (found on `PATH` at start-up).
    struct Tools: Sendable, Equatable {
        var setsid = "/usr/bin/setsid"
        var setpriv = "/usr/bin/setpriv"
        var prlimit = "/usr/bin/prlimit"
        var nice = "/usr/bin/nice"
        var bwrap = "/usr/bin/bwrap"
        var shell = "/bin/bash"
    }

    /// The limits on one shell.
    struct Limits: Sendable, Equatable {
        /// Processes (threads count too) of the shell's uid: bounds a fork bomb.
        var processes = 128
        /// CPU seconds each process may use.
        var cpuSeconds = 600
        /// Largest file a process may write, in bytes.
        var fileSize = 64 << 20
        var openFiles = 256
        /// Address space of each process: bounds what one process can take of the host's
        /// memory (kubectl, a Go program, reserves well under 1 GiB).
        var addressSpace = 4 << 30
        /// Shells yield the CPU to the server and its controllers.
        var niceness = 10
        /// Size of the home and `/tmp` tmpfs mounts each, in bytes.
        var tmpfsSize = 64 << 20
    }

    /// File descriptors the child finds its data on (dup'ed there by ``SandboxProcess``).
    enum DataDescriptor {
        static let kubeconfig: Int32 = 3
        static let passwd: Int32 = 4
        static let group: Int32 = 5
    }

    static let home = "/home/lab"
    static let kubeconfigPath = "/run/virtyard/kubeconfig"
    /// Files of the host's `/etc` that programs in the sandbox read; the rest of `/etc` is
    /// not there (`/etc/alternatives` holds the targets of `/usr/bin` symlinks such as `vi`).
    static let etcFiles = [
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/nsswitch.conf",
        "/etc/hosts", "/etc/localtime", "/etc/ssl", "/etc/ca-certificates", "/etc/terminfo", "/etc/inputrc",
        "/etc/bash.bashrc", "/etc/profile", "/etc/vim",
    ]

    var tools = Tools()
    var limits = Limits()
    /// The shell's uid and gid outside the sandbox (and inside: bwrap maps it to itself).
    var uid: Int

    /// The argument vector, `argv[0]` first.
    var arguments: [String] {
        let size = String(limits.tmpfsSize)
        var bwrap: [String] = [
            tools.bwrap,
            "--unshare-all", "--share-net", "--unshare-user", "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
            "--hostname", "lab",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/sbin", "/sbin",
        ]
        for path in Self.etcFiles { bwrap += ["--ro-bind-try", path, path] }
        bwrap += [
            "--perms", "0444", "--ro-bind-data", String(DataDescriptor.passwd), "/etc/passwd",
            "--perms", "0444", "--ro-bind-data", String(DataDescriptor.group), "/etc/group",
            "--dev", "/dev", "--proc", "/proc",
            "--perms", "0700", "--size", size, "--tmpfs", Self.home,
            "--size", size, "--tmpfs", "/tmp",
            "--perms", "0400", "--ro-bind-data", String(DataDescriptor.kubeconfig), Self.kubeconfigPath,
            "--chdir", Self.home,
            "--clearenv",
        ]
        for (name, value) in environment { bwrap += ["--setenv", name, value] }
        bwrap += ["--", tools.shell, "--noprofile", "--norc", "-i"]
        return [
            tools.setsid, "-c",
            tools.setpriv, "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--",
            tools.prlimit, "--nproc=\(limits.processes)", "--cpu=\(limits.cpuSeconds)", "--fsize=\(limits.fileSize)",
            "--nofile=\(limits.openFiles)", "--as=\(limits.addressSpace)", "--core=0", "--",
            tools.nice, "-n", String(limits.niceness),
        ] + bwrap
    }

    /// The shell's whole environment (`--clearenv` drops the server's).
    var environment: [(String, String)] {
        [
            ("HOME", Self.home), ("USER", "lab"), ("LOGNAME", "lab"), ("SHELL", tools.shell),
            ("PATH", "/usr/local/bin:/usr/bin:/bin"), ("TERM", "xterm-256color"), ("LANG", "C.UTF-8"),
            ("KUBECONFIG", Self.kubeconfigPath), ("PS1", "lab:\\w\\$ "),
        ]
    }

    /// `/etc/passwd` and `/etc/group` inside: the shell's uid is `lab`.
    var passwd: String { "root:x:0:0:root:/root:/usr/sbin/nologin\nlab:x:\(uid):\(uid):Lab:\(Self.home):\(tools.shell)\n" }
    var group: String { "root:x:0:\nlab:x:\(uid):\n" }
}
