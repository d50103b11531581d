import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// Runs Virtyard's controllers against a Kubernetes API — the embedded one over loopback or
/// a real cluster — on whichever replica holds the `virtyard-controller` Lease.
///
/// The API is obtained through `connect`, because in embedded mode it exists only once the
/// embedded server has bound its port.
public final class ControllerRuntime: Service, Sendable {
    /// Makes the client; the runtime owns it and shuts it down when it stops.
    public typealias Connect = @Sendable () async throws -> HTTPKubernetesClient

    let connect: Connect
    let crds: CRDInstaller?
    let leaderElection: LeaderElectionConfiguration
    let logger: Logger
    /// How long controllers get to finish once shutdown begins (``ShutdownBudget/controllers``).
    let stopDeadline: Duration
    private let status = StatusBox()

    /// Controllers are added by the capability issues; each is built from the shared
    /// informer factory and the API.
    public typealias ControllerBuilder = @Sendable (SharedInformerFactory, any KubernetesAPI) -> [any Service]
    let controllers: ControllerBuilder

    /// - Parameter crds: installed into the cluster when missing, before any controller
    ///   starts; nil skips that.
    public init(
        leaderElection: LeaderElectionConfiguration, crds: CRDInstaller?,
        stopDeadline: Duration = ShutdownBudget().controllers,
        logger: Logger = Logger(label: "virtyard.controllers"),
        controllers: @escaping ControllerBuilder = { _, _ in [] }, connect: @escaping Connect
    ) {
        self.stopDeadline = stopDeadline
        self.crds = crds
        self.leaderElection = leaderElection
        self.logger = logger
        self.controllers = controllers
        self.connect = connect
    }

    /// What `/readyz?verbose` reports about leadership.
    public var leadership: Leadership { status.value }

    public enum Leadership: Sendable, Equatable {
        case starting
        case leading(identity: String)
        case standby(identity: String, leader: String?)
    }

    public func run() async throws {
        let client = try await connect()
        do {
            try await run(api: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }

    private func run(api: any KubernetesAPI) async throws {
        try await Self.ensureNamespace(leaderElection.namespace, api: api, logger: logger)
        try await crds?.installMissing(into: api, logger: logger)
        let elector = LeaderElector(api: api, configuration: leaderElection, logger: logger)
        let informers = SharedInformerFactory(api: api, logger: logger)
        // The lease is held for the whole term even while no controller is registered.
        let services = controllers(informers, api).map { EndsOnCancellation(base: $0) as any Service }
        let elected = LeaderElectedServices(
            elector: elector, services: services + [HoldLease()],
            maximumGracefulShutdown: stopDeadline, logger: logger)
        let status = self.status
        let identity = leaderElection.identity
        let logger = self.logger
        let stopDeadline = self.stopDeadline
        let work = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informers.run() }
                group.addTask { try await elected.run() }
                group.addTask {
                    // Mirrors the elector's state for the readiness endpoint.
                    try? await cancelWhenGracefulShutdown {
                        while !Task.isCancelled {
                            status.value =
                                elector.isLeader
                                ? .leading(identity: identity) : .standby(identity: identity, leader: elector.currentLeader)
                            try await Task.sleep(for: .milliseconds(250))
                        }
                    }
                }
                // Informers and elected controllers stop on graceful shutdown; wait for both so
                // the lease is released before the process exits.
                try await group.waitForAll()
            }
        }
        // A controller stuck in a request must not hold the process past its shutdown: after
        // the deadline the rest is cancelled (the lease then expires instead of being released).
        let watchdog = Task {
            try? await gracefulShutdown()
            guard (try? await Task.sleep(for: stopDeadline)) != nil else { return }
            logger.warning(
                "controllers did not stop in time after shutdown began; cancelling them",
                metadata: ["deadline": "\(stopDeadline)"])
            work.cancel()
        }
        defer { watchdog.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await work.value
            } onCancel: {
                work.cancel()
            }
        } catch is CancellationError {
        }
        logger.info("controllers stopped")
    }

    static func ensureNamespace(_ name: String, api: any KubernetesAPI, logger: Logger) async throws {
        var namespace = JSONValue.object(["apiVersion": "v1", "kind": "Namespace"])
        namespace.name = name
        let result: Result<JSONValue, KubeClientError>
        do {
            result = .success(try await api.create(.namespaces, namespace: nil, object: namespace, options: .default))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success:
            logger.info("created namespace", metadata: ["namespace": "\(name)"])
        case .failure(let error) where error.isAlreadyExists:
            break
        case .failure(let error):
            throw error
        }
    }
}

/// A value shared between the runtime's tasks and HTTP handlers.
final class StatusBox: Sendable {
    private let storage = Mutex<ControllerRuntime.Leadership>(.starting)

    var value: ControllerRuntime.Leadership {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// A controller interrupted by shutdown or the end of a term mid-request or mid-sleep throws
/// `CancellationError`; that is how it stops, not a failure to report.
struct EndsOnCancellation: Service {
    let base: any Service

    func run() async throws {
        do {
            try await base.run()
        } catch is CancellationError {
        }
    }
}

/// Keeps a leader's term open until shutdown or loss of the lease.
struct HoldLease: Service {
    func run() async throws {
        try await gracefulShutdown()
    }
}
