import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (or a query string), bounded:
/// a tenant's browser can send anything.
public struct FormData: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public static let maximumFields = 256
    public static let maximumNameLength = 256

    public init() {}

    public init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// Parses urlencoded text; nil when it has too many fields, a name too long, or bad
    /// percent-encoding.
    public static func parse(urlEncoded text: String) -> FormData? {
        var form = FormData()
        guard !text.isEmpty else { return form }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard form.fields.count < maximumFields else { return nil }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), name.utf8.count <= maximumNameLength else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            form.fields.append((name, value))
        }
        return form
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    public static func == (left: FormData, right: FormData) -> Bool {
        left.fields.map(\.name) == right.fields.map(\.name) && left.fields.map(\.value) == right.fields.map(\.value)
    }
}
