import ControllerKit
import KubeModel
import Testing

@Suite struct StatusConditionsTests {
    private func ready(
        _ status: Condition.Status, reason: String? = nil, message: String? = nil,
        generation: Int64? = nil
    ) -> Condition {
        Condition(type: "Ready", status: status, reason: reason, message: message, observedGeneration: generation)
    }

    @Test func setAppendsANewTypeWithTheTimeOfNow() {
        var conditions: [JSONValue] = [["type": "Other", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"]]
        let changed = StatusConditions.set(&conditions, ready(.false, reason: "Waiting"), now: "2026-02-02T00:00:00Z")
        #expect(changed)
        #expect(conditions.count == 2)
        #expect(
            conditions[1] == [
                "type": "Ready", "status": "False", "reason": "Waiting",
                "lastTransitionTime": "2026-02-02T00:00:00Z",
            ])
        // The other type is untouched.
        #expect(conditions[0]["lastTransitionTime"] == "2026-01-01T00:00:00Z")
    }

    @Test func transitionTimeMovesOnlyWhenTheStatusChanges() {
        var conditions: [JSONValue] = []
        StatusConditions.set(&conditions, ready(.false, reason: "A"), now: "2026-01-01T00:00:00Z")
        // Same status, new reason and message: the entry changes, its transition time does not.
        #expect(StatusConditions.set(&conditions, ready(.false, reason: "B", message: "m"), now: "2026-01-02T00:00:00Z"))
        #expect(StatusConditions.find(conditions, "Ready")?.lastTransitionTime == "2026-01-01T00:00:00Z")
        #expect(StatusConditions.find(conditions, "Ready")?.reason == "B")
        // A new status moves it.
        StatusConditions.set(&conditions, ready(.true, reason: "B"), now: "2026-01-03T00:00:00Z")
        #expect(StatusConditions.find(conditions, "Ready")?.lastTransitionTime == "2026-01-03T00:00:00Z")
        #expect(conditions.count == 1)
    }

    @Test func reasonChangeCountsWhenAsked() {
        var conditions: [JSONValue] = []
        StatusConditions.set(
            &conditions, ready(.false, reason: "Queued"), now: "2026-01-01T00:00:00Z",
            transition: .statusOrReasonChange)
        StatusConditions.set(
            &conditions, ready(.false, reason: "Syncing"), now: "2026-01-02T00:00:00Z",
            transition: .statusOrReasonChange)
        #expect(StatusConditions.find(conditions, "Ready")?.lastTransitionTime == "2026-01-02T00:00:00Z")
        StatusConditions.set(
            &conditions, ready(.false, reason: "Syncing", message: "progress"), now: "2026-01-03T00:00:00Z",
            transition: .statusOrReasonChange)
        #expect(StatusConditions.find(conditions, "Ready")?.lastTransitionTime == "2026-01-02T00:00:00Z")
    }

    @Test func settingTheSameConditionAgainIsNoChange() {
        var conditions: [JSONValue] = []
        StatusConditions.set(&conditions, ready(.true, reason: "Done", generation: 4), now: "2026-01-01T00:00:00Z")
        let before = conditions
        #expect(!StatusConditions.set(&conditions, ready(.true, reason: "Done", generation: 4), now: "2026-01-05T00:00:00Z"))
        #expect(conditions == before)
    }

    @Test func observedGenerationIsWrittenAndReadBack() {
        var conditions: [JSONValue] = []
        StatusConditions.set(&conditions, ready(.true, generation: 7), now: "2026-01-01T00:00:00Z")
        #expect(conditions[0]["observedGeneration"] == .int(7))
        #expect(StatusConditions.find(conditions, "Ready")?.observedGeneration == 7)
        // A new generation with the same status is a change, but no transition.
        #expect(StatusConditions.set(&conditions, ready(.true, generation: 8), now: "2026-01-02T00:00:00Z"))
        #expect(StatusConditions.find(conditions, "Ready")?.observedGeneration == 8)
        #expect(StatusConditions.find(conditions, "Ready")?.lastTransitionTime == "2026-01-01T00:00:00Z")
    }

    @Test func otherFieldsAreWrittenAsGiven() {
        var conditions: [JSONValue] = []
        let condition = Condition(type: "Ready", status: .true, otherFields: ["lastProbeTime": .null])
        StatusConditions.set(&conditions, condition, now: "2026-01-01T00:00:00Z")
        #expect(
            conditions[0] == [
                "type": "Ready", "status": "True", "lastProbeTime": .null,
                "lastTransitionTime": "2026-01-01T00:00:00Z",
            ])
        #expect(Condition(json: conditions[0])?.otherFields == ["lastProbeTime": .null])
    }

    @Test func findAndIsTrue() {
        let conditions: [JSONValue] = [
            ["type": "Ready", "status": "True"], ["type": "Failed", "status": "False"],
            "not an object",
        ]
        #expect(StatusConditions.isTrue(conditions, "Ready"))
        #expect(!StatusConditions.isTrue(conditions, "Failed"))
        #expect(!StatusConditions.isTrue(conditions, "Missing"))
        #expect(StatusConditions.find(conditions, "Failed")?.status == .false)
        #expect(StatusConditions.entry(conditions, "Missing") == nil)
    }

    @Test func removeDropsOnlyThatType() {
        var conditions: [JSONValue] = [["type": "Ready", "status": "True"], ["type": "PodScheduled", "status": "False"]]
        #expect(StatusConditions.remove(&conditions, "PodScheduled"))
        #expect(!StatusConditions.remove(&conditions, "PodScheduled"))
        #expect(conditions == [["type": "Ready", "status": "True"]])
    }
}
