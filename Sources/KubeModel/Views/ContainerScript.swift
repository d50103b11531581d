/// What a simulated container does, as far as its command tells: the lines it prints
/// (`echo`), and whether it ends by itself and how (`exit 3`, `false`). The embedded mode
/// runs no process; this is how `kubectl logs` has output and how a pod that only echoes
/// ends `Completed`, as it would on a node.
///
/// Only simple scripts are understood: `echo a`, `sh -c 'echo one; date; exit 2'`. Anything
/// else (no command, a server, a loop, `sleep infinity`) prints nothing known and runs until
/// it is stopped.
public struct ContainerScript: Sendable, Equatable {
    /// The words the container runs (`command` + `args`, `$(NAME)` expanded as the kubelet does).
    public let argv: [String]
    let environment: [String: String]

    public init(container: JSONValue, podName: String) {
        var environment: [String: String] = ["HOSTNAME": podName]
        for variable in container["env"]?.arrayValue ?? [] {
            if let name = variable["name"]?.stringValue, let value = variable["value"]?.stringValue {
                environment[name] = value
            }
        }
        self.environment = environment
        argv = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? []))
            .compactMap(\.stringValue).map { Self.expandReferences($0, environment) }
    }

    static let shells: Set<String> = ["sh", "bash", "ash", "dash", "zsh", "ksh"]
    /// Programs that end promptly on their own (with stdin closed), as a statement of a script.
    static let finitePrograms: Set<String> = [
        "echo", "printf", "true", "false", "exit", "date", "env", "printenv", "hostname", "uname", "id", "whoami",
        "pwd", "ls", "cat", "nslookup", "wget", "curl", "ping", "sleep",
    ]

    /// `echo a b` → `["a b"]`; `sh -c 'echo one; sleep 5; echo two'` → `["one", "two"]`.
    /// Nil when the command is anything else.
    public var echoedLines: [String]? {
        guard let program = argv.first.map(Self.basename) else { return nil }
        if program == "echo" { return Self.echo(Array(argv.dropFirst())).map { [$0] } }
        guard let script else { return nil }
        var lines: [String] = []
        for statement in Self.statements(script) {
            let words = ShellWords.split(statement, environment: environment)
            guard words.first == "echo" else { continue }
            if let line = Self.echo(Array(words.dropFirst())) { lines.append(line) }
        }
        return lines
    }

    /// The exit code the container ends with when its command ends by itself: every
    /// statement a program that ends promptly (`sleep` only with a number), `exit N` or the
    /// last statement's `false` deciding the code. Nil for anything that may run on.
    public var exitCode: Int64? {
        guard let program = argv.first.map(Self.basename) else { return nil }
        let statements: [[String]]
        if let script {
            statements = Self.statements(script).map { ShellWords.split($0, environment: environment) }
        } else if Self.shells.contains(program) {
            return nil
        } else {
            statements = [argv]
        }
        var code: Int64 = 0
        for words in statements {
            guard let first = words.first.map(Self.basename), Self.finitePrograms.contains(first) else { return nil }
            // Keywords of loops and conditions are not understood: `while true; do …; done`.
            if words.contains(where: { ["while", "until", "for", "done", "-f", "--follow", "infinity"].contains($0) }) {
                return nil
            }
            if first == "sleep", words.count > 1, Double(words[1].trimmingCharacters(in: "smhd")) == nil { return nil }
            if first == "ping", !words.contains("-c") { return nil }
            switch first {
            case "exit": return words.count > 1 ? Int64(words[1]) ?? 2 : code
            case "false": code = 1
            default: code = 0
            }
        }
        return code
    }

    /// The script of `sh -c SCRIPT`, if that is the command.
    var script: String? {
        guard let program = argv.first.map(Self.basename), Self.shells.contains(program),
            let flag = argv.firstIndex(of: "-c"), flag + 1 < argv.count
        else { return nil }
        return argv[flag + 1]
    }

    /// One `echo`: its arguments joined by spaces, `-n`/`-e` flags dropped; nil when its
    /// output goes elsewhere (`echo x > file`, `echo x | wc`).
    static func echo(_ arguments: [String]) -> String? {
        var words = arguments
        while let first = words.first, ["-n", "-e", "-E", "-ne", "-en"].contains(first) { words.removeFirst() }
        if words.contains(where: { $0 == ">" || $0 == "|" }) { return nil }
        return words.joined(separator: " ")
    }

    /// A script's simple statements: split at newlines, `;`, `&&`, `||` (outside quotes), with
    /// the leading keywords of loops and conditions (`do`, `then`, `else`) taken off.
    static func statements(_ script: String) -> [String] {
        var result: [String] = []
        for piece in ShellWords.splitStatements(script) {
            var words = piece.trimmingSpaces()
            for keyword in ["do ", "then ", "else ", "{ "] where words.hasPrefix(keyword) {
                words = String(words.dropFirst(keyword.count)).trimmingSpaces()
            }
            if !words.isEmpty { result.append(words) }
        }
        return result
    }

    /// `$(NAME)` replaced by the variable's value when it is known; `$$(NAME)` escapes.
    static func expandReferences(_ text: String, _ environment: [String: String]) -> String {
        guard text.contains("$(") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "$(") {
            result += rest[..<start.lowerBound]
            if result.hasSuffix("$") {
                result.removeLast()
                result += "$("
                rest = rest[start.upperBound...]
                continue
            }
            guard let close = rest[start.upperBound...].firstIndex(of: ")") else {
                result += rest[start.lowerBound...]
                return result
            }
            let name = String(rest[start.upperBound..<close])
            result += environment[name] ?? "$(\(name))"
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }

    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
