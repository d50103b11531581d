import Testing

@testable import KubeModel

/// Found by the FieldSelector fuzz target (Fuzz/Targets/FieldSelector.swift): a selector's
/// description must parse back to the same selector.
@Suite struct FieldSelectorRoundTripTests {
    private func reparsed(_ selector: FieldSelector) throws -> FieldSelector {
        try FieldSelector(parsing: selector.description)
    }

    @Test func refusesFieldNamesEndingInWhatWouldBecomeAnOperator() {
        // Trimming left "a!" and "x\" as field names, printed as "a!=" (a different
        // selector) and "x\=" (no selector at all).
        for text in ["a!\t==", "a! =b", #"x\ =y"#, #"x\ ==y"#] {
            let error = #expect(throws: SelectorParseError.self, "parsing \(text.debugDescription)") {
                try FieldSelector(parsing: text)
            }
            #expect(error?.reason.hasPrefix("invalid field name") == true, "\(String(describing: error))")
        }
    }

    @Test func combiningMarksDoNotHideCommasOrOperators() throws {
        // Read as Characters, "=\u{301}" and ",\u{301}" are single Characters that are
        // neither "=" nor ",": the operator and the separator vanished.
        let value = try FieldSelector(parsing: "metadata.name=\u{301}x")
        #expect(value.requirements == [.init(field: "metadata.name", op: .equals, value: "\u{301}x")])
        #expect(try reparsed(value) == value)

        let two = try FieldSelector(parsing: "a=b,\u{301}c=d")
        #expect(two.requirements.map(\.field) == ["a", "\u{301}c"])
        #expect(try reparsed(two) == two)
    }

    @Test func escapedValuesRoundTrip() throws {
        let selector = try FieldSelector(parsing: "a=\\=\\,\\\\,b!=\\\\\u{301},c==x y")
        #expect(selector.requirements.map(\.value) == [#"=,\"#, "\\\u{301}", "x y"])
        #expect(try reparsed(selector) == selector)
    }
}
