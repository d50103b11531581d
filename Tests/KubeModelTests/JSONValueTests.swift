import Testing

@testable import KubeModel

@Suite struct JSONValueTests {
    @Test func parsesScalarsKeepingIntegersApartFromDoubles() throws {
        #expect(try JSONValue(parsing: "null") == .null)
        #expect(try JSONValue(parsing: " true ") == .bool(true))
        #expect(try JSONValue(parsing: "false") == .bool(false))
        #expect(try JSONValue(parsing: "3") == .int(3))
        #expect(try JSONValue(parsing: "-42") == .int(-42))
        #expect(try JSONValue(parsing: "3.0") == .double(3.0))
        #expect(try JSONValue(parsing: "2.5e2") == .double(250))
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int64.max))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue(parsing: "\"hi\"") == .string("hi"))
    }

    @Test func parsesNestedDocuments() throws {
        let value = try JSONValue(parsing: #"{"a": [1, {"b": null}], "c": {"d": "e"}}"#)
        #expect(value == .object(["a": .array([.int(1), .object(["b": .null])]), "c": .object(["d": .string("e")])]))
        #expect(value[path: ["c", "d"]] == .string("e"))
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value[path: ["c", "missing"]] == nil)
    }

    @Test func decodesStringEscapes() throws {
        let value = try JSONValue(parsing: #""a\nb\t\"q\"\\ \/ \u00e9 \ud83d\ude00""#)
        #expect(value == .string("a\nb\t\"q\"\\ / é 😀"))
    }

    @Test func reportsWhereParsingStopped() {
        let cases: [(String, Int, String)] = [
            (#"{"a":}"#, 5, "unexpected character '}'"),
            ("1 2", 2, "unexpected content after the document"),
            (#""abc"#, 4, "unterminated string"),
            (#"{"a" 1}"#, 5, "expected ':'"),
            ("[1,2", 4, "unexpected end of input in array"),
            (#""\ud83d""#, 7, "unpaired surrogate"),
            ("tru", 0, "unexpected end of input"),
            ("[1,]", 3, "unexpected character ']'"),
            ("", 0, "unexpected end of input"),
        ]
        for (text, offset, reason) in cases {
            let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
            #expect(error == JSONParseError(offset: offset, reason: reason), "parsing \(text)")
        }
    }

    @Test func serializesWithKubernetesKeyOrder() {
        let value: JSONValue = [
            "status": ["phase": "Running"], "zeta": 1, "alpha": true, "spec": [:], "metadata": ["name": "p"],
            "kind": "Pod", "apiVersion": "v1",
        ]
        #expect(
            value.serializedString()
                == #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{},"status":{"phase":"Running"},"alpha":true,"zeta":1}"#
        )
    }

    @Test func serializesNumbersAndEscapes() {
        #expect(JSONValue.double(3.0).serializedString() == "3")
        #expect(JSONValue.double(2.5).serializedString() == "2.5")
        #expect(JSONValue.int(-7).serializedString() == "-7")
        #expect(JSONValue.string("a\"b\\c\nd\u{01}").serializedString() == #""a\"b\\c\nd\u0001""#)
        #expect(JSONValue.array([.null, .bool(false)]).serializedString() == "[null,false]")
    }

    @Test func serializesIntegersAtTheirLimitsAsStringDoes() {
        for number: Int64 in [0, 1, 9, 10, -1, -9, -10, 99, 100, 1_000_000_007, .max, .min, .max - 1, .min + 1] {
            #expect(JSONValue.int(number).serializedString() == String(number))
        }
    }

    @Test func escapesOnlyWhatJSONRequiresAndCopiesTheRest() throws {
        // Escapes at the start, the end, side by side and between long clean runs.
        let text = "\"start\(String(repeating: "x", count: 40))\t\u{7F}é😀\u{1F}\\\\\(String(repeating: "y", count: 3))\r\n\u{00}"
        let expected = #""\"start"# + String(repeating: "x", count: 40) + #"\t\#u{7F}é😀\u001f\\\\yyy\r\n\u0000""#
        #expect(JSONValue.string(text).serializedString() == expected)
        #expect(JSONValue.string("").serializedString() == #""""#)
        #expect(try JSONValue(parsing: JSONValue.string(text).serialized()) == .string(text))
    }

    @Test func roundTripsThroughText() throws {
        let text =
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"app":"web"},"name":"c"},"data":{"k":"v é 😀","n":"1"},"list":[1,2.5,-3,true,null,{"x":[]}]}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serializedString() == text)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    @Test func pathSubscriptCreatesIntermediateObjects() {
        var value: JSONValue = [:]
        value[path: ["metadata", "labels", "app"]] = "web"
        #expect(value == ["metadata": ["labels": ["app": "web"]]])
        value[path: ["metadata", "labels", "app"]] = nil
        #expect(value == ["metadata": ["labels": [:]]])
    }

    /// Writes change each level in place, yet a copy taken before keeps what it had.
    @Test func pathWritesLeaveEarlierCopiesAlone() {
        var value: JSONValue = ["metadata": ["labels": ["app": "web"], "name": "a"], "spec": [1, 2]]
        let copy = value
        value[path: ["metadata", "labels", "tier"]] = "db"
        value["spec"] = nil
        value[path: ["metadata", "name"]] = "b"
        #expect(copy == ["metadata": ["labels": ["app": "web"], "name": "a"], "spec": [1, 2]])
        #expect(value == ["metadata": ["labels": ["app": "web", "tier": "db"], "name": "b"]])
        // A level that is not an object becomes one; an empty path replaces the value.
        var scalar: JSONValue = ["metadata": "text"]
        scalar[path: ["metadata", "name"]] = "n"
        #expect(scalar == ["metadata": ["name": "n"]])
        scalar[path: []] = 5
        #expect(scalar == 5)
        var notObject: JSONValue = [1]
        notObject["k"] = true
        #expect(notObject == ["k": true])
    }

    /// The encoding a store makes before it knows the version, with the version written
    /// in, is byte for byte what the tree holding that version encodes to — also when
    /// `resourceVersion` keys and `""` values appear elsewhere, before and after the slot.
    @Test func anEncodingWithItsVersionWrittenInMatchesTheTreesOwn() throws {
        let objects: [JSONValue] = [
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "resourceVersion": ""], "data": ["k": "v"]],
            [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "annotations": ["resourceVersion": "", "a\"b": "\"resourceVersion\":\"\""],
                    "managedFields": [["fieldsV1": ["f:metadata": ["f:resourceVersion": [:]]]]],
                    "name": "tricky", "resourceVersion": "12", "uid": "u",
                ],
                "spec": ["template": ["metadata": ["resourceVersion": ""]]],
                "zzz": ["resourceVersion": ""],
            ],
            ["metadata": ["resourceVersion": "x"]],
        ]
        for object in objects {
            let (encoding, slot) = try #require(object.serializedWithResourceVersionSlot())
            for version: Int64 in [1, 9, 10, 123_456_789, .max] {
                var expected = object
                expected.resourceVersion = String(version)
                let filled = JSONValue.filling(encoding, slot: slot, resourceVersion: version)
                #expect(filled == expected.serialized(), "\(expected.serializedString())")
            }
        }
        #expect((["metadata": ["name": "no version"]] as JSONValue).serializedWithResourceVersionSlot() == nil)
        #expect((["metadata": "text"] as JSONValue).serializedWithResourceVersionSlot() == nil)
        #expect(([1, 2] as JSONValue).serializedWithResourceVersionSlot() == nil)
    }

    @Test func equivalenceTreatsIntegralDoublesAsIntegers() {
        #expect(JSONValue.int(1).isEquivalent(to: .double(1.0)))
        #expect(!JSONValue.int(1).isEquivalent(to: .double(1.5)))
        #expect(JSONValue.array([.int(2)]).isEquivalent(to: .array([.double(2)])))
        #expect(!JSONValue.string("1").isEquivalent(to: .int(1)))
        #expect(JSONValue.double(4).canonicalForm == .int(4))
    }
}
