import Ink

/// Markdown written by scenario authors, as HTML safe to put in a page.
///
/// Ink passes raw HTML and link targets through as they are, and escapes `<`, `>` and `&`
/// only inside code. So before Ink sees the text, every `<`, `&` and `"` the author wrote is
/// swapped for a private-use placeholder that Ink treats as an ordinary letter; after Ink,
/// each placeholder becomes its entity. That way the author's markup is always text (no
/// element, no attribute can be opened from it), code blocks are escaped exactly once, and
/// the only tags and quotes in the output are Ink's own. On top of that, links other than
/// http(s), site-relative (`/…`) or in-page (`#…`) ones lose their target, and images are
/// dropped (the console's Content-Security-Policy would block other sites' images anyway).
public enum ConsoleMarkdown {
    public static let maximumLength = 256 * 1024

    /// The placeholders, from the Unicode private-use area, and what each stands for.
    static let placeholders: [(placeholder: Character, original: Character, entity: String)] = [
        ("\u{E000}", "<", "&lt;"), ("\u{E001}", "&", "&amp;"), ("\u{E002}", "\"", "&quot;"),
    ]

    public static func html(_ markdown: String) -> String {
        let bounded = bounded(markdown)
        var parser = MarkdownParser()
        // Cannot happen with `<` hidden from Ink; kept so that a change there fails safe.
        parser.addModifier(Modifier(target: .html) { _ in "" })
        parser.addModifier(Modifier(target: .links) { html, _ in safeLink(html) })
        parser.addModifier(Modifier(target: .images) { _, _ in "" })
        return restore(parser.html(from: hide(bounded)))
    }

    /// At most ``maximumLength`` bytes, cut between characters' scalars.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumLength else { return text }
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: maximumLength)
        while end.samePosition(in: text.unicodeScalars) == nil { end = text.utf8.index(before: end) }
        return String(text.unicodeScalars[..<end])
    }

    /// The author's `<`, `&` and `"` as placeholders; placeholders the author wrote
    /// themselves become U+FFFD, so that none turns into markup later.
    static func hide(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if let swap = placeholders.first(where: { $0.original == character }) {
                result.append(swap.placeholder)
            } else if placeholders.contains(where: { $0.placeholder == character }) {
                result.append("\u{FFFD}")
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Each placeholder as its entity.
    static func restore(_ html: String) -> String {
        var result = ""
        result.reserveCapacity(html.utf8.count + html.utf8.count / 8)
        for character in html {
            if let swap = placeholders.first(where: { $0.placeholder == character }) {
                result += swap.entity
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Ink's `<a href="URL">TEXT</a>`, kept when the URL is allowed, else only its text. The
    /// URL holds no `"` of the author's (they are placeholders), so the first `">` ends it.
    static func safeLink(_ html: String) -> String {
        let opening = "<a href=\""
        guard html.hasPrefix(opening), html.hasSuffix("</a>"),
            let end = html.range(of: "\">", range: html.index(html.startIndex, offsetBy: opening.count)..<html.endIndex)
        else { return "" }
        let url = String(html[html.index(html.startIndex, offsetBy: opening.count)..<end.lowerBound])
        let text = String(html[end.upperBound..<html.index(html.endIndex, offsetBy: -4)])
        return isAllowed(url: url) ? html : "<span>\(text)</span>"
    }

    /// http(s), site-relative and in-page links only. Browsers ignore ASCII tabs, newlines
    /// and leading control characters in a URL (`java\tscript:` is `javascript:`), so the
    /// check reads the URL without them.
    static func isAllowed(url: String) -> Bool {
        let compact = String(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }).lowercased()
        return compact.hasPrefix("http://") || compact.hasPrefix("https://")
            || (compact.hasPrefix("/") && !compact.hasPrefix("//") && !compact.hasPrefix("/\\"))
            || compact.hasPrefix("#")
    }
}
