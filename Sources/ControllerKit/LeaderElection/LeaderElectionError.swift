import KubeClient

/// Why a leader election step failed.
public enum LeaderElectionError: Error, Sendable, CustomStringConvertible {
    /// The timings cannot work: a leader must renew well within the lease duration, and retry
    /// several times within the renew deadline.
    case invalidConfiguration(String)
    /// ``LeaderElector/run(whileLeading:)`` was called while the elector was already running.
    case alreadyRunning(identity: String)
    /// Another candidate wrote the Lease first (409 on create or update): it holds the lease now.
    case lostRace(lease: String, KubeClientError)
    /// The API call failed for another reason (network, permissions, server error).
    case api(operation: String, lease: String, KubeClientError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason):
            return "invalid leader election configuration: \(reason)"
        case .alreadyRunning(let identity):
            return "leader elector \(identity) is already running"
        case .lostRace(let lease, let error):
            return "lease \(lease) was written by another candidate first: \(error.reason) \(error.message)"
        case .api(let operation, let lease, let error):
            return "\(operation) of lease \(lease) failed: \(error)"
        }
    }
}
