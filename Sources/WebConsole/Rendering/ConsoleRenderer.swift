import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Turns ``ConsoleView``s into HTML answers: a page inside the layout, or a fragment alone.
public struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let assets: ConsoleAssets

    public init(library: MustacheLibrary, assets: ConsoleAssets) {
        self.library = library
        self.assets = assets
    }

    /// The bundled templates and assets.
    public static func bundled() async throws -> ConsoleRenderer {
        guard let directory = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            throw ConsoleError(.internalServerError, "the console's templates are missing from the bundle")
        }
        let library = try await MustacheLibrary(directory: directory.path, withExtension: "mustache")
        return ConsoleRenderer(library: library, assets: try ConsoleAssets.bundled())
    }

    /// The fragment's HTML alone.
    public func html(_ view: ConsoleView) -> String {
        var model = view.model
        model["assets"] = assetModel
        return library.render(model, withTemplate: view.template) ?? "<p>missing template \(Self.escape(view.template))</p>"
    }

    /// A full page: the view inside the layout, for this session (nil: signed out).
    public func page(_ view: ConsoleView, session: ConsoleSession?) -> Response {
        let body = html(view)
        var model: [String: Any] = [
            "title": view.title, "body": body, "assets": assetModel,
        ]
        if !view.liveTopics.isEmpty { model["liveTopics"] = view.liveTopics.joined(separator: " ") }
        if let session {
            model["signedIn"] = true
            model["csrf"] = session.csrfToken
            model["admin"] = session.isAdmin
            if session.isAdmin {
                model["nav"] = ConsoleSection.allCases.map { section -> [String: Any] in
                    ["title": section.title, "href": section.path, "current": section == view.section]
                }
            } else if let lab = session.labSession {
                model["labSession"] = lab
            }
        }
        let html = library.render(model, withTemplate: "layout") ?? body
        return Self.response(html, status: view.status)
    }

    public func fragment(_ view: ConsoleView) -> Response {
        Self.response(html(view), status: view.status)
    }

    static func response(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Hashed asset URLs by a template-friendly name: `{{assets.htmx}}`.
    var assetModel: [String: Any] {
        [
            "htmx": assets.urls["htmx/htmx.min.js"] ?? "",
            "consoleJS": assets.urls["console/console.js"] ?? "",
            "consoleCSS": assets.urls["console/console.css"] ?? "",
            "terminalJS": assets.urls["console/terminal.js"] ?? "",
            "chartsJS": assets.urls["console/charts.js"] ?? "",
            "uplotJS": assets.urls["uplot/uPlot.iife.js"] ?? "",
            "uplotCSS": assets.urls["uplot/uPlot.min.css"] ?? "",
            "xtermJS": assets.urls["xterm/xterm.min.js"] ?? "",
            "xtermFitJS": assets.urls["xterm/xterm-addon-fit.min.js"] ?? "",
            "xtermCSS": assets.urls["xterm/xterm.min.css"] ?? "",
            "favicon": assets.urls["console/favicon.svg"] ?? "",
        ]
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
