import Foundation
import KubeClient
import KubeModel
import Testing

@testable import WebConsole

@Suite struct ImageRowTests {
    static func image(
        _ name: String, status: JSONValue, spec: JSONValue = ["sourceType": "http", "url": "http://h/d.img", "diskSize": "1Gi"]
    )
        -> VMDiskImage
    {
        VMDiskImage(["metadata": ["name": .string(name), "namespace": "labs"], "spec": spec, "status": status])
    }

    @Test func syncingShowsPercentBytesAndRate() {
        let row = ImageRow(
            Self.image("a", status: ["phase": "Syncing", "progress": "45.67%", "bytesTransferred": .int(3 * 1024 * 1024)]),
            rate: 1536 * 1024)
        #expect(row.percent == 45)
        #expect(row.percentText == "45.7 %")
        #expect(row.bytesText == "3.0 MiB")
        #expect(row.rateText == "1.5 MiB/s")
        #expect(row.phaseClass == "muted")
        #expect(row.source == "http: http://h/d.img")
        #expect(row.model["percent"] as? Int == 45)
    }

    @Test func readyIsAHundredAndQueuedShowsItsPlace() {
        let ready = ImageRow(Self.image("r", status: ["phase": "Ready", "progress": "N/A"]), rate: 99)
        #expect(ready.percent == 100)
        #expect(ready.percentText == "100 %")
        #expect(ready.rateText == nil)
        #expect(ready.phaseClass == "ok")
        let queued = ImageRow(Self.image("q", status: ["phase": "Queued", "queuePosition": 2]), rate: nil)
        #expect(queued.percent == 0)
        #expect(queued.queuePosition == 2)
        #expect(queued.percentText == "waiting")
        let failed = ImageRow(Self.image("f", status: ["phase": "Failed", "message": "gone", "failureCount": 1]), rate: nil)
        #expect(failed.phaseClass == "bad")
        #expect(failed.model["failures"] as? String == "1 failed attempt")
        #expect(failed.sortRank < queued.sortRank)
    }

    @Test func progressTextIsParsedAndBounded() {
        #expect(ImageRow.percent(fromProgress: "12.5%") == 12.5)
        #expect(ImageRow.percent(fromProgress: "250%") == 100)
        #expect(ImageRow.percent(fromProgress: "N/A") == nil)
        #expect(ImageRow.percent(fromProgress: "nan%") == nil)
        #expect(ImageRow.percent(fromProgress: nil) == nil)
    }

    @Test func ratesComeFromRecentSamplesAndRestartWithANewAttempt() {
        let rates = TransferRates()
        let start = Date(timeIntervalSince1970: 1000)
        #expect(rates.observe("ns/a", bytes: 0, at: start) == nil)
        #expect(rates.observe("ns/a", bytes: 2048, at: start.addingTimeInterval(2)) == 1024)
        // A new attempt starts from zero: the rate starts over.
        #expect(rates.observe("ns/a", bytes: 10, at: start.addingTimeInterval(3)) == nil)
        // Old samples fall out of the window.
        #expect(rates.observe("ns/a", bytes: 10 + 1000, at: start.addingTimeInterval(4)) == 1000)
        let later = rates.observe("ns/a", bytes: 1010 + 3000, at: start.addingTimeInterval(30))
        #expect(later == nil)
        rates.retain([])
        #expect(rates.trackedCount == 0)
    }

    @Test func tableModelCountsAndOrders() {
        let images = [
            Self.image("ready", status: ["phase": "Ready"]),
            Self.image("q2", status: ["phase": "Queued", "queuePosition": 2]),
            Self.image("q1", status: ["phase": "Queued", "queuePosition": 1]),
            Self.image("broken", status: ["phase": "Failed"]),
        ]
        let model = ImagePages.tableModel(images, rates: TransferRates(), now: Date())
        let names = (model["images"] as? [[String: Any]] ?? []).map { $0["name"] as? String }
        #expect(names == ["broken", "q1", "q2", "ready"])
        let counts = model["counts"] as? [[String: Any]] ?? []
        #expect(counts.first { $0["label"] as? String == "queued" }?["count"] as? Int == 2)
        #expect(model["hasImages"] as? Bool == true)
        #expect(ImagePages.tableModel([], rates: TransferRates(), now: Date())["hasImages"] == nil)
    }
}

