import KubeClient
import KubeModel

/// Why an ``Informer`` (or a ``SharedInformerFactory``) could not do what was asked.
///
/// List and watch failures are not errors of ``Informer/run()``: the informer logs them and
/// retries with backoff, because a controller must survive an API server restart. These cases
/// are the ones a caller can act on.
public enum InformerError: Error, Sendable, CustomStringConvertible {
    /// ``Informer/run()`` was called on an informer that is running or has run; an informer's
    /// cache and handlers belong to one run.
    case alreadyStarted(resource: ResourceType, namespace: String?)
    /// ``SharedInformerFactory/run()`` was called twice.
    case factoryAlreadyStarted
    /// The server sent an `ERROR` watch event other than 410 Gone; the informer re-watches.
    case watchErrorEvent(resource: ResourceType, status: JSONValue)

    public var description: String {
        switch self {
        case .alreadyStarted(let resource, let namespace):
            return "informer for \(resource)\(namespace.map { " in namespace \($0)" } ?? "") was already started"
        case .factoryAlreadyStarted:
            return "the shared informer factory was already started"
        case .watchErrorEvent(let resource, let status):
            let code = status["code"]?.intValue.map(String.init) ?? "?"
            let message = status["message"]?.stringValue ?? status.serializedString()
            return "watch of \(resource) sent an error event: \(code) \(message)"
        }
    }
}
