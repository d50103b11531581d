import KubeModel
import Testing

@Suite struct FieldValuesTests {
    @Test func typedReadsAndWritesOfOneField() {
        var object: JSONValue = ["spec": ["name": "a", "count": 3, "on": true, "items": [1, 2]], "other": "kept"]
        #expect(object[string: "spec.name"] == "a")
        #expect(object[int: "spec.count"] == 3)
        #expect(object[bool: "spec.on"] == true)
        #expect(object[array: "spec.items"] == [1, 2])
        // Another JSON type reads as nil, never as a guess.
        #expect(object[string: "spec.count"] == nil)
        #expect(object[int: "spec.name"] == nil)
        #expect(object[bool: "spec.name"] == nil)
        #expect(object[array: "spec.name"] == nil)

        object[string: "status.phase"] = "Ready"
        object[int: "status.count"] = 7
        object[bool: "status.ready"] = false
        object[array: "status.conditions"] = []
        #expect(object["status"] == ["phase": "Ready", "count": 7, "ready": false, "conditions": []])
        #expect(object["other"] == "kept")
    }

    @Test func settingNilRemovesWithoutCreatingParents() {
        var object: JSONValue = ["spec": ["name": "a"]]
        object[string: "spec.name"] = nil
        object[string: "status.phase"] = nil
        object[int: "status.count"] = nil
        #expect(object == ["spec": [:]])
    }
}
