import Hummingbird

/// A request context that carries the ``Caller`` the ``AuthenticationMiddleware`` found. The
/// platform's routes are generic over it, so that they can be mounted on any router whose
/// context has a caller.
public protocol AuthenticatedRequestContext: RequestContext {
    var caller: Caller { get set }
}

extension AuthenticatedRequestContext {
    /// The caller, when it may make a call meant for `access`; otherwise the 401, 403 or 404
    /// to answer (``Access/authorize(_:)``).
    @discardableResult
    public func require(_ access: Access) throws(PlatformError) -> Caller {
        try access.authorize(caller)
    }
}

/// The platform address's request context. A request no middleware has looked at is
/// anonymous, so a route mounted without the ``AuthenticationMiddleware`` refuses every
/// call that needs a token rather than allowing it.
public struct PlatformRequestContext: AuthenticatedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        caller = .anonymous(.noToken)
    }
}
