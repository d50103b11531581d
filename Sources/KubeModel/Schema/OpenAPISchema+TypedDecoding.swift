import Foundation

/// A built-in object as kube-apiserver's JSON decoder leaves it: fields its Go types do not
/// declare removed (and named, for `fieldValidation`), fields sent as `null` removed (Go
/// decodes them as zero values and does not write them back).
public struct TypedDecoding: Sendable, Equatable {
    public var object: JSONValue
    /// Paths of the fields the types do not declare, as kube-apiserver's strict decoder
    /// names them (`spec.foo`, `spec.containers[0].bar`, `metadata.labelz`), sorted.
    public var unknownFields: [String]
}

/// A value Go's decoder refuses, worded as it words it (`json: cannot unmarshal string into
/// Go struct field ConfigMap.data of type map[string]string`, `illegal base64 data at input
/// byte 4`, `quantities must match the regular expression …`). kube-apiserver answers it with
/// 400 BadRequest: `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`.
public struct TypedDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The field the value was in (`spec.replicas`, `data[key]` is `data`), for logs and tests.
    public var field: String

    public var description: String { message }
}

extension OpenAPISchema {
    /// Decodes `value` as kube-apiserver decodes a built-in object into its Go type, with
    /// this schema standing for the type (kube-apiserver's OpenAPI, so `$ref`s name the Go
    /// types): a value of the wrong JSON type, an integer out of its range, a bad quantity,
    /// timestamp or base64 string fails as it fails in Go; unknown fields are dropped and
    /// listed; `null` is accepted everywhere, as Go accepts it.
    ///
    /// Only decoding: `required`, `enum`, `pattern` and the other constraints are not
    /// checked, because kube-apiserver checks built-in kinds with Go code that differs from
    /// them (see ``validate(_:at:)`` for custom resources).
    ///
    /// - Parameter typeName: the Go type of the whole value, for messages (`ConfigMap`); by
    ///   default the last part of the root `$ref`'s name.
    public func decodeTyped(_ value: JSONValue, typeName: String? = nil) throws(TypedDecodingError) -> TypedDecoding {
        var context = TypedDecodingContext(structName: typeName ?? root.referenceName.map(GoTypes.structName) ?? "")
        let decoded = root.decodeTyped(value, definition: root.referenceName, context: &context)
        if let error = context.firstError { throw error }
        return TypedDecoding(object: decoded ?? value, unknownFields: context.unknownFields.sorted())
    }
}

/// What a typed decoding carries down the object: Go's error context (the innermost struct
/// and the JSON names of the struct fields leading to the value), and what it found.
struct TypedDecodingContext {
    var structName: String
    var fieldStack: [String] = []
    /// Where the decoding is, down to map keys and array indices; written out as text only
    /// for an unknown field.
    var path: [PathStep] = []
    var unknownFields: [String] = []
    var firstError: TypedDecodingError?

    enum PathStep {
        case key(String)
        case index(Int)
    }

    /// `spec.containers[0].bar`.
    var pathText: String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    mutating func fail(_ message: String) {
        if firstError == nil { firstError = TypedDecodingError(message: message, field: fieldStack.joined(separator: ".")) }
    }

    /// Go's `UnmarshalTypeError` message: `json: cannot unmarshal <what> into Go struct field
    /// <Struct>.<field path> of type <type>`.
    mutating func failType(_ what: String, goType: String) {
        if fieldStack.isEmpty {
            fail("json: cannot unmarshal \(what) into Go value of type \(goType)")
        } else {
            fail("json: cannot unmarshal \(what) into Go struct field \(structName).\(fieldStack.joined(separator: ".")) of type \(goType)")
        }
    }
}

extension SchemaNode {
    /// Returns the value as Go would write it back, or nil when that is `value` unchanged
    /// (most objects sent are: nothing is rebuilt for them).
    ///
    /// - Parameter definition: the definition this node was reached through, which names
    ///   its Go type (nil for an inline schema).
    func decodeTyped(_ value: JSONValue, definition: String?, context: inout TypedDecodingContext) -> JSONValue? {
        if isReference {
            return resolved.decodeTyped(value, definition: referenceName, context: &context)
        }
        // Go decodes null into anything (a zero value); the struct holding it drops it.
        if value.isNull { return nil }
        // Types Go decodes with its own code that takes any JSON (RawExtension, FieldsV1, JSON).
        if preserveUnknownFields && properties.isEmpty && items == nil {
            if case .unspecified = additionalProperties { return nil }
        }
        if format == "quantity" {
            if case .string(let text) = value {
                if let problem = GoTypes.quantityProblem(text.trimmingCharacters(in: .whitespacesAndNewlines)) { context.fail(problem) }
            } else if value.doubleValue == nil {
                context.fail(GoTypes.quantityFormatMessage)
            }
            return nil
        }
        if intOrString {
            switch value {
            case .string: break
            case .int(let number) where Int64(Int32.min)...Int64(Int32.max) ~= number: break
            default: context.failType(GoTypes.describe(value, asInteger: true), goType: "int32")
            }
            return nil
        }
        switch types.first {
        case "string": decodeString(value, definition: definition, context: &context)
        case "integer": decodeInteger(value, context: &context)
        case "number": if value.doubleValue == nil { context.failType(GoTypes.describe(value), goType: "float64") }
        case "boolean": if value.boolValue == nil { context.failType(GoTypes.describe(value), goType: "bool") }
        case "array": return decodeArray(value, context: &context)
        case "object": return decodeObject(value, definition: definition, context: &context)
        default:
            if !properties.isEmpty { return decodeObject(value, definition: definition, context: &context) }
        }
        return nil
    }

