import ImageSync
import KubeModel
import Testing

@testable import WebConsole

@Suite struct ImagePolicyTests {
    @Test func showsTheStoredVersionAndWhatIsInForce() {
        let form = SyncPolicyForm(configMap: ["metadata": ["name": "sync-operator-policy"], "data": ["concurrency": "2"]])
        #expect(form.inForce.concurrency == 2)
        #expect(form.values["concurrency"] == "2")
        #expect(form.values["retryLimit"] == String(SyncPolicyForm.defaults.retryLimit))
        #expect(form.storedProblem == nil)
        #expect(form.model(csrf: nil)["policyFromDefaults"] == nil)
    }

    @Test func anInvalidStoredVersionIsSaidPlainly() {
        let form = SyncPolicyForm(configMap: ["data": ["concurrency": "lots"]])
        #expect(form.storedProblem?.contains("concurrency") == true)
        #expect(SyncPolicyForm(configMap: nil).model(csrf: nil)["policyFromDefaults"] as? Bool == true)
    }

    @Test func everyBadValueIsPutBesideItsKeyAndNothingIsReturned() {
        var form = SyncPolicyForm(configMap: nil)
        let data = form.take(
            FormData(fields: [
                ("concurrency", "lots"), ("retryLimit", "2"), ("retryBackoffDuration", "10"), ("syncDeadline", ""),
            ]))
        #expect(data == nil)
        #expect(form.errors["concurrency"]?.contains("whole number") == true)
        #expect(form.errors["retryBackoffDuration"]?.contains("Go duration") == true)
        #expect(form.errors["retryLimit"] == nil)
        #expect(form.values["concurrency"] == "lots")
        let inputs = form.model(csrf: nil)["policyInputs"] as? [[String: Any]] ?? []
        #expect(
            inputs.first { $0["key"] as? String == "concurrency" }?["describedBy"] as? String
                == "policy-concurrency-hint policy-concurrency-error")
    }

    @Test func goodValuesBecomeTheData() {
        var form = SyncPolicyForm(configMap: nil)
        let data = form.take(FormData(fields: [("concurrency", " 3 "), ("retryBackoffDuration", "90s"), ("maxRetryBackoff", "")]))
        #expect(data == ["concurrency": "3", "retryBackoffDuration": "90s"])
    }
}
