import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import Logging
import NIOCore
import PlatformHTTP

/// How the console's pages register: each page module adds its pages, fragments, actions
/// and live topics here, and gets sign-in, access checks, CSRF (``ConsoleSessionMiddleware``),
/// error pages and the layout without repeating them.
///
/// Access is the platform's ``Access``: `.admin` for the admin pages, `.adminOrSession(name)`
/// for a lab session's own page. A browser that is not signed in is sent to the sign-in
/// page; one signed in with a lab session's token gets 403 on admin pages and 404 on another
/// session's page, as the API answers.
public struct ConsolePageRouter {
    public let group: RouterGroup<ConsoleRequestContext>
    public let renderer: ConsoleRenderer
    public let services: ConsoleServices
    public let live: ConsoleLiveHub
    /// The signed-in browsers (to sign out a lab session's browsers when it ends).
    public let sessions: ConsoleSessionStore
    let logger: Logger

    /// Who may open a path: decided per request, because a session page's access depends on
    /// the session named in the path.
    public typealias AccessRule = @Sendable (Request, ConsoleRequestContext) -> Access

    public static let adminOnly: AccessRule = { _, _ in .admin }

    /// A full page (GET), in the layout.
    public func page(
        _ path: RouterPath, access: @escaping AccessRule = adminOnly,
        _ build: @escaping @Sendable (Request, ConsoleRequestContext) async throws -> ConsoleView
    ) {
        get(path, access: access) { view, request, context, renderer in
            if request.uri.queryParameters["format"] == "json" { return Self.json(view) }
            return Self.isHTMX(request) && request.headers[.hxBoosted] == nil
                ? renderer.fragment(view) : renderer.page(view, session: context.session)
        } build: {
            try await build($0, $1)
        }
    }

    /// A piece of a page (GET), without the layout: what htmx swaps in.
    public func fragment(
        _ path: RouterPath, access: @escaping AccessRule = adminOnly,
        _ build: @escaping @Sendable (Request, ConsoleRequestContext) async throws -> ConsoleView
    ) {
        get(path, access: access) { view, _, _, renderer in
            renderer.fragment(view)
        } build: {
            try await build($0, $1)
        }
    }

    private func get(
        _ path: RouterPath, access: @escaping AccessRule,
        answer: @escaping @Sendable (ConsoleView, Request, ConsoleRequestContext, ConsoleRenderer) -> Response,
        build: @escaping @Sendable (Request, ConsoleRequestContext) async throws -> ConsoleView
    ) {
        let renderer = self.renderer
        let logger = self.logger
        group.get(path) { request, context -> Response in
            do {
                try context.require(access(request, context))
                return answer(try await build(request, context), request, context, renderer)
            } catch {
                return Self.failure(error, request: request, context: context, renderer: renderer, logger: logger)
            }
        }
    }

    /// A state change (POST by default). The CSRF token has been checked and the form read
    /// (`context.form`) before `perform` runs.
    public func action(
        _ path: RouterPath, method: HTTPRequest.Method = .post, access: @escaping AccessRule = adminOnly,
        _ perform: @escaping @Sendable (Request, ConsoleRequestContext) async throws -> ConsoleActionResult
    ) {
        let renderer = self.renderer
        let logger = self.logger
        group.on(path, method: method) { request, context -> Response in
            do {
                try context.require(access(request, context))
                switch try await perform(request, context) {
                case .redirect(let target):
                    return Self.redirect(to: target, htmx: Self.isHTMX(request))
                case .fragment(let view):
                    return renderer.fragment(view)
                case .download(let filename, let contentType, let body):
                    return Response(
                        status: .ok,
                        headers: [
                            .contentType: contentType,
                            .contentDisposition:
                                "attachment; filename=\"\(filename.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) })\"",
                        ],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
                }
            } catch {
                return Self.failure(error, request: request, context: context, renderer: renderer, logger: logger)
            }
        }
    }

    /// A topic kept live over Server-Sent Events: pages that list it in
    /// ``ConsoleView/liveTopics`` get `render`'s fragment again whenever one of `resources`
    /// changes (coalesced). `name` is the topic, or its prefix before `:` for topics that
    /// carry an argument (`session:lab-abc`).
    public func live(
        _ name: String, resources: [ResourceType], access: @escaping ConsoleLiveHub.AccessRule,
        render: @escaping ConsoleLiveHub.Render
    ) {
        live.register(ConsoleLiveHub.Topic(name: name, resources: resources, access: access, render: render))
    }

    /// A page's data without its HTML (`?format=json`): the same access and the same model,
    /// for scripts, and for the benchmark that prices rendering against plain JSON.
    static func json(_ view: ConsoleView) -> Response {
        let model = view.model.filter { JSONSerialization.isValidJSONObject([$0.key: $0.value]) }
        let data = (try? JSONSerialization.data(withJSONObject: model, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: view.status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func isHTMX(_ request: Request) -> Bool { request.headers[.hxRequest] == "true" }

    static func redirect(to target: String, htmx: Bool) -> Response {
        // Only console paths: a redirect target never comes from elsewhere.
        let safe = target.hasPrefix("/ui") && !target.hasPrefix("//") ? target : "/ui/"
        if htmx { return Response(status: .noContent, headers: [.hxRedirect: safe]) }
        return Response(status: .seeOther, headers: [.location: safe])
    }

    static func failure(
        _ error: any Error, request: Request, context: ConsoleRequestContext, renderer: ConsoleRenderer, logger: Logger
    ) -> Response {
        let problem = ConsoleError.from(error)
        if problem.status == .unauthorized {
            return redirect(to: "/ui/login", htmx: isHTMX(request))
        }
        if problem.status == .internalServerError {
            logger.error("console: \(request.method) \(request.uri.path) failed: \(String(describing: error))")
        }
        let view = ConsoleView(
            template: "error", title: problem.status.reasonPhrase,
            model: ["status": Int(problem.status.code), "reason": problem.status.reasonPhrase, "message": problem.message],
            status: problem.status)
        if isHTMX(request) {
            // Into the page's alert area, whatever element asked.
            var response = renderer.fragment(
                ConsoleView(template: "alert", title: "", model: ["message": problem.message], status: problem.status))
            response.headers[.hxRetarget] = "#alerts"
            response.headers[.hxReswap] = "innerHTML"
            return response
        }
        return renderer.page(view, session: context.session)
    }
}

extension HTTPField.Name {
    static let hxBoosted = HTTPField.Name("HX-Boosted")!
    static let hxRetarget = HTTPField.Name("HX-Retarget")!
    static let hxReswap = HTTPField.Name("HX-Reswap")!
}
