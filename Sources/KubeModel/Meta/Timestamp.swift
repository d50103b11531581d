import Foundation

/// RFC 3339 timestamps with second precision, as `metav1.Time` writes them.
public enum Timestamp {
    public static func now() -> String { string(Date()) }

    public static func string(_ date: Date) -> String {
        RFC3339Timestamp.format(
            seconds: Int64(date.timeIntervalSince1970.rounded(.down)), nanoseconds: 0,
            microseconds: false) ?? "1970-01-01T00:00:00Z"
    }

    /// `metav1.MicroTime` text: microseconds, for orderings finer than a second.
    public static func microString(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let nanoseconds = Int64(((date.timeIntervalSince1970 - seconds) * 1e9).rounded(.down))
        return RFC3339Timestamp.format(seconds: Int64(seconds), nanoseconds: nanoseconds, microseconds: true)
            ?? "1970-01-01T00:00:00.000000Z"
    }

    /// Reads `metav1.Time` and `MicroTime` text (`Z` or a numeric offset); nil when it is not
    /// RFC 3339.
    public static func date(_ text: String) -> Date? {
        guard let (seconds, nanoseconds) = RFC3339Timestamp.parse(text) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }
}

/// Names Kubernetes makes up: `generateName` suffixes, `virt-launcher-<vm>-<5>` pods.
public enum GeneratedName {
    /// Kubernetes' alphabet for generated names: no vowels, no confusable digits.
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    public static func randomSuffix(length: Int = 5) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
