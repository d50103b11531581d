import ControllerKit
import ServiceLifecycle

/// Keeps the ``PolicyStore`` current while the controllers run: refreshes it once the
/// ConfigMap cache is synced (a ConfigMap deleted while this replica was not leading has no
/// event to tell of it) and on every event about the policy ConfigMap.
///
/// It runs with the controllers, on the leader only, so that one replica reports each change.
/// The controller refreshes the store too, from its own ConfigMap handler, before it queues the
/// images a new policy may admit: handlers run independently, and those reconciles must not see
/// an older policy than the event that woke them.
struct PolicyWatch: Service {
    let configMaps: Informer
    let store: PolicyStore

    func run() async throws {
        let registration = configMaps.addEventHandler { [store] event in
            if event.object.name == SyncPolicy.configMapName { store.refresh() }
        }
        defer { configMaps.removeEventHandler(registration) }
        try await cancelWhenGracefulShutdown {
            try await configMaps.waitForSync()
            store.refresh()
        }
        try await gracefulShutdown()
    }
}
