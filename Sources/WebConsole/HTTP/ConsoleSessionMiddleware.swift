import HTTPTypes
import Hummingbird
import NIOCore
import PlatformHTTP

/// Finds the signed-in browser from the cookie, and guards every state change: a request
/// that is not GET or HEAD must come from the console's own pages (`Sec-Fetch-Site` and
/// `Origin`, when the browser sends them) and carry the session's CSRF token, in the
/// `X-CSRF-Token` header (htmx) or the `_csrf` form field (plain forms). Otherwise: 403.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let sessions: ConsoleSessionStore

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        var request = request
        if let id = ConsoleCookie.sessionID(in: request), let session = sessions.session(id: id) {
            context.session = session
            context.caller = session.caller
        }
        if request.method != .get && request.method != .head {
            guard Self.sameOrigin(request) else {
                throw ConsoleError(.forbidden, "This request did not come from a console page.")
            }
            // Signing in has no session yet; the sign-in form is guarded by SameSite and the
            // origin check above. Anything else needs a session before its body is even read.
            let signIn = Self.isSignIn(request)
            guard signIn || context.session != nil else {
                throw ConsoleError(.unauthorized, "Sign in first.")
            }
            if Self.isURLEncoded(request) {
                let limit = signIn ? Self.signInBodyLimit : context.maxUploadSize
                let body = try await request.collectBody(upTo: limit)
                guard let form = FormData.parse(urlEncoded: String(buffer: body)) else {
                    throw ConsoleError(.badRequest, "The form could not be read.")
                }
                context.form = form
            }
            if !signIn, let session = context.session {
                let presented = request.headers[.csrfToken] ?? context.form["_csrf"]
                guard ConsoleSessionStore.csrfMatches(presented, session) else {
                    throw ConsoleError(.forbidden, "The form is missing its security token; reload the page and try again.")
                }
            }
        }
        return try await next(request, context)
    }

    /// A token and the form around it.
    static let signInBodyLimit = 8 * 1024

    static func isSignIn(_ request: Request) -> Bool {
        request.uri.path == "/ui/login"
    }

    static func isURLEncoded(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
    }

    /// False when the browser says the request came from another site. Browsers send
    /// `Sec-Fetch-Site` on every request they make; tools such as curl send neither header and
    /// are then judged by the CSRF token alone.
    static func sameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
            return false
        }
        if let origin = request.headers[.origin] {
            // `null`: a sandboxed frame or a data: page, never a console page.
            guard let host = request.head.authority else { return false }
            let bare = origin.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            return bare == host
        }
        return true
    }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let hxRequest = HTTPField.Name("HX-Request")!
    static let hxRedirect = HTTPField.Name("HX-Redirect")!
    static let hxTrigger = HTTPField.Name("HX-Trigger")!
}
