import ControllerKit
import ServiceLifecycle

/// Runs `informers` and `services` in the background while `body` runs, then cancels them and
/// waits until they have ended — whether `body` returned or threw, so no test leaves a
/// controller running into the next one.
func withRunningServices<T>(
    informers: SharedInformerFactory, services: [any Service], _ body: () async throws -> T
) async throws -> T {
    let running = Task {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informers.run() }
            for service in services { group.addTask { try await service.run() } }
            try await group.waitForAll()
        }
    }
    let result: T
    do {
        result = try await body()
    } catch {
        running.cancel()
        _ = await running.result
        throw error
    }
    running.cancel()
    _ = await running.result
    return result
}
