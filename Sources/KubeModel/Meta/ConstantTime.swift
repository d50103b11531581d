/// Comparisons of secrets (bearer tokens, passwords) whose duration does not depend on where
/// the two values first differ, so that timing cannot reveal a secret a byte at a time.
public enum ConstantTime {
    /// Whether `left` and `right` hold the same bytes. Every byte is examined whatever the
    /// outcome; only the lengths may show through the timing (tokens have a fixed length).
    public static func equals(_ left: some StringProtocol, _ right: some StringProtocol) -> Bool {
        equals(Array(left.utf8), Array(right.utf8))
    }

    /// Whether two byte strings are equal, examined in full.
    public static func equals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
