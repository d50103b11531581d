import Foundation
import Logging
import ServiceLifecycle

/// Bounds a graceful shutdown: once it begins, a plain thread — outside Swift concurrency's
/// thread pool, so it runs even if every task is stuck — waits `limit` and then ends the
/// process with an error logged.
///
/// It exists because a graceful shutdown has been seen to stop making progress after the
/// KubeVirt controllers stopped (the simulated scheduler, kubelet and nodes never reported
/// stopping, and an 8 s cancellation bound on the controllers did not fire either). Until
/// that is found, a process that was asked to stop must stop; put this service last in the
/// group so it is told first.
public struct ShutdownWatchdog: Service {
    public let limit: Duration
    let logger: Logger

    public init(limit: Duration = .seconds(15), logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // Cancelled: the group is going away without a graceful shutdown.
        }
        let limit = limit
        let logger = logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            logger.error("graceful shutdown did not finish in time; exiting now",
                         metadata: ["limit": "\(limit)"])
            exit(0)
        }
        thread.name = "shutdown-watchdog"
        thread.start()
    }
}
