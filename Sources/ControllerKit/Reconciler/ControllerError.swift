import KubeClient

/// Why a ``Controller`` stopped.
public enum ControllerError: Error, Sendable, CustomStringConvertible {
    /// The caches of these resources did not sync in time; usually the informers are not
    /// running (no ``SharedInformerFactory`` in the service group), or list is forbidden.
    case cacheSyncTimeout(controller: String, resources: [ResourceType], timeout: Duration)
    /// ``Controller/run()`` was called while the controller was already running.
    case alreadyRunning(controller: String)

    public var description: String {
        switch self {
        case .cacheSyncTimeout(let controller, let resources, let timeout):
            let names = resources.map(\.description).joined(separator: ", ")
            return "controller \(controller): caches of \(names) did not sync within \(timeout); are the informers running?"
        case .alreadyRunning(let controller):
            return "controller \(controller) is already running"
        }
    }
}
