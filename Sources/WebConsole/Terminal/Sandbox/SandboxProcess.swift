import Glibc
import KubeModel

/// A program started on a fresh pseudo-terminal: the PTY's other end is its standard input,
/// output and error, and extra data (the kubeconfig…) waits for it on numbered file
/// descriptors. The caller reads and writes ``master``; the process, its session and process
/// group share one id, ``pid``.
struct SandboxProcess: Sendable {
    let pid: pid_t
    /// The PTY's controlling side (close-on-exec, blocking).
    let master: Int32

    /// Starts `arguments` (an absolute `argv[0]`) with `data[fd]` readable on file
    /// descriptor `fd` in the child. Nothing else of this process's open files reaches it.
    static func spawn(_ arguments: [String], data: [Int32: String], size: TerminalSize) throws(SandboxError) -> SandboxProcess {
        // posix_openpt and friends are not in Swift's view of Glibc: the same, by hand.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw SandboxError("cannot open a pseudo-terminal", errno: errno) }
        var slave: Int32 = -1
        var pipes: [Int32] = []
        defer {
            if slave >= 0 { close(slave) }
            for fd in pipes { close(fd) }
        }
        do throws(SandboxError) {
            var unlock: Int32 = 0
            var number: UInt32 = 0
            guard ioctl(master, PTY.unlock, &unlock) == 0, ioctl(master, PTY.number, &number) == 0 else {
                throw SandboxError("cannot unlock the pseudo-terminal", errno: errno)
            }
            slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard slave >= 0 else { throw SandboxError("cannot open the pseudo-terminal's other end", errno: errno) }
            try resize(master, size)
            // Each piece of data goes in a pipe that holds it whole (they are small), closed
            // for writing before the child starts: the child reads it to the end at once.
            var sources: [(target: Int32, source: Int32)] = []
            for (target, text) in data.sorted(by: { $0.key < $1.key }) {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { throw SandboxError("cannot make a pipe", errno: errno) }
                pipes += ends
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                let bytes = Array(text.utf8)
                guard bytes.count < 60_000, write(ends[1], bytes, bytes.count) == bytes.count else {
                    throw SandboxError("cannot hand the sandbox its data", errno: errno)
                }
                close(ends[1])
                pipes.removeAll { $0 == ends[1] }
                // Above the targets (3…5), so that no dup2 overwrites a source before it is used.
                let source = fcntl(ends[0], F_DUPFD, 10)
                guard source >= 0 else { throw SandboxError("cannot move a pipe", errno: errno) }
                _ = fcntl(source, F_SETFD, FD_CLOEXEC)
                pipes.append(source)
                sources.append((target, source))
            }
            let pid = try start(arguments, slave: slave, sources: sources)
            return SandboxProcess(pid: pid, master: master)
        } catch {
            close(master)
            throw error
        }
    }

    private static func start(_ arguments: [String], slave: Int32, sources: [(target: Int32, source: Int32)]) throws(SandboxError) -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy; the originals (all close-on-exec) vanish.
        for target in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_adddup2(&actions, slave, target)
        }
        for (target, source) in sources { posix_spawn_file_actions_adddup2(&actions, source, target) }
        // Whatever this server opened without close-on-exec stays out of the sandbox.
        let firstUnused = (sources.map(\.target).max() ?? STDERR_FILENO) + 1
        guard let closeFrom = PTY.closeFrom, closeFrom(&actions, firstUnused) == 0 else {
            throw SandboxError("this C library cannot close inherited files in a spawned process (glibc 2.34 or later can)")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal handling and an empty mask: the server may ignore SIGPIPE; a shell must not.
        var everything = sigset_t()
        sigfillset(&everything)
        var nothing = sigset_t()
        sigemptyset(&nothing)
        posix_spawnattr_setsigdefault(&attributes, &everything)
        posix_spawnattr_setsigmask(&attributes, &nothing)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for pointer in environment { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &environment)
        guard status == 0 else { throw SandboxError("cannot start \(arguments[0])", errno: status) }
        return pid
    }

    /// Tells the PTY (and, through the kernel's SIGWINCH, the shell) its new size.
    static func resize(_ master: Int32, _ size: TerminalSize) throws(SandboxError) {
        var window = winsize(ws_row: UInt16(size.rows), ws_col: UInt16(size.columns), ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(master, UInt(TIOCSWINSZ), &window) == 0 else { throw SandboxError("cannot resize the terminal", errno: errno) }
    }

    /// Kills the whole process group (the sandbox's PID 1 dies with bwrap, taking every
    /// process in its namespace with it).
    func kill() {
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Blocks until the process has exited, and reaps it.
    func waitForExit() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}

/// What Swift's Glibc module leaves out: the PTY ioctls (function-like macros in C, the same
/// numbers on every Linux architecture that uses the generic encoding) and glibc 2.34's
/// `posix_spawn_file_actions_addclosefrom_np` (declared only for `_GNU_SOURCE`).
enum PTY {
    /// `TIOCSPTLCK`: lock or unlock the other end.
    static let unlock = UInt(0x4004_5431)
    /// `TIOCGPTN`: the number of the other end (`/dev/pts/N`).
    static let number = UInt(0x8004_5430)

    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
}

/// The sandbox could not be set up or started.
struct SandboxError: Error, CustomStringConvertible {
    let message: String

    init(_ what: String, errno code: Int32) {
        message = "\(what): \(String(cString: strerror(code)))"
    }

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
