import Testing

@testable import KubeModel

@Suite struct FieldSelectorTests {
    let pod: JSONValue = [
        "metadata": ["name": "web-1", "namespace": "default"],
        "spec": ["nodeName": "node-a", "unschedulable": true, "replicas": 3],
        "status": ["phase": "Running"],
    ]
    let pendingPod: JSONValue = ["metadata": ["name": "web-2", "namespace": "default"], "spec": [:], "status": ["phase": "Pending"]]

    @Test func parsesTermsInOrder() throws {
        let selector = try FieldSelector(parsing: "metadata.name=foo,metadata.namespace==default,status.phase!=Running")
        #expect(
            selector.requirements == [
                .init(field: "metadata.name", op: .equals, value: "foo"),
                .init(field: "metadata.namespace", op: .equals, value: "default"),
                .init(field: "status.phase", op: .notEquals, value: "Running"),
            ])
        #expect(selector.description == "metadata.name=foo,metadata.namespace=default,status.phase!=Running")
    }

    @Test func matchesDottedPaths() throws {
        #expect(try FieldSelector(parsing: "metadata.name=web-1").matches(pod))
        #expect(!(try FieldSelector(parsing: "metadata.name=web-2").matches(pod)))
        #expect(try FieldSelector(parsing: "metadata.name=web-1,metadata.namespace=default").matches(pod))
        #expect(!(try FieldSelector(parsing: "metadata.name=web-1,metadata.namespace=other").matches(pod)))
        #expect(!(try FieldSelector(parsing: "status.phase!=Running").matches(pod)))
        #expect(try FieldSelector(parsing: "status.phase!=Running").matches(pendingPod))
        let event: JSONValue = ["involvedObject": ["uid": "abc-123", "kind": "Pod"]]
        #expect(try FieldSelector(parsing: "involvedObject.uid=abc-123,involvedObject.kind=Pod").matches(event))
    }

    @Test func missingFieldComparesAsEmptyString() throws {
        let unscheduled = try FieldSelector(parsing: "spec.nodeName=")
        #expect(unscheduled.matches(pendingPod))
        #expect(!unscheduled.matches(pod))
        let scheduled = try FieldSelector(parsing: "spec.nodeName!=")
        #expect(scheduled.matches(pod))
        #expect(!scheduled.matches(pendingPod))
        #expect(FieldSelector.fieldValue(of: ["spec": ["nodeName": .null]], at: "spec.nodeName") == "")
    }

    @Test func comparesNonStringScalarsByTheirJSONText() throws {
        #expect(try FieldSelector(parsing: "spec.unschedulable=true").matches(pod))
        #expect(try FieldSelector(parsing: "spec.replicas=3").matches(pod))
        #expect(!(try FieldSelector(parsing: "spec.replicas!=3").matches(pod)))
        #expect(!(try FieldSelector(parsing: "spec.unschedulable=false").matches(pod)))
    }

    @Test func unescapesValuesAndEscapesThemAgain() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b\=c\\d,spec.x!=y"#)
        #expect(
            selector.requirements == [
                .init(field: "metadata.name", op: .equals, value: #"a,b=c\d"#),
                .init(field: "spec.x", op: .notEquals, value: "y"),
            ])
        #expect(selector.description == #"metadata.name=a\,b\=c\\d,spec.x!=y"#)
        #expect(selector.matches(["metadata": ["name": #"a,b=c\d"#]]))
    }

    @Test func emptySelectsEverything() throws {
        for text in ["", " ", ",,"] {
            let selector = try FieldSelector(parsing: text)
            #expect(selector.isEmpty)
            #expect(selector == .everything)
            #expect(selector.matches(pod))
        }
    }

    @Test func trimsWhitespaceAroundFieldNames() throws {
        #expect(
            try FieldSelector(parsing: " metadata.name=web-1").requirements == [.init(field: "metadata.name", op: .equals, value: "web-1")])
    }

    @Test func refusesWhatKubernetesRefuses() {
        let cases: [(String, String)] = [
            ("abc", "can't understand 'abc': expected field=value, field==value or field!=value"),
            ("=x", "the term '=x' has no field name"),
            (#"a=b\x"#, #"in the value of "a": invalid escape sequence '\x'"#),
            ("a=b=c", #"in the value of "a": unescaped '=' (write '\=')"#),
            (#"a=b\"#, #"in the value of "a": trailing '\' with nothing to escape"#),
        ]
        for (text, reason) in cases {
            let error = #expect(throws: SelectorParseError.self) { try FieldSelector(parsing: text) }
            #expect(error == SelectorParseError(selector: text, reason: reason), "parsing \(text)")
        }
    }
}
