import Foundation
import Logging
import ServiceLifecycle

/// Bounds a graceful shutdown: once it begins, a plain thread — outside Swift concurrency's
/// thread pool, so it runs even if every task is stuck — waits `limit` and then ends the
/// process with an error logged.
///
/// A safety net: a process asked to stop must stop, whatever a service does. (It was added
/// while chasing a shutdown that froze every thread — a lock-order inversion in the work
/// queue, since fixed.) Put this service last in the group so that it is told first.
public struct ShutdownWatchdog: Service {
    public let limit: Duration
    let logger: Logger

    public init(limit: Duration = ShutdownBudget().watchdog, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return // Cancelled: the group is going away without a graceful shutdown.
        }
        let limit = limit
        let logger = logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            logger.error(
                "graceful shutdown did not finish in time; exiting now",
                metadata: ["limit": "\(limit)"])
            // Non-zero: a supervisor should know this stop was not clean.
            exit(70)
        }
        thread.name = "shutdown-watchdog"
        thread.start()
    }
}
