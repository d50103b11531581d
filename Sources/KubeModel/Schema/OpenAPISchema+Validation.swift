import Foundation

extension OpenAPISchema {
    /// Every way `value` breaks the schema, in a stable order, worded as the apiextensions
    /// server words them (`spec.replicas: Invalid value: "string": spec.replicas in body must
    /// be of type integer: "string"`).
    ///
    /// - Parameter path: the field path of `value` in the object, when validating a part
    ///   (`"spec"`); empty for a whole object.
    public func validate(_ value: JSONValue, at path: String = "") -> [FieldError] {
        var errors: [FieldError] = []
        root.validate(value, path: path, into: &errors)
        return errors
    }
}

extension SchemaNode {
    func validate(_ value: JSONValue, path: String, into errors: inout [FieldError]) {
        if isReference {
            resolved.validate(value, path: path, into: &errors)
            return
        }
        if value.isNull {
            if nullable { return }
            if !types.isEmpty {
                errors.append(typeError(path, actual: "null"))
                return
            }
        } else if !types.isEmpty && !types.contains(where: { Self.value(value, hasType: $0) }) {
            errors.append(typeError(path, actual: value.typeName))
            return
        }

        if let enumValues, !enumValues.contains(where: { $0.isEquivalent(to: value) }) {
            let supported = enumValues.map { $0.stringValue ?? $0.serializedString() }
            errors.append(.notSupported(path, value: value, supported: supported))
        }

        switch value {
        case .string(let text): validateString(text, value: value, path: path, into: &errors)
        case .int, .double: validateNumber(value, path: path, into: &errors)
        case .array(let items): validateArray(items, path: path, into: &errors)
        case .object(let fields): validateObject(fields, path: path, into: &errors)
        case .null, .bool: break
        }

        validateCombinators(value, path: path, into: &errors)
    }

    /// The `name` kube-openapi puts in its messages: the path, or `body` for the root itself.
    private func subject(_ path: String) -> String { path.isEmpty ? "body" : "\(path) in body" }

    private func typeError(_ path: String, actual: String) -> FieldError {
        .typeInvalid(
            path, value: .string(actual), detail: "\(subject(path)) must be of type \(types.joined(separator: ",")): \"\(actual)\"")
    }

