import Foundation

/// A task written as cks-backend writes it (`tasks/01-task.md`): the title is the first
/// `# ` heading, and the `## Description`, `## Objectives`, `## Step-by-Step Guide` and
/// `## Hints` sections fill the task's fields. Headings inside fenced code blocks are code,
/// not headings (a `# comment` in a shell block is not the title).
struct TaskMarkdown: Equatable {
    var title: String?
    var description: String = ""
    var objective: String = ""
    var steps: [String] = []
    var hints: [String] = []

    init(_ text: String) {
        var sections: [String: [String]] = [:]
        var current: String?
        var inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inCode.toggle()
            } else if !inCode, line.hasPrefix("# ") {
                if title == nil { title = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
                continue
            } else if !inCode, line.hasPrefix("## ") {
                let name = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                current = name
                sections[name] = []
                continue
            }
            if let current { sections[current, default: []].append(line) }
        }
        let body = { (name: String) in Self.trimmed(sections[name] ?? []) }
        description = body("Description")
        objective = body("Objectives")
        steps = Self.steps(sections["Step-by-Step Guide"] ?? [])
        hints = Self.hints(sections["Hints"] ?? [])
    }

    /// The lines as one text, without the blank lines around it.
    private static func trimmed(_ lines: [String]) -> String {
        var lines = lines
        while lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeFirst() }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// One step per numbered or bulleted line, with the lines after it (code included).
    private static func steps(_ lines: [String]) -> [String] {
        var steps: [[String]] = []
        var inCode = false
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") { inCode.toggle() }
            let startsStep = !inCode && !line.hasPrefix(" ") && (trimmed.hasPrefix("- ") || Self.isNumbered(trimmed))
            if startsStep {
                steps.append([line])
            } else if !steps.isEmpty {
                steps[steps.count - 1].append(line)
            }
        }
        return steps.map { trimmed($0) }.filter { !$0.isEmpty }
    }

    private static func isNumbered(_ line: String) -> Bool {
        let digits = line.prefix { $0.isNumber }
        return !digits.isEmpty && line.dropFirst(digits.count).hasPrefix(".")
    }

    /// One hint per `<details>` block: its text with the HTML tags taken out.
    private static func hints(_ lines: [String]) -> [String] {
        var hints: [String] = []
        var current: [String]?
        for line in lines {
            if line.contains("<details>") {
                if let open = current { hints.append(clean(open)) }
                current = []
            }
            let text = ["<details>", "</details>", "<summary>", "</summary>"].reduce(line) {
                $0.replacingOccurrences(of: $1, with: "")
            }
            if current != nil, !text.trimmingCharacters(in: .whitespaces).isEmpty { current?.append(text) }
        }
        if let open = current { hints.append(clean(open)) }
        return hints.filter { !$0.isEmpty }
    }

    private static func clean(_ lines: [String]) -> String {
        trimmed(lines.map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
