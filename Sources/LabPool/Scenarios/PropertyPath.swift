import KubeModel

/// Where a field check looks in an object, as cks-backend writes it:
/// `.spec.containers[0].securityContext.allowPrivilegeEscalation`. The leading dot is
/// optional; `\.` is a dot inside a key (`.metadata.labels.pod-security\.kubernetes\.io/enforce`);
/// `["key"]` names a key with any characters; `[N]` is an item of a list and `[*]` every item.
struct PropertyPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case everyItem
    }

    var steps: [Step]
    /// As written, for messages.
    var description: String

    init(steps: [Step], description: String) {
        self.steps = steps
        self.description = description
    }

    /// The path of the keys given (no parsing: a label key's dots stay in the key).
    init(keys: [String]) {
        steps = keys.map(Step.key)
        description = keys.joined(separator: ".")
    }

    struct ParseError: Error, Equatable {
        var problem: String
    }

    init(parsing text: String) throws(ParseError) {
        description = text
        var steps: [Step] = []
        var characters = Array(text)
        if characters.first == "." { characters.removeFirst() }
        guard !characters.isEmpty else { throw ParseError(problem: "is empty") }
        guard characters.count <= 1024 else { throw ParseError(problem: "is longer than 1024 characters") }
        var index = 0
        var key = ""
        var keyStarted = false
        func endKey() throws(ParseError) {
            guard keyStarted else { return }
            guard !key.isEmpty else { throw ParseError(problem: "has an empty key in \"\(text)\"") }
            steps.append(.key(key))
            key = ""
            keyStarted = false
        }
        var afterBracket = false
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                guard index + 1 < characters.count else { throw ParseError(problem: "ends with a lone \\ in \"\(text)\"") }
                key.append(characters[index + 1])
                keyStarted = true
                index += 2
                afterBracket = false
                continue
            case ".":
                if afterBracket {
                    afterBracket = false
                } else {
                    guard keyStarted else { throw ParseError(problem: "has an empty key in \"\(text)\"") }
                    try endKey()
                }
                index += 1
                guard index < characters.count else { throw ParseError(problem: "ends with a dot in \"\(text)\"") }
                keyStarted = true
                continue
            case "[":
                try endKey()
                guard let close = characters[index...].firstIndex(of: "]") else {
                    throw ParseError(problem: "has a [ without ] in \"\(text)\"")
                }
                let inside = String(characters[(index + 1)..<close])
                if inside == "*" {
                    steps.append(.everyItem)
                } else if let number = Int(inside), number >= 0 {
                    steps.append(.index(number))
                } else if inside.count >= 2, let quote = inside.first, quote == "\"" || quote == "'", inside.last == quote {
                    steps.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw ParseError(problem: "has [\(inside)] in \"\(text)\": a list index, [*] or a quoted key is expected")
                }
                index = close + 1
                afterBracket = true
                continue
            default:
                if afterBracket {
                    throw ParseError(problem: "needs a dot after ] in \"\(text)\"")
                }
                key.append(character)
                keyStarted = true
                index += 1
            }
        }
        try endKey()
        guard !steps.isEmpty else { throw ParseError(problem: "names no field") }
        self.steps = steps
    }

    /// Whether the path can match more than one value.
    var hasWildcard: Bool { steps.contains(.everyItem) }

    /// The values at the path: none when it leads nowhere, one per item under `[*]`.
    func values(in object: JSONValue) -> [JSONValue] {
        var current = [object]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .key(let key):
                    if let found = value.objectValue?[key] { next.append(found) }
                case .index(let position):
                    if let items = value.arrayValue, position < items.count { next.append(items[position]) }
                case .everyItem:
                    next += value.arrayValue ?? []
                }
            }
            current = next
        }
        return current
    }
}