    static func value(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array): return true
        case ("number", .int), ("number", .double), ("integer", .int): return true
        case ("integer", .double(let number)): return number.rounded() == number && number.isFinite
        default: return false
        }
    }

    private static func childPath(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: Scalars

    private func validateString(_ text: String, value: JSONValue, path: String, into errors: inout [FieldError]) {
        let length = text.unicodeScalars.count
        if let maxLength, length > maxLength {
            errors.append(.tooLong(path, value: value, maxLength: maxLength))
        }
        if let minLength, length < minLength {
            errors.append(.invalid(path, value: value, detail: "\(subject(path)) should be at least \(minLength) chars long"))
        }
        if let pattern, let compiledPattern {
            if let problem = compiledPattern.error {
                errors.append(.invalid(path, value: value, detail: "\(subject(path)) has an invalid pattern '\(pattern)': \(problem)"))
            } else if !compiledPattern.matches(text) {
                errors.append(.invalid(path, value: value, detail: "\(subject(path)) should match '\(pattern)'"))
            }
        }
        if let format, !Self.string(text, matchesFormat: format) {
            errors.append(
                .typeInvalid(path, value: value, detail: "\(subject(path)) must be of type \(format): \(FieldError.quoted(text))"))
        }
    }

    private static func string(_ text: String, matchesFormat format: String) -> Bool {
        switch format {
        case "date-time": return DateFormats.isDateTime(text)
        case "date": return DateFormats.isDate(text)
        default: return true
        }
    }

    private func validateNumber(_ value: JSONValue, path: String, into errors: inout [FieldError]) {
        guard let number = value.doubleValue else { return }
        if let maximum, let bound = maximum.doubleValue {
            let fails = exclusiveMaximum ? number >= bound : number > bound
            if fails {
                let relation = exclusiveMaximum ? "less than" : "less than or equal to"
                errors.append(.invalid(path, value: value, detail: "\(subject(path)) should be \(relation) \(Self.render(maximum))"))
            }
        }
        if let minimum, let bound = minimum.doubleValue {
            let fails = exclusiveMinimum ? number <= bound : number < bound
            if fails {
                let relation = exclusiveMinimum ? "greater than" : "greater than or equal to"
                errors.append(.invalid(path, value: value, detail: "\(subject(path)) should be \(relation) \(Self.render(minimum))"))
            }
        }
        if let multipleOf, let factor = multipleOf.doubleValue {
            let quotient = number / factor
            if quotient.rounded() != quotient {
                errors.append(.invalid(path, value: value, detail: "\(subject(path)) should be a multiple of \(Self.render(multipleOf))"))
            }
        }
        if format == "int32" || format == "int64", Self.value(value, hasType: "integer") {
            let inRange: Bool
            if format == "int32" {
                inRange = number >= Double(Int32.min) && number <= Double(Int32.max)
            } else {
                inRange = value.intValue != nil
            }
            if !inRange {
                errors.append(
                    .typeInvalid(path, value: value, detail: "\(subject(path)) must be of type \(format ?? ""): \(Self.render(value))"))
            }
        }
    }

    private static func render(_ number: JSONValue) -> String {
        if case .double(let value) = number { return FieldError.renderNumber(value) }
        return number.serializedString()
    }

    // MARK: Arrays

    private func validateArray(_ items: [JSONValue], path: String, into errors: inout [FieldError]) {
        if let maxItems, items.count > maxItems {
            errors.append(.tooMany(path, actual: items.count, max: maxItems))
        }
        if let minItems, items.count < minItems {
            errors.append(
                .invalid(path, value: .int(Int64(items.count)), detail: "\(subject(path)) should have at least \(minItems) items"))
        }
        if uniqueItems || listType == "set" {
            var seen = Set<JSONValue>()
            for (index, item) in items.enumerated() where !seen.insert(item.canonicalForm).inserted {
                errors.append(.duplicate("\(path)[\(index)]", value: item))
            }
        } else if listType == "map", !listMapKeys.isEmpty {
            var seen = Set<JSONValue>()
            for (index, item) in items.enumerated() {
                guard let fields = item.objectValue else { continue }
                var key: [String: JSONValue] = [:]
                for name in listMapKeys { key[name] = fields[name] ?? .null }
                if !seen.insert(JSONValue.object(key).canonicalForm).inserted {
                    errors.append(.duplicate("\(path)[\(index)]", value: .object(key)))
                }
            }
        }
        if let schema = self.items {
            for (index, item) in items.enumerated() {
                schema.validate(item, path: "\(path)[\(index)]", into: &errors)
            }
        }
    }

    // MARK: Objects

    private func validateObject(_ fields: [String: JSONValue], path: String, into errors: inout [FieldError]) {
        if let maxProperties, fields.count > maxProperties {
            errors.append(.tooMany(path, actual: fields.count, max: maxProperties))
        }
        if let minProperties, fields.count < minProperties {
            errors.append(
                .invalid(
                    path, value: .int(Int64(minProperties)), detail: "\(subject(path)) should have at least \(minProperties) properties"))
        }
        for name in required where fields[name] == nil {
            errors.append(.required(Self.childPath(path, name)))
        }
        if embeddedResource {
            validateEmbeddedResource(fields, path: path, into: &errors)
        }
        for key in fields.keys.sorted() {
            guard let child = fields[key] else { continue }
            let childPath = Self.childPath(path, key)
            if let schema = properties[key] {
                schema.validate(child, path: childPath, into: &errors)
                continue
            }
            if embeddedResource, ["apiVersion", "kind", "metadata"].contains(key) { continue }
            switch additionalProperties {
            case .schema(let schema):
                schema.validate(child, path: childPath, into: &errors)
            case .allowed(false):
                errors.append(.invalid(path, value: .string(key), detail: "\(childPath) in body is a forbidden property"))
            case .allowed(true), .unspecified:
                break
            }
        }
    }

    /// What Kubernetes demands of an object marked `x-kubernetes-embedded-resource`: a
    /// non-empty `apiVersion` and `kind`, and `metadata` (if any) an object.
    private func validateEmbeddedResource(_ fields: [String: JSONValue], path: String, into errors: inout [FieldError]) {
        for key in ["apiVersion", "kind"] {
            let keyPath = Self.childPath(path, key)
            switch fields[key] {
            case nil:
                errors.append(.required(keyPath, detail: "must not be empty"))
            case .string(let text)?:
                if text.isEmpty { errors.append(.invalid(keyPath, value: .string(text), detail: "must not be empty")) }
            case let other?:
                errors.append(.invalid(keyPath, value: other, detail: "must be a string"))
            }
        }
        if let metadata = fields["metadata"], metadata.objectValue == nil {
            errors.append(.invalid(Self.childPath(path, "metadata"), value: metadata, detail: "must be an object"))
        }
    }

    // MARK: Combinators

    private func validateCombinators(_ value: JSONValue, path: String, into errors: inout [FieldError]) {
        for schema in allOf {
            schema.validate(value, path: path, into: &errors)
        }
        if !anyOf.isEmpty {
            let results = anyOf.map { schema -> [FieldError] in
                var found: [FieldError] = []
                schema.validate(value, path: path, into: &found)
                return found
            }
            if !results.contains(where: \.isEmpty) {
                errors.append(.invalid(path, value: "", detail: "\(FieldError.quoted(path)) must validate at least one schema (anyOf)"))
                errors.append(contentsOf: results.min { $0.count < $1.count } ?? [])
            }
        }
        if !oneOf.isEmpty {
            let results = oneOf.map { schema -> [FieldError] in
                var found: [FieldError] = []
                schema.validate(value, path: path, into: &found)
                return found
            }
            let valid = results.filter(\.isEmpty).count
            if valid == 0 {
                errors.append(
                    .invalid(
                        path, value: "",
                        detail: "\(FieldError.quoted(path)) must validate one and only one schema (oneOf). Found none valid"))
                errors.append(contentsOf: results.min { $0.count < $1.count } ?? [])
            } else if valid > 1 {
                errors.append(
                    .invalid(
                        path, value: "",
                        detail:
                            "\(FieldError.quoted(path)) must validate one and only one schema (oneOf). Found \(valid) valid alternatives"))
            }
        }
        if let not {
            var found: [FieldError] = []
            not.validate(value, path: path, into: &found)
            if found.isEmpty {
                errors.append(.invalid(path, value: "", detail: "\(FieldError.quoted(path)) must not validate the schema (not)"))
            }
        }
    }
}

/// RFC 3339 checks for the `date-time` and `date` formats, strict enough to refuse what
/// Kubernetes refuses without pulling in a date library.
enum DateFormats {
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        guard let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]) else { return false }
        return year >= 0 && (1...12).contains(month) && (1...daysIn(month: month, year: year)).contains(day)
    }

    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, isDate(String(decoding: bytes[0..<10], as: UTF8.self)) else { return false }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]) else { return false }
        guard bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
            hour < 24, minute < 60, second <= 60
        else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            if index == start { return false }
        }
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return index + 1 == bytes.count
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.count == index + 6, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHour = number(bytes[(index + 1)..<(index + 3)]), let offsetMinute = number(bytes[(index + 4)..<(index + 6)])
            else { return false }
            return offsetHour < 24 && offsetMinute < 60
        default:
            return false
        }
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
