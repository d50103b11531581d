/// OpenShift's `generate: expression` parameter generator: text in which every
/// `[<ranges>]{<count>}` is replaced by `count` characters drawn at random from the ranges.
///
/// Ranges are `a-z`-style spans of letters and digits, single letters or digits, and the
/// classes `\w` (letters, digits, `_`), `\d` (digits), `\a` (letters and digits) and `\A`
/// (ASCII punctuation), as in library-go's `ExpressionValueGenerator`. Text that does not
/// have that shape — `[!]{3}`, `[a-z]` without a count — is kept literally, as OpenShift
/// keeps it. A count must be 1…255 (OpenShift's bound); the expression and the generated
/// value are bounded too, so a template cannot make the controller build megabytes.
public struct ExpressionGenerator: Sendable {
    /// The longest `from` accepted, in bytes.
    public var maximumExpressionLength: Int
    /// The longest value generated, in bytes.
    public var maximumValueLength: Int

    public static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    public static let digits = Array("0123456789".utf8)
    public static let symbols = Array("~!@#$%^&*()-_+={}[]\\|<,>.?/\"';:`".utf8)
    /// The characters a span such as `a-f` or `A-9` is taken from, in this order (library-go's).
    static let spanOrder = letters + digits
    /// library-go's bound on one `{count}`.
    public static let maximumCount = 255

    public init(maximumExpressionLength: Int = 1024, maximumValueLength: Int = 4096) {
        self.maximumExpressionLength = maximumExpressionLength
        self.maximumValueLength = maximumValueLength
    }

    /// The value for `expression`, with random characters from `random`.
    public func generate(
        _ expression: String, using random: inout some RandomNumberGenerator
    ) throws(ExpressionError) -> String {
        let bytes = Array(expression.utf8)
        guard bytes.count <= maximumExpressionLength else {
            throw .expressionTooLong(length: bytes.count, limit: maximumExpressionLength)
        }
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), let group = try Self.group(in: bytes, at: index) {
                guard output.count + group.count <= maximumValueLength else {
                    throw .valueTooLong(limit: maximumValueLength)
                }
                for _ in 0..<group.count {
                    output.append(group.alphabet[Int.random(in: 0..<group.alphabet.count, using: &random)])
                }
                index = group.end
                continue
            }
            guard output.count < maximumValueLength else { throw .valueTooLong(limit: maximumValueLength) }
            output.append(bytes[index])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// One `[ranges]{count}` group starting at `start`: nil when the text there does not have
    /// the shape of one (then it is literal text), an error when it has the shape but not the
    /// meaning (a reversed span, an unknown class, a count out of bounds).
    struct Group {
        var alphabet: [UInt8]
        var count: Int
        var end: Int
    }

    static func group(in bytes: [UInt8], at start: Int) throws(ExpressionError) -> Group? {
        // `[` then one or more of [a-zA-Z0-9-\] then `]{` digits `}`: library-go's shape.
        var index = start + 1
        while index < bytes.count, isRangeCharacter(bytes[index]) { index += 1 }
        let rangesEnd = index
        guard rangesEnd > start + 1, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "]"),
            bytes[index + 1] == UInt8(ascii: "{")
        else { return nil }
        index += 2
        let countStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        guard index > countStart, index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
        let countText = String(decoding: bytes[countStart..<index], as: UTF8.self)
        let ranges = String(decoding: bytes[(start + 1)..<rangesEnd], as: UTF8.self)
        // More than 4 digits is out of bounds whatever they say; no overflow to worry about.
        guard countText.count <= 4, let count = Int(countText), (1...maximumCount).contains(count) else {
            throw .countOutOfRange(count: countText, limit: maximumCount)
        }
        let alphabet = try self.alphabet(ranges: Array(bytes[(start + 1)..<rangesEnd]), text: ranges)
        return Group(alphabet: alphabet, count: count, end: index + 1)
    }

    /// The characters the ranges between `[` and `]` name, without duplicates.
    static func alphabet(ranges: [UInt8], text: String) throws(ExpressionError) -> [UInt8] {
        var characters: [UInt8] = []
        var index = 0
        while index < ranges.count {
            let byte = ranges[index]
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < ranges.count else { throw .malformedRange(text) }
                switch ranges[index + 1] {
                case UInt8(ascii: "w"): characters += letters + digits + [UInt8(ascii: "_")]
                case UInt8(ascii: "d"): characters += digits
                case UInt8(ascii: "a"): characters += letters + digits
                case UInt8(ascii: "A"): characters += symbols
                default: throw .unknownClass("\\" + String(UnicodeScalar(ranges[index + 1])), ranges: text)
                }
                index += 2
            } else if byte == UInt8(ascii: "-") {
                // A dash with nothing before it: library-go refuses it as malformed syntax.
                throw .malformedRange(text)
            } else if index + 2 < ranges.count, ranges[index + 1] == UInt8(ascii: "-") {
                let last = ranges[index + 2]
                guard let from = spanOrder.firstIndex(of: byte), let to = spanOrder.firstIndex(of: last), from <= to else {
                    throw .invalidSpan(String(decoding: [byte, UInt8(ascii: "-"), last], as: UTF8.self), ranges: text)
                }
                characters += spanOrder[from...to]
                index += 3
            } else {
                characters.append(byte)
                index += 1
            }
        }
        var seen = Set<UInt8>()
        let unique = characters.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw .malformedRange(text) }
        return unique
    }

    private static func isRangeCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "\\")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Why an expression generated nothing.
public enum ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    case expressionTooLong(length: Int, limit: Int)
    case valueTooLong(limit: Int)
    case countOutOfRange(count: String, limit: Int)
    case malformedRange(String)
    case unknownClass(String, ranges: String)
    case invalidSpan(String, ranges: String)

    public var description: String {
        switch self {
        case .expressionTooLong(let length, let limit):
            return "expression is \(length) bytes long; at most \(limit) are accepted"
        case .valueTooLong(let limit):
            return "expression would generate more than \(limit) characters"
        case .countOutOfRange(let count, let limit):
            return "range must be within [1-\(limit)] characters: \(count)"
        case .malformedRange(let ranges):
            return "malformed ranges syntax: [\(ranges)]"
        case .unknownClass(let name, let ranges):
            return "unknown character class \(name) in [\(ranges)] (known: \\w \\d \\a \\A)"
        case .invalidSpan(let span, let ranges):
            return "invalid range specified: \(span) in [\(ranges)]"
        }
    }
}
