import KubeModel

/// An `intstr.IntOrString` field such as `maxSurge: 25%` or `maxUnavailable: 1`, resolved
/// against a total the way apimachinery's `GetScaledValueFromIntOrPercent` does.
enum IntOrPercent: Sendable, Hashable {
    case count(Int)
    case percent(Int)

    /// Nil for anything that is neither an integer nor `"<n>%"` (or a plain number as text).
    init?(json: JSONValue?) {
        guard let json else { return nil }
        if let number = json.intValue {
            self = .count(Int(number))
        } else if let text = json.stringValue {
            if text.hasSuffix("%"), let number = Int(text.dropLast()) {
                self = .percent(number)
            } else if let number = Int(text) {
                self = .count(number)
            } else {
                return nil
            }
        } else {
            return nil
        }
    }

    /// The value for `total` replicas; a percentage rounds up or down as asked.
    func scaled(total: Int, roundUp: Bool) -> Int {
        switch self {
        case .count(let count):
            return max(0, count)
        case .percent(let percent):
            let exact = Double(total) * Double(max(0, percent)) / 100
            return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
        }
    }
}
