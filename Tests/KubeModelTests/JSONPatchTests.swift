import Testing

@testable import KubeModel

@Suite struct JSONPatchTests {
    /// Applies `patch` to `document` (both JSON text) and compares with `expected`.
    private func check(_ document: String, _ patch: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try JSONPatch.apply(try json(patch), to: try json(document))
        #expect(result == (try json(expected)), sourceLocation: sourceLocation)
    }

    private func failure(_ document: String, _ patch: String) throws -> PatchError? {
        let patchValue = try json(patch)
        let documentValue = try json(document)
        return #expect(throws: PatchError.self) { try JSONPatch.apply(patchValue, to: documentValue) }
    }

    // RFC 6902 appendix A.

    @Test func addsObjectMembersAndArrayElements() throws {
        try check(#"{"foo": "bar"}"#, #"[{"op": "add", "path": "/baz", "value": "qux"}]"#, #"{"baz": "qux", "foo": "bar"}"#)
        try check(#"{"foo": ["bar", "baz"]}"#, #"[{"op": "add", "path": "/foo/1", "value": "qux"}]"#, #"{"foo": ["bar", "qux", "baz"]}"#)
        try check(
            #"{"foo": ["bar"]}"#, #"[{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]"#, #"{"foo": ["bar", ["abc", "def"]]}"#)
        try check(
            #"{"foo": "bar"}"#, #"[{"op": "add", "path": "/child", "value": {"grandchild": {}}}]"#,
            #"{"foo": "bar", "child": {"grandchild": {}}}"#)
        try check(#"{"foo": ["bar"]}"#, #"[{"op": "add", "path": "/foo/1", "value": "end"}]"#, #"{"foo": ["bar", "end"]}"#)
    }

    @Test func addReplacesAnExistingMemberAndTheRoot() throws {
        try check(#"{"foo": "bar"}"#, #"[{"op": "add", "path": "/foo", "value": 1}]"#, #"{"foo": 1}"#)
        try check(#"{"foo": "bar"}"#, #"[{"op": "add", "path": "", "value": [1]}]"#, #"[1]"#)
    }

    @Test func removesMembersAndElements() throws {
        try check(#"{"baz": "qux", "foo": "bar"}"#, #"[{"op": "remove", "path": "/baz"}]"#, #"{"foo": "bar"}"#)
        try check(#"{"foo": ["bar", "qux", "baz"]}"#, #"[{"op": "remove", "path": "/foo/1"}]"#, #"{"foo": ["bar", "baz"]}"#)
    }

    @Test func replaces() throws {
        try check(
            #"{"baz": "qux", "foo": "bar"}"#, #"[{"op": "replace", "path": "/baz", "value": "boo"}]"#, #"{"baz": "boo", "foo": "bar"}"#)
        try check(#"{"a": [1, 2, 3]}"#, #"[{"op": "replace", "path": "/a/1", "value": 9}]"#, #"{"a": [1, 9, 3]}"#)
        try check(#"{"a": 1}"#, #"[{"op": "replace", "path": "", "value": {"b": 2}}]"#, #"{"b": 2}"#)
    }

    @Test func movesAndCopies() throws {
        try check(
            #"{"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}"#,
            #"[{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]"#,
            #"{"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}"#)
        try check(
            #"{"foo": ["all", "grass", "cows", "eat"]}"#, #"[{"op": "move", "from": "/foo/1", "path": "/foo/3"}]"#,
            #"{"foo": ["all", "cows", "eat", "grass"]}"#)
        try check(#"{"a": {"b": [1]}}"#, #"[{"op": "copy", "from": "/a/b", "path": "/c"}]"#, #"{"a": {"b": [1]}, "c": [1]}"#)
        try check(#"{"a": 1}"#, #"[{"op": "move", "from": "/a", "path": "/a"}]"#, #"{"a": 1}"#)
    }

    @Test func testsValuesIncludingNumbersWrittenDifferently() throws {
        try check(
            #"{"baz": "qux", "foo": ["a", 2, "c"]}"#,
            #"[{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}]"#,
            #"{"baz": "qux", "foo": ["a", 2, "c"]}"#)
        try check(#"{"n": 1}"#, #"[{"op": "test", "path": "/n", "value": 1.0}]"#, #"{"n": 1}"#)
        try check(
            #"{"/": 9, "~1": 10}"#, #"[{"op": "test", "path": "/~01", "value": 10}, {"op": "test", "path": "/~1", "value": 9}]"#,
            #"{"/": 9, "~1": 10}"#)
    }

    @Test func failedTestStopsThePatch() throws {
        let error = try failure(
            #"{"baz": "qux"}"#, #"[{"op": "replace", "path": "/baz", "value": "x"}, {"op": "test", "path": "/baz", "value": "bar"}]"#)
        #expect(error == PatchError(reason: #"operation 1 (test): test failed: value is "x", expected "bar""#, path: "/baz"))
    }

    @Test func escapedPointerTokens() throws {
        try check(
            #"{"metadata": {"labels": {}}}"#, #"[{"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "web"}]"#,
            #"{"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}"#)
        try check(#"{"a~b": 1}"#, #"[{"op": "remove", "path": "/a~0b"}]"#, #"{}"#)
    }

    @Test func reportsErrorsWithTheirPath() throws {
        let cases: [(String, String, PatchError)] = [
            (
                #"{"foo": "bar"}"#, #"[{"op": "add", "path": "/baz/bat", "value": "qux"}]"#,
                PatchError(reason: "operation 0 (add): path does not exist: no member \"baz\"", path: "/baz/bat")
            ),
            (
                #"{"foo": "bar"}"#, #"[{"op": "remove", "path": "/nope"}]"#,
                PatchError(reason: "operation 0 (remove): path does not exist: no member \"nope\"", path: "/nope")
            ),
            (
                #"{"foo": "bar"}"#, #"[{"op": "replace", "path": "/nope", "value": 1}]"#,
                PatchError(reason: "operation 0 (replace): path does not exist: no member \"nope\"", path: "/nope")
            ),
            (
                #"{"a": [1, 2]}"#, #"[{"op": "add", "path": "/a/3", "value": 0}]"#,
                PatchError(reason: "operation 0 (add): array index 3 is out of bounds (the array has 2 elements)", path: "/a/3")
            ),
            (
                #"{"a": [1, 2]}"#, #"[{"op": "remove", "path": "/a/2"}]"#,
                PatchError(reason: "operation 0 (remove): array index 2 is out of bounds (the array has 2 elements)", path: "/a/2")
            ),
            (
                #"{"a": [1, 2]}"#, #"[{"op": "replace", "path": "/a/-", "value": 0}]"#,
                PatchError(reason: "operation 0 (replace): '-' refers to the nonexistent element after the end of the array", path: "/a/-")
            ),
            (
                #"{"a": [1, 2]}"#, #"[{"op": "add", "path": "/a/01", "value": 0}]"#,
                PatchError(reason: "operation 0 (add): \"01\" is not a valid array index", path: "/a/01")
            ),
            (
                #"{"a": {"b": 1}}"#, #"[{"op": "move", "from": "/a", "path": "/a/c"}]"#,
                PatchError(reason: "operation 0 (move): cannot move \"/a\" into one of its own children", path: "/a/c")
            ),
            (
                #"{"a": 1}"#, #"[{"op": "copy", "from": "/x", "path": "/b"}]"#,
                PatchError(reason: "operation 0 (copy): path does not exist: no member \"x\"", path: "/x")
            ),
            (
                #"{"a": 1}"#, #"[{"op": "add", "path": "a", "value": 1}]"#,
                PatchError(reason: "operation 0: a JSON pointer must be empty or start with '/'", path: "a")
            ),
            (
                #"{"a": 1}"#, #"[{"op": "add", "path": "/a~2", "value": 1}]"#,
                PatchError(reason: "operation 0: '~' must be followed by '0' or '1' in a JSON pointer", path: "/a~2")
            ),
            (
                #"{"a": 1}"#, #"[{"op": "frobnicate", "path": "/a"}]"#,
                PatchError(
                    reason:
                        "operation 0 (frobnicate): unknown operation \"frobnicate\" (expected add, remove, replace, move, copy or test)",
                    path: "/a")
            ),
            (#"{"a": 1}"#, #"[{"op": "add", "path": "/b"}]"#, PatchError(reason: "operation 0 (add): missing \"value\"", path: "/b")),
            (#"{"a": 1}"#, #"[{"path": "/b"}]"#, PatchError(reason: "operation 0 has no \"op\" string")),
            (#"{"a": 1}"#, #"{"op": "add"}"#, PatchError(reason: "a JSON patch must be an array of operations, not object")),
            (
                #"{"a": 1}"#, #"[{"op": "remove", "path": ""}]"#,
                PatchError(reason: "operation 0 (remove): cannot remove the whole document", path: "")
            ),
        ]
        for (document, patch, expected) in cases {
            let error = try failure(document, patch)
            #expect(error == expected, "applying \(patch)")
        }
    }

    @Test func descriptionNamesThePath() {
        let error = PatchError(reason: "operation 0 (remove): path does not exist: no member \"nope\"", path: "/nope")
        #expect(error.description == #"operation 0 (remove): path does not exist: no member "nope" (at "/nope")"#)
        #expect(PatchError(reason: "bad").description == "bad")
    }

    @Test func appliesOperationsInSequence() throws {
        try check(
            #"{"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}}"#,
            #"""
            [{"op": "test", "path": "/spec/replicas", "value": 1},
             {"op": "replace", "path": "/spec/replicas", "value": 3},
             {"op": "add", "path": "/metadata/labels/b", "value": "2"},
             {"op": "remove", "path": "/metadata/labels/a"},
             {"op": "add", "path": "/spec/list", "value": []},
             {"op": "add", "path": "/spec/list/-", "value": "x"},
             {"op": "add", "path": "/spec/list/0", "value": "w"}]
            """#,
            #"{"metadata": {"labels": {"b": "2"}}, "spec": {"replicas": 3, "list": ["w", "x"]}}"#)
    }
}
