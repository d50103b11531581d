import Hummingbird
import Logging

/// Shows what the console's own middleware refused (a missing CSRF token, a cross-site
/// POST, an unreadable form) as the console shows every failure: an HTML page, or an alert
/// for htmx, never the platform API's JSON.
struct ConsoleFailureMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let renderer: ConsoleRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConsoleError {
            return ConsolePageRouter.failure(error, request: request, context: context, renderer: renderer, logger: logger)
        }
    }
}
