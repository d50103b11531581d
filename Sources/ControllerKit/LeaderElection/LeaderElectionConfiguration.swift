import Foundation

/// Where and how fast leader election runs.
///
/// The three durations are client-go's and follow its constraints: a leader that cannot renew
/// for `renewDeadline` steps down, and `renewDeadline < leaseDuration`, so it has stopped
/// working before any other candidate may take over; candidates retry every `retryPeriod`.
public struct LeaderElectionConfiguration: Sendable {
    /// Namespace of the Lease.
    public var namespace: String
    /// Name of the Lease.
    public var name: String
    /// This replica's identity, written as `holderIdentity`; unique among replicas.
    public var identity: String
    /// How long a lease holds without renewal; candidates wait this long after they last saw
    /// the lease change before taking it over.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leadership.
    public var renewDeadline: Duration
    /// Pause between attempts, by candidates and by the leader renewing.
    public var retryPeriod: Duration
    /// Whether the leader clears the Lease when it stops on purpose, so a successor need not
    /// wait for the lease to expire.
    public var releaseOnStop: Bool
    /// Whether any other holder of the Lease is known to be gone, so it is taken at once
    /// instead of after `leaseDuration`. True only where nothing else can run the
    /// controllers: embedded mode, where this process holds the data directory's lock and
    /// the Lease it finds was left by a predecessor that crashed.
    public var othersAreGone = false

    /// The defaults are Virtyard's (`virtyard-system/virtyard-controller`) and client-go's timings.
    public init(
        namespace: String = "virtyard-system", name: String = "virtyard-controller",
        identity: String = LeaderElectionConfiguration.defaultIdentity(), leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(5), releaseOnStop: Bool = true
    ) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnStop = releaseOnStop
    }

    /// `<hostname>_<pid>`: distinct for every process, readable in `kubectl get lease`.
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// `leaseDurationSeconds` as written into the Lease: whole seconds, at least one.
    var leaseDurationSeconds: Int {
        max(1, Int(leaseDuration.seconds.rounded(.up)))
    }

    /// Checks client-go's constraints.
    func validate() throws(LeaderElectionError) {
        if identity.isEmpty { throw .invalidConfiguration("identity must not be empty") }
        if namespace.isEmpty || name.isEmpty { throw .invalidConfiguration("lease namespace and name must not be empty") }
        if retryPeriod <= .zero { throw .invalidConfiguration("retryPeriod must be positive") }
        if leaseDuration <= renewDeadline {
            throw .invalidConfiguration("leaseDuration (\(leaseDuration)) must be greater than renewDeadline (\(renewDeadline))")
        }
        if renewDeadline <= retryPeriod * 1.2 {
            throw .invalidConfiguration("renewDeadline (\(renewDeadline)) must be greater than 1.2 × retryPeriod (\(retryPeriod))")
        }
    }
}
