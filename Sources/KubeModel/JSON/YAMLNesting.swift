/// A bound on YAML nesting checked before parsing: Yams composes documents recursively, so a
/// deep one must be refused before it reaches the parser.
public enum YAMLNesting {
    /// A cheap upper bound on the nesting of a YAML text: open flow brackets, or block
    /// indentation past two columns a level. May refuse a pathological valid document (a
    /// string of hundreds of unmatched brackets), never lets a deep one through.
    public static func exceeds(_ limit: Int = JSONValue.maximumNestingDepth, in text: some Sequence<UInt8>) -> Bool {
        var brackets = 0
        var indentation = 0
        var atLineStart = true
        for byte in text {
            switch byte {
            case UInt8(ascii: "\n"):
                atLineStart = true
                indentation = 0
            case UInt8(ascii: " ") where atLineStart, UInt8(ascii: "-") where atLineStart:
                indentation += 1
                if indentation > 2 * limit { return true }
            default:
                atLineStart = false
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    brackets += 1
                    if brackets > limit { return true }
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    brackets = max(0, brackets - 1)
                }
            }
        }
        return false
    }
}
