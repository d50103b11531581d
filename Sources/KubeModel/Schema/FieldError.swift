import Foundation

/// The machine-readable kind of a field error; the raw values are Kubernetes' own
/// (`Status.details.causes[].reason`), so clients that switch on them keep working.
public enum FieldErrorType: String, Sendable, Equatable, CaseIterable {
    case required = "FieldValueRequired"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case typeInvalid = "FieldValueTypeInvalid"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
    case duplicate = "FieldValueDuplicate"
    case forbidden = "FieldValueForbidden"

    /// The words Kubernetes puts before the bad value ("Invalid value", "Required value", …).
    public var label: String {
        switch self {
        case .required: return "Required value"
        case .invalid, .typeInvalid: return "Invalid value"
        case .notSupported: return "Unsupported value"
        case .tooLong: return "Too long"
        case .tooMany: return "Too many"
        case .duplicate: return "Duplicate value"
        case .forbidden: return "Forbidden"
        }
    }
}

/// One reason an object is invalid, worded as Kubernetes words it so that messages read the
/// same as from a real API server: `field` is `spec.containers[0].name`, `message` is the
/// body without the field (`Required value`, `Unsupported value: "x": supported values: "a"`).
/// `"\(field): \(message)"` (`description`) is the line Kubernetes prints.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public var type: FieldErrorType
    public var field: String
    public var message: String
    public var badValue: JSONValue?

    public init(type: FieldErrorType, field: String, message: String, badValue: JSONValue? = nil) {
        self.type = type
        self.field = field
        self.message = message
        self.badValue = badValue
    }

    public var description: String { "\(field): \(message)" }
}

extension FieldError {
    /// `Required value[: detail]`.
    public static func required(_ field: String, detail: String = "") -> FieldError {
        FieldError(type: .required, field: field, message: body(.required, value: nil, detail: detail))
    }

    /// `Invalid value: <value>: detail`.
    public static func invalid(_ field: String, value: JSONValue, detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, message: body(.invalid, value: value, detail: detail), badValue: value)
    }

    /// `Invalid value: <value>: detail`, for a value of the wrong JSON type.
    public static func typeInvalid(_ field: String, value: JSONValue, detail: String) -> FieldError {
        FieldError(type: .typeInvalid, field: field, message: body(.typeInvalid, value: value, detail: detail), badValue: value)
    }

    /// `Unsupported value: <value>: supported values: "a", "b"`.
    public static func notSupported(_ field: String, value: JSONValue, supported: [String]) -> FieldError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(quoted).joined(separator: ", ")
        return FieldError(type: .notSupported, field: field, message: body(.notSupported, value: value, detail: detail), badValue: value)
    }

    /// `Too long: may not be more than N bytes` (the value itself is left out of the message).
    public static func tooLong(_ field: String, value: JSONValue, maxLength: Int) -> FieldError {
        let detail = "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")"
        return FieldError(type: .tooLong, field: field, message: body(.tooLong, value: nil, detail: detail), badValue: value)
    }

    /// `Too many: <actual>: must have at most N items`.
    public static func tooMany(_ field: String, actual: Int, max: Int) -> FieldError {
        let value = JSONValue.int(Int64(actual))
        return FieldError(
            type: .tooMany, field: field, message: body(.tooMany, value: value, detail: "must have at most \(max) items"),
            badValue: value)
    }

    /// `Duplicate value: <value>`.
    public static func duplicate(_ field: String, value: JSONValue) -> FieldError {
        FieldError(type: .duplicate, field: field, message: body(.duplicate, value: value, detail: ""), badValue: value)
    }

    /// `Forbidden: detail`.
    public static func forbidden(_ field: String, detail: String) -> FieldError {
        FieldError(type: .forbidden, field: field, message: body(.forbidden, value: nil, detail: detail))
    }

    private static func body(_ type: FieldErrorType, value: JSONValue?, detail: String) -> String {
        var text = type.label
        if let value { text += ": " + render(value) }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    /// A value as Kubernetes prints it in messages: strings quoted, numbers and booleans bare,
    /// `null` as `"null"`, lists and objects as JSON.
    public static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "\"null\""
        case .string(let text): return quoted(text)
        case .double(let number): return renderNumber(number)
        default: return value.serializedString()
        }
    }

    static func renderNumber(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        JSONValue.writeString(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
