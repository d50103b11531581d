import Testing

@testable import KubeModel

@Suite struct SchemaPruningTests {
    @Test func prunesNestedUnknownFieldsAndReportsTheirPaths() throws {
        let schema = OpenAPISchema(try json(SchemaValidationTests.widgetSchema))
        let object = try json(
            #"""
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "unknownMeta": 1}, "extraRoot": true,
             "spec": {"replicas": 2, "image": "nginx", "foo": 1,
               "template": {"containers": [{"name": "c", "bogus": 1}, {"name": "d"}], "bar": {"x": 1}},
               "raw": {"keep": {"deep": 1}},
               "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}},
               "labels": {"a": "b"}},
             "status": {"phase": "Running", "observed": 3}}
            """#)
        let (pruned, removed) = schema.prune(object)
        #expect(removed == ["extraRoot", "spec.foo", "spec.template.bar", "spec.template.containers[0].bogus", "status.observed"])
        #expect(
            pruned
                == (try json(
                    #"""
                    {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "unknownMeta": 1},
                     "spec": {"replicas": 2, "image": "nginx",
                       "template": {"containers": [{"name": "c"}, {"name": "d"}]},
                       "raw": {"keep": {"deep": 1}},
                       "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}},
                       "labels": {"a": "b"}},
                     "status": {"phase": "Running"}}
                    """#)))
    }

    @Test func rootAlwaysKeepsTypeMetaAndMetadata() throws {
        let schema = OpenAPISchema(["type": "object", "properties": ["spec": ["type": "object"]]])
        let (pruned, removed) = schema.prune(try json(#"{"apiVersion": "v1", "kind": "K", "metadata": {"name": "n"}, "spec": {"x": 1}}"#))
        #expect(pruned == (try json(#"{"apiVersion": "v1", "kind": "K", "metadata": {"name": "n"}, "spec": {}}"#)))
        #expect(removed == ["spec.x"])
    }

    @Test func embeddedResourceKeepsTypeMetaAndMetadata() throws {
        let schema = OpenAPISchema(
            try json(
                #"""
                {"type": "object", "properties": {"inner": {"type": "object", "x-kubernetes-embedded-resource": true,
                  "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}
                """#))
        let (pruned, removed) = schema.prune(
            try json(
                #"""
                {"inner": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"l": "v"}}, "spec": {"a": "1", "b": "2"}, "data": {}}}
                """#))
        #expect(
            pruned
                == (try json(
                    #"{"inner": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"l": "v"}}, "spec": {"a": "1"}}}"#
                )))
        #expect(removed == ["inner.data", "inner.spec.b"])
    }

    @Test func preserveUnknownFieldsStillPrunesDeclaredChildren() throws {
        let schema = OpenAPISchema(
            try json(
                #"""
                {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                  "properties": {"known": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}}
                """#))
        let (pruned, removed) = schema.prune(try json(#"{"spec": {"unknown": {"x": [1, {"y": 2}]}, "known": {"a": 1, "b": 2}}}"#))
        #expect(pruned == (try json(#"{"spec": {"unknown": {"x": [1, {"y": 2}]}, "known": {"a": 1}}}"#)))
        #expect(removed == ["spec.known.b"])
    }

    @Test func additionalPropertiesSchemaPrunesMapValues() throws {
        let schema = OpenAPISchema(
            try json(
                #"""
                {"type": "object", "properties": {"ports": {"type": "object",
                  "additionalProperties": {"type": "object", "properties": {"port": {"type": "integer"}}}}}}
                """#))
        let (pruned, removed) = schema.prune(try json(#"{"ports": {"http": {"port": 80, "junk": true}, "https": {"port": 443}}}"#))
        #expect(pruned == (try json(#"{"ports": {"http": {"port": 80}, "https": {"port": 443}}}"#)))
        #expect(removed == ["ports.http.junk"])
    }

    @Test func nothingToPrune() throws {
        let schema = OpenAPISchema(try json(SchemaValidationTests.widgetSchema))
        let object = try json(SchemaValidationTests.validWidget)
        let (pruned, removed) = schema.prune(object)
        #expect(pruned == object)
        #expect(removed.isEmpty)
    }

    static let defaultsSchema = #"""
        {"type": "object", "properties": {"spec": {"type": "object", "properties": {
           "replicas": {"type": "integer", "default": 1},
           "strategy": {"type": "object", "default": {}, "properties": {"type": {"type": "string", "default": "RollingUpdate"}}},
           "nested": {"type": "object", "properties": {"deep": {"type": "string", "default": "d"}}},
           "items": {"type": "array", "items": {"type": "object", "properties": {"weight": {"type": "integer", "default": 10}}}},
           "nullableWithDefault": {"type": "string", "nullable": true, "default": "x"},
           "plainNull": {"type": "string"},
           "nullable": {"type": "string", "nullable": true},
           "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"port": {"type": "integer", "default": 80}}}}}}}}
        """#

    @Test func appliesDefaultsRecursivelyWithinExistingObjects() throws {
        let schema = OpenAPISchema(try json(Self.defaultsSchema))
        let object = try json(
            #"""
            {"spec": {"items": [{"weight": 1}, {}], "plainNull": null, "nullable": null, "nullableWithDefault": null,
                      "replicas": null, "map": {"a": {}, "b": {"port": 8080}}}}
            """#)
        #expect(
            schema.applyDefaults(object)
                == (try json(
                    #"""
                    {"spec": {"replicas": 1, "strategy": {"type": "RollingUpdate"}, "items": [{"weight": 1}, {"weight": 10}],
                              "nullable": null, "nullableWithDefault": null, "map": {"a": {"port": 80}, "b": {"port": 8080}}}}
                    """#)))
    }

    @Test func defaultsNeverCreateTheirParent() throws {
        let schema = OpenAPISchema(try json(Self.defaultsSchema))
        let object = try json(#"{"metadata": {"name": "x"}}"#)
        #expect(schema.applyDefaults(object) == object)
        #expect(
            schema.applyDefaults(try json(#"{"spec": {"replicas": 4}}"#))
                == (try json(#"{"spec": {"replicas": 4, "strategy": {"type": "RollingUpdate"}, "nullableWithDefault": "x"}}"#)))
    }
}
