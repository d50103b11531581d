import KubeModel

/// The one way controllers talk to a Kubernetes API (DESIGN.md §1). ``HTTPKubernetesClient``
/// implements it for real clusters and for the embedded server over loopback; controllers
/// cannot tell which cluster they are talking to.
///
/// Objects travel as ``JSONValue``; typed models convert at the edges. Every error is a
/// ``KubeClientError``, carrying the server's `Status` when there was one.
public protocol KubernetesAPI: Sendable {
    /// Reads one object. `subresource` is e.g. `"status"`.
    func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError) -> JSONValue

    /// Lists objects: one page when `options.limit` is set, else everything.
    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError)
        -> JSONValue

    /// Posts `body` to a subresource of an existing object: `pods/binding` (the scheduler's
    /// placement), `pods/eviction`.
    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue

    /// Replaces an object (`PUT`); a stale `metadata.resourceVersion` fails with 409.
    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue

    func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue

    /// Deletes an object; returns what the server answered (the object while finalizers
    /// hold it, or its last state / a `Status`).
    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue

    /// Streams change events from `options.resourceVersion`. The stream ends when the server
    /// closes the watch; a resourceVersion older than the server's history fails with a
    /// ``KubeClientError`` whose `code` is 410 (the caller re-lists).
    func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> AsyncThrowingStream<
        WatchEventObject, any Error
    >

    /// Opens a VirtualMachineInstance's serial console (KubeVirt's `console` subresource,
    /// a WebSocket). Never throws: a console that cannot be opened is a connection whose
    /// output ends at once, its ``TerminalConnection/closeReason`` saying why.
    /// `sendsResize`: the server understands Virtyard's resize messages (the embedded API);
    /// a real KubeVirt would type them into the serial port.
    func openVMConsole(namespace: String, name: String, sendsResize: Bool) -> any TerminalConnection
}

/// Which resource a call addresses: group, version, plural name and scope.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, resource: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
    }

    public init(_ resource: APIResource) {
        self.init(
            group: resource.group, version: resource.version, resource: resource.resource, kind: resource.kind,
            namespaced: resource.namespaced)
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { group.isEmpty ? "\(resource)" : "\(resource).\(group)" }
}

public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// Where a list or watch starts; nil for the most recent state.
    public var resourceVersion: ResourceVersion?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: ResourceVersion? = nil, timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

public struct WriteOptions: Sendable, Hashable {
    public var dryRun: Bool
    public var fieldManager: String?
    /// `Strict`, `Warn` or `Ignore`; nil leaves the server's default.
    public var fieldValidation: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }

    public static let `default` = WriteOptions()
}

public struct DeleteOptions: Sendable, Hashable {
    public enum Propagation: String, Sendable {
        case background = "Background"
        case foreground = "Foreground"
        case orphan = "Orphan"
    }

    public var propagationPolicy: Propagation?
    public var preconditionUID: String?
    public var preconditionResourceVersion: ResourceVersion?
    public var gracePeriodSeconds: Int?
    public var dryRun: Bool

    public init(
        propagationPolicy: Propagation? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: ResourceVersion? = nil, gracePeriodSeconds: Int? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    public static let `default` = DeleteOptions()
}

public enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
}

/// One page (or all) of a list.
public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: ResourceVersion
    public var continueToken: String?

    public init(items: [JSONValue], resourceVersion: ResourceVersion, continueToken: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// A decoded watch event.
public struct WatchEventObject: Sendable {
    public enum EventType: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    public var type: EventType
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }
}

/// A failed call: the server's `Status` (code, reason, message) when it sent one, or a
/// transport problem (code 0).
public struct KubeClientError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    /// `METHOD path` of the request that failed, for logs.
    public var request: String
    public var status: JSONValue?

    public init(code: Int, reason: String, message: String, request: String, status: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.request = request
        self.status = status
    }

    public var description: String { "\(request): \(code) \(reason): \(message)" }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 && reason == "Conflict" }
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    public var isGone: Bool { code == 410 }
    /// A read at a resourceVersion the server has not reached (a server restored from an
    /// older backup, say): like 410, only a fresh list recovers from it.
    public var isTooLargeResourceVersion: Bool { code == 504 && message.contains("Too large resource version") }
}

extension KubernetesAPI {
    /// Clients that cannot open WebSockets (in-process test doubles) have no consoles.
    public func openVMConsole(namespace: String, name: String, sendsResize: Bool) -> any TerminalConnection {
        ClosedTerminal(reason: "This client cannot open VM consoles.")
    }

    public func get(_ resource: ResourceType, namespace: String? = nil, name: String) async throws(KubeClientError) -> JSONValue {
        try await get(resource, namespace: namespace, name: name, subresource: nil)
    }

    public func list(_ resource: ResourceType, namespace: String? = nil) async throws(KubeClientError) -> ObjectList {
        try await list(resource, namespace: namespace, options: ListOptions())
    }

    public func create(_ resource: ResourceType, namespace: String? = nil, object: JSONValue) async throws(KubeClientError) -> JSONValue {
        try await create(resource, namespace: namespace, object: object, options: .default)
    }

    public func update(_ resource: ResourceType, namespace: String? = nil, object: JSONValue) async throws(KubeClientError) -> JSONValue {
        try await update(resource, namespace: namespace, object: object, subresource: nil, options: .default)
    }

    public func updateStatus(_ resource: ResourceType, namespace: String? = nil, object: JSONValue) async throws(KubeClientError)
        -> JSONValue
    {
        try await update(resource, namespace: namespace, object: object, subresource: "status", options: .default)
    }

    public func patch(
        _ resource: ResourceType, namespace: String? = nil, name: String, patch: JSONValue,
        type: PatchType = .merge
    ) async throws(KubeClientError) -> JSONValue {
        try await self.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type, subresource: nil,
            options: .default)
    }

    @discardableResult
    public func delete(_ resource: ResourceType, namespace: String? = nil, name: String) async throws(KubeClientError) -> JSONValue {
        try await delete(resource, namespace: namespace, name: name, options: .default)
    }
}