@Suite struct ImageFormTests {
    static func form(_ fields: [(String, String)]) -> ImageForm {
        ImageForm(form: FormData(fields: fields.map { (name: $0.0, value: $0.1) }))
    }

    @Test func buildsTheObjectLeavingEmptyOptionalsOut() throws {
        var form = Self.form([
            ("name", "ubuntu"), ("namespace", "labs"), ("sourceType", "http"), ("url", " http://h/u.img "),
            ("diskSize", "10Gi"), ("checksum", ""), ("secretRef", ""),
        ])
        let formReady = form.checkBeforeSending()
        #expect(formReady)
        let object = form.object
        #expect(object["kind"]?.stringValue == "VMDiskImage")
        #expect(object["apiVersion"]?.stringValue == "crd.pelotech.ot/v1alpha1")
        #expect(object[path: ["metadata", "namespace"]]?.stringValue == "labs")
        #expect(object[path: ["spec", "url"]]?.stringValue == "http://h/u.img")
        #expect(object[path: ["spec", "diskSize"]]?.stringValue == "10Gi")
        #expect(object[path: ["spec", "checksum"]] == nil)
    }

    @Test func checksTheSchemaCannotMake() {
        var form = Self.form([("name", "x"), ("namespace", "Bad NS"), ("sourceType", "ftp"), ("url", "ftp://h/x")])
        let formReady = form.checkBeforeSending()
        #expect(!formReady)
        #expect(form.errors["namespace"] != nil)
        #expect(form.errors["sourceType"] != nil)
        var wrongScheme = Self.form([("namespace", "ns"), ("sourceType", "http"), ("url", "s3://bucket/key")])
        let wrongSchemeReady = wrongScheme.checkBeforeSending()
        #expect(!wrongSchemeReady)
        #expect(wrongScheme.errors["url"]?.contains("http") == true)
        var s3 = Self.form([("namespace", "ns"), ("sourceType", "s3"), ("url", "s3://bucket/key")])
        let s3Ready = s3.checkBeforeSending()
        #expect(s3Ready)
    }

    @Test func theAPIsCausesGoBesideTheirFields() {
        var form = Self.form([("name", "x"), ("namespace", "ns")])
        let status: JSONValue = [
            "kind": "Status", "code": 422, "reason": "Invalid",
            "details": [
                "causes": [
                    ["field": "spec.checksum", "message": "Invalid value: \"md5:1\": spec.checksum in body should match '^sha256:'"],
                    ["field": "spec.diskSize", "message": "Invalid value: \"lots\""],
                    ["field": "spec.other", "message": "odd"],
                ]
            ],
        ]
        form.take(KubeClientError(code: 422, reason: "Invalid", message: "invalid", request: "POST x", status: status))
        #expect(form.errors["checksum"]?.contains("sha256") == true)
        #expect(form.errors["diskSize"] == "Invalid value: \"lots\"")
        #expect(form.problem == "spec.other: odd")
        let model = form.model(csrf: "t")
        let inputs = (model["sourceInputs"] as? [[String: Any]]) ?? []
        let checksum = inputs.first { $0["name"] as? String == "checksum" }
        #expect(checksum?["describedBy"] as? String == "image-checksum-hint image-checksum-error")
        #expect(model["csrf"] as? String == "t")
    }

    @Test func missingNamespaceAndTakenNameAreNamed() {
        var form = Self.form([("name", "x"), ("namespace", "nope")])
        form.take(
            KubeClientError(
                code: 404, reason: "NotFound", message: "namespaces \"nope\" not found", request: "POST",
                status: ["details": ["kind": "namespaces", "name": "nope"]]))
        #expect(form.errors["namespace"]?.contains("no namespace nope") == true)
        var taken = Self.form([("name", "x"), ("namespace", "ns")])
        taken.take(KubeClientError(code: 409, reason: "AlreadyExists", message: "exists", request: "POST"))
        #expect(taken.errors["name"]?.contains("already exists") == true)
    }
}