    private func decodeString(_ value: JSONValue, definition: String?, context: inout TypedDecodingContext) {
        guard case .string(let text) = value else {
            // Time and MicroTime read a Go string first; a []byte is refused as itself.
            context.failType(GoTypes.describe(value), goType: format == "byte" ? "[]uint8" : "string")
            return
        }
        switch format {
        case "byte":
            if let offset = GoTypes.base64ErrorOffset(text) { context.fail("illegal base64 data at input byte \(offset)") }
        case "date-time":
            if !DateFormats.isDateTime(text) {
                let layout =
                    definition?.hasSuffix(".MicroTime") == true
                    ? "2006-01-02T15:04:05.000000Z07:00" : "2006-01-02T15:04:05Z07:00"
                context.fail(
                    "parsing time \(FieldError.quoted(text)) as \"\(layout)\": cannot parse \(FieldError.quoted(text)) as RFC 3339")
            }
        default:
            break
        }
    }

    private func decodeInteger(_ value: JSONValue, context: inout TypedDecodingContext) {
        let goType = format == "int32" ? "int32" : "int64"
        switch value {
        case .int(let number):
            if goType == "int32", !(Int64(Int32.min)...Int64(Int32.max) ~= number) {
                context.failType(GoTypes.describe(value, asInteger: true), goType: goType)
            }
        default:
            // A fraction (or `3.0`: Go reads the literal) or another type.
            context.failType(GoTypes.describe(value, asInteger: true), goType: goType)
        }
    }

    private func decodeArray(_ value: JSONValue, context: inout TypedDecodingContext) -> JSONValue? {
        guard case .array(let elements) = value else {
            context.failType(GoTypes.describe(value), goType: goTypeName(definition: nil))
            return nil
        }
        guard let items else { return nil }
        var result: [JSONValue]? // A copy only once an element changes.
        for (index, element) in elements.enumerated() {
            context.path.append(.index(index))
            if let decoded = items.decodeTyped(element, definition: nil, context: &context) {
                if result == nil { result = elements }
                result![index] = decoded
            }
            context.path.removeLast()
        }
        return result.map { .array($0) }
    }

    private func decodeObject(_ value: JSONValue, definition: String?, context: inout TypedDecodingContext) -> JSONValue? {
        guard case .object(let fields) = value else {
            context.failType(GoTypes.describe(value), goType: goTypeName(definition: definition))
            return nil
        }
        // Keys in order, so that the first error found is the same whatever the hash order.
        let keys = fields.count > 1 ? fields.keys.sorted() : Array(fields.keys)
        var result: [String: JSONValue]? // A copy only once a field changes or goes.
        // A map: every value has the element type; map keys are not part of Go's field path.
        if case .schema(let element) = additionalProperties, properties.isEmpty {
            for key in keys {
                context.path.append(.key(key))
                if let decoded = element.decodeTyped(fields[key]!, definition: nil, context: &context) {
                    Self.change(&result, of: fields, key, to: decoded)
                }
                context.path.removeLast()
            }
            return result.map { .object($0) }
        }
        if case .allowed(true) = additionalProperties, properties.isEmpty { return nil }
        // A struct: its declared fields, nothing else.
        let outerStruct = context.structName
        if let definition { context.structName = GoTypes.structName(definition) }
        defer { context.structName = outerStruct }
        for key in keys {
            let child = fields[key]!
            context.path.append(.key(key))
            defer { context.path.removeLast() }
            guard let schema = properties[key] else {
                if !preserveUnknownFields {
                    context.unknownFields.append(context.pathText)
                    Self.change(&result, of: fields, key, to: nil)
                }
                continue
            }
            if child.isNull {
                Self.change(&result, of: fields, key, to: nil)
                continue
            }
            context.fieldStack.append(key)
            if let decoded = schema.decodeTyped(child, definition: nil, context: &context) {
                Self.change(&result, of: fields, key, to: decoded)
            }
            context.fieldStack.removeLast()
        }
        return result.map { .object($0) }
    }

    /// Sets `key` to `value` (nil removes it) in `changed`: nil until the first change, then
    /// `original` with the changes so far.
    private static func change(
        _ changed: inout [String: JSONValue]?, of original: [String: JSONValue], _ key: String, to value: JSONValue?
    ) {
        if changed == nil { changed = original }
        changed![key] = value
    }

    /// The Go type this node decodes into, as Go's messages print it (`v1.PodSpec`,
    /// `[]v1.Container`, `map[string]string`, `int32`).
    func goTypeName(definition: String?) -> String {
        if isReference { return resolved.goTypeName(definition: referenceName) }
        if let definition {
            // Time and MicroTime decode their JSON as a Go string first.
            return format == "date-time" ? "string" : GoTypes.qualifiedName(definition)
        }
        if intOrString { return "intstr.IntOrString" }
        if format == "quantity" { return "resource.Quantity" }
        switch types.first {
        case "string": return format == "byte" ? "[]uint8" : "string"
        case "integer": return format == "int32" ? "int32" : "int64"
        case "number": return "float64"
        case "boolean": return "bool"
        case "array": return "[]" + (items?.goTypeName(definition: nil) ?? "interface {}")
        default:
            if case .schema(let element) = additionalProperties {
                return "map[string]" + element.goTypeName(definition: nil)
            }
            return properties.isEmpty ? "map[string]interface {}" : "struct"
        }
    }
}
