import Testing

@testable import KubeModel

@Suite struct SchemaReferenceTests {
    /// A tree whose nodes are the same definition: recursion through `properties` and
    /// `items`, as in apiextensions' JSONSchemaProps.
    static let tree: [String: JSONValue] = [
        "Node": [
            "type": "object",
            "properties": [
                "name": ["type": "string"],
                "size": ["type": "integer", "minimum": 0],
                "children": ["type": "array", "items": ["$ref": "#/components/schemas/Node"]],
                "parent": ["$ref": "#/components/schemas/Node", "description": "the node above"],
            ],
        ]
    ]

    static func nested(depth: Int) -> JSONValue {
        var value: JSONValue = ["name": "leaf", "size": 1]
        for level in 0..<depth { value = ["name": .string("n\(level)"), "children": [value]] }
        return value
    }

    @Test func validatesThroughARecursiveDefinition() throws {
        let schema = try #require(SchemaDefinitions(Self.tree).schema(named: "Node"))
        #expect(schema.validate(Self.nested(depth: 60)).isEmpty)

        var bad = Self.nested(depth: 3)
        bad[path: ["children"]] = [["parent": ["size": -1, "name": 5]]]
        let errors = schema.validate(bad)
        #expect(errors.map(\.field) == ["children[0].parent.name", "children[0].parent.size"])
    }

    @Test func prunesThroughARecursiveDefinition() throws {
        let schema = try #require(SchemaDefinitions(Self.tree).schema(named: "Node"))
        let value = try json(#"{"name": "a", "x": 1, "children": [{"name": "b", "children": [{"y": true}]}], "parent": {"z": 1}}"#)
        let (pruned, removed) = schema.prune(value)
        #expect(removed == ["children[0].children[0].y", "parent.z", "x"])
        #expect(pruned == (try json(#"{"name": "a", "children": [{"name": "b", "children": [{}]}], "parent": {}}"#)))
    }

    @Test func aReferenceFromAnInlineSchemaResolvesInTheGivenDefinitions() throws {
        let definitions = SchemaDefinitions(Self.tree)
        let schema = OpenAPISchema(["type": "object", "properties": ["root": ["$ref": "#/definitions/Node"]]], definitions: definitions)
        #expect(schema.validate(["root": ["size": "big"]]).map(\.field) == ["root.size"])
    }

    @Test func definitionsThatOnlyReachThemselvesAcceptAnythingInsteadOfLooping() throws {
        let definitions = SchemaDefinitions([
            "SelfAllOf": ["allOf": [["$ref": "#/components/schemas/SelfAllOf"]], "type": "object"],
            "PingA": ["$ref": "#/components/schemas/PingB"],
            "PingB": ["anyOf": [["$ref": "#/components/schemas/PingA"]]],
            "Negated": ["not": ["$ref": "#/components/schemas/Negated"]],
        ])
        for name in ["SelfAllOf", "PingA", "PingB", "Negated"] {
            #expect(definitions.reachesItselfWithoutDescending(name), "\(name)")
            let schema = try #require(definitions.schema(named: name))
            #expect(schema.validate(["any": [1, 2]]).isEmpty, "\(name)")
            #expect(schema.prune(["any": 1]).removedPaths.isEmpty, "\(name)")
        }
    }

    @Test func aChainOfBareReferencesEndsAtItsTarget() throws {
        let definitions = SchemaDefinitions([
            "A": ["$ref": "#/components/schemas/B"],
            "B": ["$ref": "#/components/schemas/C"],
            "C": ["type": "string"],
        ])
        let schema = try #require(definitions.schema(named: "A"))
        #expect(schema.validate("text").isEmpty)
        #expect(schema.validate(5).map(\.type) == [.typeInvalid])
    }

    @Test func aMissingOrForeignReferenceAcceptsAnythingAndKeepsFields() throws {
        let definitions = SchemaDefinitions(["Known": ["type": "string"]])
        let schema = OpenAPISchema(
            [
                "type": "object",
                "properties": [
                    "missing": ["$ref": "#/components/schemas/Nowhere"],
                    "remote": ["$ref": "https://example.com/schema.json"],
                    "known": ["$ref": "#/components/schemas/Known"],
                ],
            ], definitions: definitions)
        let value: JSONValue = ["missing": ["a": 1], "remote": 5, "known": "text"]
        #expect(schema.validate(value).isEmpty)
        #expect(schema.prune(value).pruned == value)
        #expect(schema.validate(["known": 5]).map(\.field) == ["known"])
        #expect(definitions.schema(named: "Nowhere") == nil)

        let withoutTable = OpenAPISchema(["type": "object", "properties": ["known": ["$ref": "#/components/schemas/Known"]]])
        #expect(withoutTable.validate(["known": ["b": 2]]).isEmpty)
        #expect(withoutTable.prune(["known": ["b": 2]]).pruned == ["known": ["b": 2]])
    }

    @Test func referenceSyntaxes() {
        #expect(SchemaDefinitions.definitionName(fromReference: "#/components/schemas/io.k8s.api.core.v1.Pod") == "io.k8s.api.core.v1.Pod")
        #expect(SchemaDefinitions.definitionName(fromReference: "#/definitions/X") == "X")
        #expect(SchemaDefinitions.definitionName(fromReference: "#/$defs/X") == "X")
        #expect(SchemaDefinitions.definitionName(fromReference: "#/components/schemas/X/properties/y") == nil)
        #expect(SchemaDefinitions.definitionName(fromReference: "other.json#/definitions/X") == nil)
    }

    @Test func closureFollowsEveryKeywordButNotPropertyNames() {
        let definitions = SchemaDefinitions([
            "Root": [
                "properties": [
                    "$ref": ["type": "string"], // a property named "$ref", as in JSONSchemaProps
                    "a": ["items": ["$ref": "#/components/schemas/Item"]],
                    "b": ["additionalProperties": ["$ref": "#/components/schemas/Value"]],
                ]
            ],
            "Item": ["oneOf": [["$ref": "#/components/schemas/Leaf"]]],
            "Value": ["type": "string"],
            "Leaf": ["type": "integer"],
            "Unused": ["type": "boolean"],
        ])
        #expect(definitions.references(of: "Root") == ["Item", "Value"])
        #expect(definitions.closure(of: ["Root"]) == ["Item", "Leaf", "Root", "Value"])
    }

    @Test func defaultsBesideAReferenceApply() throws {
        let definitions = SchemaDefinitions(["Inner": ["type": "object", "properties": ["x": ["type": "integer", "default": 7]]]])
        let schema = OpenAPISchema(
            [
                "type": "object",
                "properties": ["inner": ["$ref": "#/components/schemas/Inner", "default": [:]]],
            ], definitions: definitions)
        #expect(schema.applyDefaults([:]) == ["inner": ["x": 7]])
        #expect(schema.applyDefaults(["inner": ["y": 1]]) == ["inner": ["x": 7, "y": 1]])
    }
}
