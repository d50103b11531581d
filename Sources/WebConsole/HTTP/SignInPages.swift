import Hummingbird
import PlatformHTTP

/// Sign-in with a token (the admin token, or a lab session's), and sign-out. The token is
/// posted in a form body, never put in a URL, and not kept in the browser: the cookie holds
/// a random session id.
struct SignInPages: ConsolePageModule {
    let sessions: ConsoleSessionStore
    let secureCookies: Bool

    func register(on router: ConsolePageRouter) {
        let renderer = router.renderer
        router.group.get("/login") { _, context -> Response in
            if let session = context.session { return ConsolePageRouter.redirect(to: Self.home(of: session), htmx: false) }
            return renderer.page(Self.form(error: nil), session: nil)
        }
        let sessions = self.sessions
        let secure = secureCookies
        router.group.post("/login") { request, context -> Response in
            guard let session = sessions.signIn(token: context.form["token"] ?? "") else {
                return renderer.page(Self.form(error: "That token is not valid (unknown, or its session has ended)."), session: nil)
            }
            var response = ConsolePageRouter.redirect(to: Self.home(of: session), htmx: false)
            response.headers[.setCookie] = ConsoleCookie.set(session.id, secure: secure)
            return response
        }
        router.group.post("/logout") { _, context -> Response in
            if let session = context.session { sessions.signOut(id: session.id) }
            var response = ConsolePageRouter.redirect(to: "/ui/login", htmx: false)
            response.headers[.setCookie] = ConsoleCookie.clear(secure: secure)
            return response
        }
    }

    /// Where a browser lands after signing in: the overview, or its lab session's page.
    static func home(of session: ConsoleSession) -> String {
        if let lab = session.labSession { return "/ui/labs/sessions/\(lab)" }
        return "/ui/"
    }

    static func form(error: String?) -> ConsoleView {
        var model: [String: Any] = [:]
        if let error { model["error"] = error }
        return ConsoleView(template: "login", title: "Sign in", model: model, status: error == nil ? .ok : .unauthorized)
    }
}
