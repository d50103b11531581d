/// Just enough of the POSIX shell's quoting to read the `echo` statements of a container's
/// `sh -c` script (``ContainerScript``): statements, words, quotes, `$NAME` expansion. Nothing is
/// run; anything more complex than that is simply not recognised as output.
enum ShellWords {
    /// Splits a script at newlines, `;`, `&&` and `||` outside quotes.
    static func splitStatements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        var previous: Character?
        for character in script {
            defer { previous = character }
            if let open = quote {
                current.append(character)
                if character == open && previous != "\\" { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                current.append(character)
            case "\n", ";":
                statements.append(current)
                current = ""
            case "&" where previous == "&", "|" where previous == "|":
                current.removeLast()
                statements.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        statements.append(current)
        return statements
    }

    /// The words of one statement, quotes removed and `$NAME`/`${NAME}` expanded from
    /// `environment` outside single quotes (unknown names are kept as written). An
    /// unquoted `>` or `|` becomes a word of its own, so a redirection can be seen.
    static func split(_ statement: String, environment: [String: String] = [:]) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var characters = Array(statement)[...]
        func finish() {
            if inWord { words.append(current) }
            current = ""
            inWord = false
        }
        while let character = characters.popFirst() {
            switch (quote, character) {
            case (nil, " "), (nil, "\t"):
                finish()
            case (nil, ">"), (nil, "|"):
                finish()
                words.append(String(character))
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, "\\"), ("\"", "\\"):
                if let next = characters.popFirst() { current.append(next) }
                inWord = true
            case (nil, "$"), ("\"", "$"):
                inWord = true
                current += expansion(&characters, environment: environment)
            default:
                current.append(character)
                inWord = true
            }
        }
        finish()
        return words
    }

    /// Reads a variable name after `$` and returns its value, or the text as written.
    private static func expansion(_ characters: inout ArraySlice<Character>, environment: [String: String]) -> String {
        var braced = false
        if characters.first == "{" {
            braced = true
            characters.removeFirst()
        }
        var name = ""
        while let next = characters.first, next.isLetter || next.isNumber || next == "_" {
            name.append(next)
            characters.removeFirst()
        }
        if braced {
            guard characters.first == "}" else { return "${" + name }
            characters.removeFirst()
        }
        if let value = environment[name] { return value }
        return braced ? "${\(name)}" : "$" + name
    }
}
