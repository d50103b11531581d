#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Raises the soft limit on open files to the hard limit, as Go programs (kube-apiserver
/// among them) do at start: every lab cluster's controllers hold a dozen watches on the
/// embedded API, each a connection with two ends in this process, and a login shell's usual
/// soft limit of 1,024 is reached by a pool of a few dozen clusters.
enum FileDescriptorLimit {
    /// The soft limit after the change (unchanged when it cannot be read or raised).
    @discardableResult
    static func raiseToHardLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        guard limit.rlim_cur < limit.rlim_max else { return UInt64(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else { return UInt64(limit.rlim_cur) }
        return UInt64(raised.rlim_cur)
    }
}
