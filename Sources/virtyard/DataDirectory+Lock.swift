import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive hold one process has on a data directory (DESIGN.md §2): two processes
/// on one directory would both acknowledge writes, repeat resourceVersions and overwrite
/// each other's kubeconfig. `flock` is released by the kernel when the process ends, however
/// it ends, so a crashed holder never leaves a stale lock behind.
final class DataDirectoryLock: Sendable {
    let path: String
    private let descriptor: Int32

    fileprivate init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}

extension DataDirectory {
    var lockPath: String { path + "/lock" }

    /// Takes the directory's lock, or fails at once naming the process that holds it.
    func lock() throws -> DataDirectoryLock {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            if reason == EWOULDBLOCK {
                let who = holder.map { $0.isEmpty ? "another process" : "process \($0)" } ?? "another process"
                throw Failure(
                    description: "the data directory \(path) is in use by \(who) (lock \(lockPath)); "
                        + "stop it first, or give this one another --data-dir")
            }
            throw Failure(description: "cannot lock \(lockPath): \(String(cString: strerror(reason)))")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        return DataDirectoryLock(path: lockPath, descriptor: descriptor)
    }

    /// Refuses (or, when allowed, warns about) a directory that other users can read or
    /// enter: it holds the admin token, the CA key and every Secret. A directory that holds
    /// none of them yet is simply made private. Files this process
    /// creates are private whatever the directory (the process runs with umask 077), and
    /// files an earlier version left readable are made private here.
    func checkPrivacy(allowShared: Bool, warn: (String) -> Void) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = Int(info.st_mode) & 0o777
        let holdsState = [tokenPath, path + "/store.db", path + "/ca.key"].contains { (file: String) in access(file, F_OK) == 0 }
        if mode & 0o077 != 0, !holdsState, chmod(path, 0o700) == 0 {
            // Nothing secret in it yet: made private before anything is written.
            return
        }
        if mode & 0o077 != 0 {
            let message =
                "the data directory \(path) can be read by other users (mode \(String(mode, radix: 8))); "
                + "it holds the admin token, the CA key and every Secret"
            guard allowShared else {
                throw Failure(description: message + ". Run `chmod 700 \(path)`, or pass --allow-shared-data-dir")
            }
            warn(message)
        }
        for file in privateFiles() where access(file, F_OK) == 0 {
            _ = chmod(file, 0o600)
        }
    }

    /// Files holding secrets or stored objects.
    private func privateFiles() -> [String] {
        var files =
            [tokenPath, kubeconfigPath]
            + ["ca.key", "serving.key", "store.db", "store.db-wal", "store.db-shm"].map { path + "/" + $0 }
        let clusters = path + "/clusters"
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: clusters) {
            files += entries.filter { $0.contains(".db") }.map { clusters + "/" + $0 }
        }
        return files
    }
}
