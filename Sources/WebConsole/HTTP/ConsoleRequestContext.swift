import Hummingbird
import PlatformHTTP

/// The context of every `/ui/` route: the platform's context, with the caller taken from the
/// console cookie instead of a bearer header (the console signs in with a cookie only, so a
/// page never acts on credentials the browser attaches by itself elsewhere).
public struct ConsoleRequestContext: ChildRequestContext, AuthenticatedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller
    /// The signed-in browser, when the cookie names a live session.
    public var session: ConsoleSession?
    /// The request's form fields, read by ``ConsoleSessionMiddleware`` for state changes.
    public var form: FormData

    public init(context: PlatformRequestContext) throws {
        coreContext = context.coreContext
        caller = .anonymous(.noToken)
        session = nil
        form = FormData()
    }

    /// Uploads (a capacity scenario, a scenario's YAML) are the largest forms.
    public var maxUploadSize: Int { 4 << 20 }
}
