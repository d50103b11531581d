import ControllerKit
import KubeModel

/// How `POST /api/v1/sessions` waits for the session it created to be worth answering with:
/// Running with its token, or told its place in the queue. It wakes on the informers' events
/// for that session and its token Secret and looks at the cache then, instead of polling it.
///
/// Made before the session is created, so that no event of the new session is missed;
/// ``stop()`` removes the handlers.
final class SessionStartWait: Sendable {
    private let sessions: Informer
    private let namespace: String
    private let name: String
    private let token: @Sendable (JSONValue) -> String?
    private let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let registrations: [(Informer, EventHandlerRegistration)]

    /// Waits for the session `name` in `namespace`; `token` reads a session's token from the cache.
    init(cluster: LabService.Cluster, namespace: String, name: String, token: @escaping @Sendable (JSONValue) -> String?) {
        sessions = cluster.sessions
        self.namespace = namespace
        self.name = name
        self.token = token
        // One pending wake-up is enough: each looks at the cache as it is then.
        let (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakeups = wakeups
        self.continuation = continuation
        let secretName = SessionTokens.secretName(session: name)
        let about = { (wanted: String) in
            { @Sendable (event: InformerEvent) in
                if event.object.name == wanted, event.object.namespace == namespace { continuation.yield() }
            }
        }
        registrations = [
            (cluster.sessions, cluster.sessions.addEventHandler(about(name))),
            (cluster.secrets, cluster.secrets.addEventHandler(about(secretName))),
        ]
    }

    /// Whether the cache shows the session Running with its token, or waiting with a place.
    private var isSettled: Bool {
        guard let object = sessions.get(namespace: namespace, name: name) else { return false }
        let session = LabSessionObject(object)
        guard let phase = session.phase else { return false }
        if phase == .running { return token(object) != nil }
        return session.hasQueuePosition
    }

    /// Returns once the session is settled, or after `limit`.
    func wait(upTo limit: Duration) async {
        guard !isSettled else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await _ in wakeups where isSettled { return }
            }
            group.addTask { try? await Task.sleep(for: limit) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    func stop() {
        for (informer, registration) in registrations { informer.removeEventHandler(registration) }
        continuation.finish()
    }
}
