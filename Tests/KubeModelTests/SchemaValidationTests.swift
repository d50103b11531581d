import Testing

@testable import KubeModel

@Suite struct SchemaValidationTests {
    static let widgetSchema = #"""
        {"type": "object",
         "properties": {
           "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
           "spec": {"type": "object", "required": ["replicas", "image"],
             "properties": {
               "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
               "image": {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[a-z0-9.:/-]+$"},
               "mode": {"type": "string", "enum": ["a", "b"]},
               "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true},
               "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
               "note": {"type": "string", "nullable": true},
               "name": {"type": "string"},
               "created": {"type": "string", "format": "date-time"},
               "count32": {"type": "integer", "format": "int32"},
               "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3, "uniqueItems": true},
               "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2},
               "template": {"type": "object", "properties": {"containers": {"type": "array",
                 "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "image": {"type": "string"}}}}}},
               "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
               "embedded": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
               "level": {"type": "integer", "multipleOf": 5}}},
           "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}
        """#

    static let validWidget = #"""
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
         "spec": {"replicas": 2, "image": "nginx:1.25", "mode": "a", "ratio": 0.5, "port": 80, "note": null, "name": "n",
           "created": "2024-01-02T03:04:05Z", "count32": 7, "tags": ["x"], "labels": {"a": "b"},
           "template": {"containers": [{"name": "c", "image": "i"}]}, "raw": {"any": {"thing": [1]}},
           "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}, "level": 10},
         "status": {"phase": "Ready"}}
        """#

    private func schema() throws -> OpenAPISchema { OpenAPISchema(try json(Self.widgetSchema)) }

    /// Errors for the valid widget with one spec field changed (nil removes it).
    private func errors(spec field: String, _ value: JSONValue?) throws -> [FieldError] {
        var object = try json(Self.validWidget)
        object[path: ["spec", field]] = value
        return try schema().validate(object)
    }

    @Test func validObjectHasNoErrors() throws {
        #expect(try schema().validate(try json(Self.validWidget)) == [])
    }

    @Test func wrongTypeReadsLikeKubernetes() throws {
        let found = try errors(spec: "replicas", "string")
        #expect(
            found == [
                FieldError(
                    type: .typeInvalid, field: "spec.replicas",
                    message: #"Invalid value: "string": spec.replicas in body must be of type integer: "string""#, badValue: "string")
            ])
        #expect(
            found.first?.description == #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#)
        #expect(found.first?.type.rawValue == "FieldValueTypeInvalid")
    }

    @Test func integersMayBeWrittenAsWholeDoubles() throws {
        #expect(try errors(spec: "replicas", .double(3)) == [])
        #expect(
            try errors(spec: "replicas", .double(2.5)) == [
                .typeInvalid("spec.replicas", value: "number", detail: #"spec.replicas in body must be of type integer: "number""#)
            ])
    }

    @Test func requiredField() throws {
        #expect(try errors(spec: "image", nil) == [FieldError(type: .required, field: "spec.image", message: "Required value")])
    }

    @Test func enumValues() throws {
        #expect(
            try errors(spec: "mode", "x") == [
                FieldError(
                    type: .notSupported, field: "spec.mode", message: #"Unsupported value: "x": supported values: "a", "b""#, badValue: "x")
            ])
    }

    @Test func numericBounds() throws {
        #expect(
            try errors(spec: "replicas", 11) == [
                FieldError(
                    type: .invalid, field: "spec.replicas",
                    message: "Invalid value: 11: spec.replicas in body should be less than or equal to 10", badValue: 11)
            ])
        #expect(
            try errors(spec: "replicas", -1).map(\.message) == [
                "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"
            ])
        #expect(try errors(spec: "ratio", 1).map(\.message) == ["Invalid value: 1: spec.ratio in body should be less than 1"])
        #expect(try errors(spec: "ratio", 0).map(\.message) == ["Invalid value: 0: spec.ratio in body should be greater than 0"])
        #expect(try errors(spec: "ratio", 0.25) == [])
        #expect(try errors(spec: "level", 12).map(\.message) == ["Invalid value: 12: spec.level in body should be a multiple of 5"])
    }

    @Test func stringConstraints() throws {
        #expect(
            try errors(spec: "image", "ab") == [
                FieldError(
                    type: .invalid, field: "spec.image",
                    message: #"Invalid value: "ab": spec.image in body should be at least 3 chars long"#, badValue: "ab")
            ])
        #expect(
            try errors(spec: "image", "UPPER").map(\.message) == [
                #"Invalid value: "UPPER": spec.image in body should match '^[a-z0-9.:/-]+$'"#
            ])
        let long = String(repeating: "a", count: 21)
        #expect(
            try errors(spec: "image", .string(long)) == [
                FieldError(type: .tooLong, field: "spec.image", message: "Too long: may not be more than 20 bytes", badValue: .string(long))
            ])
    }

    @Test func intOrString() throws {
        #expect(try errors(spec: "port", 8080) == [])
        #expect(try errors(spec: "port", "80%") == [])
        let found = try errors(spec: "port", true)
        #expect(
            found.first
                == .typeInvalid("spec.port", value: "boolean", detail: #"spec.port in body must be of type integer,string: "boolean""#))
        #expect(found.count == 1)
    }

    @Test func nullable() throws {
        #expect(try errors(spec: "note", "text") == [])
        #expect(try errors(spec: "note", .null) == [])
        #expect(
            try errors(spec: "name", .null) == [
                FieldError(
                    type: .typeInvalid, field: "spec.name",
                    message: #"Invalid value: "null": spec.name in body must be of type string: "null""#, badValue: "null")
            ])
    }

    @Test func formats() throws {
        #expect(try errors(spec: "created", "2024-02-29T23:59:59.123+02:00") == [])
        #expect(try errors(spec: "created", "2024-01-02t03:04:05z") == [])
        #expect(
            try errors(spec: "created", "yesterday") == [
                .typeInvalid("spec.created", value: "yesterday", detail: #"spec.created in body must be of type date-time: "yesterday""#)
            ])
        #expect(try errors(spec: "created", "2023-02-29T00:00:00Z").count == 1)
        #expect(try errors(spec: "created", "2024-01-02T03:04:05").count == 1)
        #expect(
            try errors(spec: "count32", 3_000_000_000).map(\.message) == [
                "Invalid value: 3000000000: spec.count32 in body must be of type int32: 3000000000"
            ])
        #expect(try errors(spec: "count32", -2_147_483_648) == [])
    }

    @Test func arrays() throws {
        #expect(
            try errors(spec: "tags", ["a", "b", "a", "c"]) == [
                FieldError(type: .tooMany, field: "spec.tags", message: "Too many: 4: must have at most 3 items", badValue: 4),
                FieldError(type: .duplicate, field: "spec.tags[2]", message: #"Duplicate value: "a""#, badValue: "a"),
            ])
        #expect(try errors(spec: "tags", []).map(\.message) == ["Invalid value: 0: spec.tags in body should have at least 1 items"])
        #expect(try errors(spec: "tags", [1]).map(\.field) == ["spec.tags[0]"])
    }

    @Test func nestedArrayPaths() throws {
        let found = try errors(spec: "template", ["containers": [["name": 5], ["image": "x"]]])
        #expect(
            found == [
                .typeInvalid(
                    "spec.template.containers[0].name", value: "integer",
                    detail: #"spec.template.containers[0].name in body must be of type string: "integer""#),
                .required("spec.template.containers[1].name"),
            ])
    }

    @Test func additionalPropertiesSchemaAndCount() throws {
        #expect(
            try errors(spec: "labels", ["a": "x", "b": 2, "c": "z"]) == [
                .tooMany("spec.labels", actual: 3, max: 2),
                .typeInvalid("spec.labels.b", value: "integer", detail: #"spec.labels.b in body must be of type string: "integer""#),
            ])
        #expect(try errors(spec: "labels", ["a": "x", "b": 2, "c": "z"]).first?.message == "Too many: 3: must have at most 2 items")
    }

    @Test func additionalPropertiesFalseForbidsUnknownKeys() {
        let schema = OpenAPISchema(["type": "object", "properties": ["a": [:]], "additionalProperties": false])
        #expect(
            schema.validate(["a": 1, "b": 2], at: "spec") == [
                FieldError(
                    type: .invalid, field: "spec", message: #"Invalid value: "b": spec.b in body is a forbidden property"#, badValue: "b")
            ])
    }

    @Test func preservedFieldsAreNotValidated() throws {
        #expect(try errors(spec: "raw", ["anything": ["goes": [1, "two", nil]]]) == [])
    }

    @Test func embeddedResourceNeedsAPIVersionAndKind() throws {
        #expect(
            try errors(spec: "embedded", ["spec": [:]]) == [
                FieldError(type: .required, field: "spec.embedded.apiVersion", message: "Required value: must not be empty"),
                FieldError(type: .required, field: "spec.embedded.kind", message: "Required value: must not be empty"),
            ])
        #expect(
            try errors(spec: "embedded", ["apiVersion": "v1", "kind": "", "metadata": "x"]) == [
                .invalid("spec.embedded.kind", value: "", detail: "must not be empty"),
                .invalid("spec.embedded.metadata", value: "x", detail: "must be an object"),
            ])
    }

    @Test func severalErrorsComeInAStableOrder() throws {
        var object = try json(Self.validWidget)
        object[path: ["spec", "image"]] = nil
        object[path: ["spec", "mode"]] = "z"
        object[path: ["spec", "replicas"]] = "x"
        object[path: ["status", "phase"]] = 1
        #expect(
            try schema().validate(object).map(\.description) == [
                "spec.image: Required value",
                #"spec.mode: Unsupported value: "z": supported values: "a", "b""#,
                #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
                #"status.phase: Invalid value: "integer": status.phase in body must be of type string: "integer""#,
            ])
    }

    @Test func anyOfOneOfAllOfNot() {
        let anyOf = OpenAPISchema(["anyOf": [["type": "integer"], ["type": "string", "pattern": "^[0-9]+%$"]]])
        #expect(anyOf.validate(5, at: "spec.maxSurge") == [])
        #expect(anyOf.validate("50%", at: "spec.maxSurge") == [])
        #expect(
            anyOf.validate("abc", at: "spec.maxSurge") == [
                .invalid("spec.maxSurge", value: "", detail: #""spec.maxSurge" must validate at least one schema (anyOf)"#),
                .typeInvalid("spec.maxSurge", value: "string", detail: #"spec.maxSurge in body must be of type integer: "string""#),
            ])

        let oneOf = OpenAPISchema(["type": "object", "oneOf": [["required": ["a"]], ["required": ["b"]]]])
        #expect(oneOf.validate(["a": 1], at: "spec") == [])
        #expect(
            oneOf.validate(["a": 1, "b": 2], at: "spec") == [
                .invalid("spec", value: "", detail: #""spec" must validate one and only one schema (oneOf). Found 2 valid alternatives"#)
            ])
        #expect(
            oneOf.validate([:], at: "spec") == [
                .invalid("spec", value: "", detail: #""spec" must validate one and only one schema (oneOf). Found none valid"#),
                .required("spec.a"),
            ])

        let not = OpenAPISchema(["type": "object", "not": ["required": ["forbidden"]]])
        #expect(not.validate(["allowed": 1], at: "spec") == [])
        #expect(
            not.validate(["forbidden": 1], at: "spec") == [
                .invalid("spec", value: "", detail: #""spec" must not validate the schema (not)"#)
            ])

        let allOf = OpenAPISchema(["allOf": [["minimum": 1], ["maximum": 3]]])
        #expect(allOf.validate(2, at: "spec.x") == [])
        #expect(allOf.validate(5, at: "spec.x").map(\.message) == ["Invalid value: 5: spec.x in body should be less than or equal to 3"])
    }

    @Test func listTypeMapRefusesDuplicateKeys() {
        let schema = OpenAPISchema([
            "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": ["type": "object"],
        ])
        #expect(
            schema.validate([["name": "a"], ["name": "b"], ["name": "a", "x": 1]], at: "spec.items") == [
                FieldError(type: .duplicate, field: "spec.items[2]", message: #"Duplicate value: {"name":"a"}"#, badValue: ["name": "a"])
            ])
    }

    @Test func badPatternIsReportedNotCrashed() {
        let schema = OpenAPISchema(["type": "string", "pattern": "(["])
        let found = schema.validate("x", at: "spec.p")
        #expect(found.count == 1)
        #expect(found.first?.type == .invalid)
        #expect(found.first?.message.hasPrefix(#"Invalid value: "x": spec.p in body has an invalid pattern '(['"#) == true)
    }

    @Test func rootTypeMismatch() throws {
        #expect(
            try schema().validate("text") == [
                FieldError(
                    type: .typeInvalid, field: "", message: #"Invalid value: "string": body must be of type object: "string""#,
                    badValue: "string")
            ])
    }

    @Test func schemaIsUsableFromManyTasks() async throws {
        let schema = try schema()
        let object = try json(Self.validWidget)
        let counts = await withTaskGroup(of: Int.self) { group in
            for index in 0..<32 {
                group.addTask {
                    var copy = object
                    copy[path: ["spec", "image"]] = index.isMultiple(of: 2) ? "ok-image" : "BAD"
                    return schema.validate(copy).count
                }
            }
            var counts: [Int] = []
            for await count in group { counts.append(count) }
            return counts
        }
        #expect(counts.sorted() == Array(repeating: 0, count: 16) + Array(repeating: 1, count: 16))
    }

    @Test func errorTypesUseKubernetesNames() {
        #expect(
            FieldErrorType.allCases.map(\.rawValue) == [
                "FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported", "FieldValueTypeInvalid",
                "FieldValueTooLong", "FieldValueTooMany", "FieldValueDuplicate", "FieldValueForbidden",
            ])
        #expect(FieldError.forbidden("spec.x", detail: "may not be set").message == "Forbidden: may not be set")
    }
}
