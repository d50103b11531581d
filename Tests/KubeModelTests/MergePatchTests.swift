import Testing

@testable import KubeModel

@Suite struct MergePatchTests {
    /// RFC 7386 appendix A, every row.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func rfcExamples(original: String, patch: String, expected: String) throws {
        #expect(MergePatch.apply(try json(patch), to: try json(original)) == (try json(expected)))
    }

    @Test func replacesListsWhole() throws {
        let original = try json(#"{"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b"}]}}"#)
        let patch = try json(#"{"spec": {"containers": [{"name": "a", "image": "y"}]}}"#)
        #expect(MergePatch.apply(patch, to: original) == (try json(#"{"spec": {"containers": [{"name": "a", "image": "y"}]}}"#)))
    }

    @Test func mergesLabelsAndDeletesAnnotation() throws {
        let original = try json(#"{"metadata": {"name": "x", "labels": {"a": "1"}, "annotations": {"note": "n", "keep": "k"}}}"#)
        let patch = try json(#"{"metadata": {"labels": {"b": "2"}, "annotations": {"note": null}}}"#)
        #expect(
            MergePatch.apply(patch, to: original)
                == (try json(#"{"metadata": {"name": "x", "labels": {"a": "1", "b": "2"}, "annotations": {"keep": "k"}}}"#)))
    }
}
