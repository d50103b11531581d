import Foundation
import Synchronization

/// RFC 3339 timestamps with second precision, as `metav1.Time` writes them.
public enum Timestamp {
    /// The current time's text. Every object created within a second carries the same text,
    /// so it is formatted once per second.
    public static func now() -> String {
        let seconds = Int64(Date().timeIntervalSince1970.rounded(.down))
        if let cached = lastFormatted.withLock({ $0.seconds == seconds ? $0.text : nil }) { return cached }
        let text = string(Date(timeIntervalSince1970: Double(seconds)))
        lastFormatted.withLock { $0 = (seconds, text) }
        return text
    }

    private static let lastFormatted = Mutex<(seconds: Int64, text: String)>((.min, ""))

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
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// Letters taken from one 64-bit draw: 27⁸ divides into 2⁶⁴ with a remainder under
    /// 2 × 10⁻⁸ of it, so reading eight base-27 digits from a draw is as good as uniform.
    private static let lettersPerDraw = 8

    public static func randomSuffix(length: Int = 5) -> String {
        var generator = BatchedRandom()
        var letters: [UInt8] = []
        letters.reserveCapacity(length)
        var draw: UInt64 = 0
        for position in 0..<length {
            if position % lettersPerDraw == 0 { draw = generator.next() }
            letters.append(alphabet[Int(draw % UInt64(alphabet.count))])
            draw /= UInt64(alphabet.count)
        }
        return String(decoding: letters, as: UTF8.self)
    }
}

/// `metadata.uid` values: random (version 4) UUIDs in lowercase, as kube-apiserver writes
/// them. Drawn from the kernel's generator in batches (``BatchedRandom``): Foundation's
/// `UUID()` opens and reads `/dev/urandom` each time, which showed in the profile of every
/// create.
public enum ObjectUID {
    public static func generate() -> String {
        var generator = BatchedRandom()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0f) | 0x40 // version 4
            raw[8] = (raw[8] & 0x3f) | 0x80 // RFC 4122 variant
            var text: [UInt8] = []
            text.reserveCapacity(36)
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                LowercaseHex.append(byte, to: &text)
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
