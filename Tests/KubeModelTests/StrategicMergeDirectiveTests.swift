import KubeModel
import Testing

/// No strategic-merge directive survives into a stored object, wherever in the patch it
/// sits (the fuzzer's finding: an object inside a list of plain values kept its directives).
@Suite struct StrategicMergeDirectiveTests {
    private static func containsDirective(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let fields): return fields.keys.contains { $0.hasPrefix("$") } || fields.values.contains(where: containsDirective)
        case .array(let items): return items.contains(where: containsDirective)
        default: return false
        }
    }

    @Test func directivesInsideAListOfValuesAreDropped() throws {
        let original: JSONValue = ["kind": "Pod", "metadata": ["name": "p", "finalizers": ["a"]]]
        let patch: JSONValue = ["metadata": ["finalizers": [["$retainKeys": ["x"], "x": "y"], ["$setElementOrder/z": []]]]]
        let result = try StrategicMergePatch.apply(patch, to: original)
        #expect(!Self.containsDirective(result), "\(result.serializedString())")
        #expect(result[path: ["metadata", "finalizers"]]?.arrayValue?.contains("a") == true)
    }
}
