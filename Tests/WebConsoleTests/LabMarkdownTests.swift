import Testing

@testable import WebConsole

/// Scenario text through ``ConsoleMarkdown``: Markdown becomes HTML, everything an author
/// could use to run script or break out of an element stays inert text.
@Suite struct LabMarkdownTests {
    @Test func rendersOrdinaryMarkdown() {
        let html = ConsoleMarkdown.html("# Title\n\nSome *emphasis* and **strength**.\n\n- one\n- two\n\n> quoted")
        #expect(html.contains("<h1>Title</h1>"))
        #expect(html.contains("<em>emphasis</em>"))
        #expect(html.contains("<strong>strength</strong>"))
        #expect(html.contains("<li>one</li>"))
        #expect(html.contains("<blockquote>"))
    }

    @Test func escapesCodeBlocksExactlyOnce() {
        let html = ConsoleMarkdown.html("```yaml\nkind: Pod # <b>bold</b> & \"more\"\n```\n\nInline `a<b && c>d` too.")
        #expect(
            html.contains("<pre><code class=\"language-yaml\">kind: Pod # &lt;b&gt;bold&lt;/b&gt; &amp; &quot;more&quot;\n</code></pre>"))
        #expect(html.contains("<code>a&lt;b &amp;&amp; c&gt;d</code>"))
        #expect(!html.contains("&amp;lt;"))
        #expect(!html.contains("&amp;amp;"))
    }

    @Test func rawHTMLAndScriptStayText() {
        let html = ConsoleMarkdown.html(
            "<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> and <a href=\"javascript:alert(3)\">x</a>\n\n<div>\n<iframe src=\"//evil\"></iframe>\n</div>"
        )
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<iframe"))
        #expect(!html.contains("<a "))
        #expect(!html.contains("<div"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&lt;script>alert(1)&lt;/script>"))
    }

    @Test func dropsJavascriptAndOtherSchemes() {
        for target in [
            "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "//evil.example/x", "/\\evil.example",
            "relative/path",
        ] {
            let html = ConsoleMarkdown.html("[click](\(target))")
            #expect(!html.contains("<a "), "kept a link to \(target): \(html)")
            #expect(html.contains("click"), "lost the link's text for \(target): \(html)")
        }
    }

    @Test func keepsWebAndPageLinks() {
        for target in ["https://kubernetes.io/docs/", "http://example.com/a", "/ui/labs", "#tasks"] {
            let html = ConsoleMarkdown.html("[docs](\(target))")
            #expect(html.contains("<a href=\"\(target)\">docs</a>"), "\(target): \(html)")
        }
    }

    @Test func quotesCannotLeaveAnAttribute() {
        let link = ConsoleMarkdown.html("[x](https://a.example/\" onmouseover=\"alert(1))")
        #expect(!link.contains("\" onmouseover"))
        #expect(link.contains("&quot; onmouseover=&quot;"))
        let code = ConsoleMarkdown.html("```\" onclick=\"alert(1)\ncode\n```")
        #expect(!code.contains("\" onclick"))
        let image = ConsoleMarkdown.html("![alt\" onerror=\"x](https://a.example/i.png)")
        #expect(!image.contains("<img"))
    }

    @Test func placeholdersTheAuthorWritesStayInert() {
        // The private-use characters the renderer hides markup behind, written by the author.
        let html = ConsoleMarkdown.html("a \u{E000}script\u{E002} b")
        #expect(!html.contains("&lt;script"))
        #expect(!html.contains("&quot;"))
        #expect(html.contains("\u{FFFD}script\u{FFFD}"))
    }

    @Test func longTextIsCutAtACharacterBoundary() {
        let text = String(repeating: "é", count: ConsoleMarkdown.maximumLength)
        let bounded = ConsoleMarkdown.bounded(text)
        #expect(bounded.utf8.count <= ConsoleMarkdown.maximumLength)
        #expect(bounded.allSatisfy { $0 == "é" })
        #expect(ConsoleMarkdown.bounded("short") == "short")
    }
}
