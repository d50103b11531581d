import HTTPTypes

/// The console's pages, in navigation order; a lab session's browser sees none of them.
public enum ConsoleSection: String, CaseIterable, Sendable {
    case overview, labs, images, capacity, tenancy, clusters

    public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    public var path: String { self == .overview ? "/ui/" : "/ui/\(rawValue)" }
}

/// What a page handler answers: a template and the values it shows. The renderer wraps a
/// page in the layout (navigation, sign-out, assets); a fragment (an htmx swap, an SSE
/// update) is sent alone.
public struct ConsoleView {
    /// The template's name: its path under `Resources/templates` without `.mustache`.
    public var template: String
    /// The page title (the layout's `<title>` and `<h1>`).
    public var title: String
    /// The navigation entry marked current.
    public var section: ConsoleSection?
    /// What the template reads. Dictionaries, arrays, strings, numbers and Bools; `{{x}}`
    /// escapes HTML, and only ``ConsoleMarkdown`` output may be put in with `{{{x}}}`.
    public var model: [String: Any]
    public var status: HTTPResponse.Status
    /// Topics this page keeps live over Server-Sent Events (``ConsoleLiveHub``).
    public var liveTopics: [String]

    public init(
        template: String, title: String, section: ConsoleSection? = nil, model: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, liveTopics: [String] = []
    ) {
        self.template = template
        self.title = title
        self.section = section
        self.model = model
        self.status = status
        self.liveTopics = liveTopics
    }
}

/// What a state change (a POST) answers.
public enum ConsoleActionResult {
    /// Go to this console path (303 for a plain form, `HX-Redirect` for htmx).
    case redirect(String)
    /// Show this fragment in place of the form or region that asked (htmx), e.g. the form
    /// again with the server's validation errors beside each field (status 422).
    case fragment(ConsoleView)
    /// A file to save (a kubeconfig).
    case download(filename: String, contentType: String, body: String)
}
