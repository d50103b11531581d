import KubeModel
import Testing

@testable import WebConsole

/// The tenancy page's model and templates from objects alone: quota use, vApp status and
/// which power buttons are offered.
@Suite struct TenancyViewModelTests {
    static let vAppID = "11111111-2222-4333-8444-555555555555"

    static func objects(runStrategy: String = "Always", printable: String = "Running") throws -> TenancyObjects {
        func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }
        return TenancyObjects(
            organizations: [
                try json(
                    #"{"metadata":{"name":"acme"},"spec":{"id":"aaaaaaaa-0000-4000-8000-000000000001","name":"Acme","fullName":"Acme Inc."}}"#
                ),
                try json(#"{"metadata":{"name":"bare"},"spec":{"id":"aaaaaaaa-0000-4000-8000-000000000002","name":"Bare"}}"#),
                try json(#"{"metadata":{"name":"broken"},"spec":{"name":"no id"}}"#),
            ],
            vdcs: [
                try json(
                    #"{"metadata":{"name":"acme.dev"},"spec":{"id":"bbbbbbbb-0000-4000-8000-000000000001","name":"dev","organization":"acme","computeCapacity":{"cpu":{"limit":4000,"units":"MHz"},"memory":{"limit":4096,"units":"MB"}}}}"#
                ),
                // A VDC of an organisation that does not exist is not shown.
                try json(
                    #"{"metadata":{"name":"ghost.x"},"spec":{"id":"bbbbbbbb-0000-4000-8000-000000000009","name":"x","organization":"ghost"}}"#
                ),
            ],
            vApps: [
                try json(
                    #"{"metadata":{"name":"web","namespace":"vdc-acme-dev","labels":{"virtyard.io/vapp-id":"\#(vAppID)"}},"spec":{"id":"\#(vAppID)","name":"Web","vdcID":"bbbbbbbb-0000-4000-8000-000000000001","owner":{"name":"ann"},"template":{"name":"fedora"}}}"#
                )
            ],
            virtualMachines: [
                try json(
                    #"{"metadata":{"name":"web-vm","namespace":"vdc-acme-dev","uid":"cccccccc-0000-4000-8000-000000000001","labels":{"vapp.ssvirt":"web"}},"spec":{"runStrategy":"\#(runStrategy)","template":{"spec":{"domain":{"cpu":{"cores":2},"memory":{"guest":"1Gi"}}}}},"status":{"printableStatus":"\#(printable)"}}"#
                )
            ],
            claims: [
                try json(#"{"metadata":{"name":"disk","namespace":"vdc-acme-dev"},"spec":{"resources":{"requests":{"storage":"10Gi"}}}}"#)
            ],
            quotas: [
                try json(#"{"metadata":{"name":"vdc-quota","namespace":"vdc-acme-dev"},"spec":{"hard":{"requests.storage":"20Gi"}}}"#)
            ])
    }

    static func firstVDC(_ model: [String: Any]) throws -> [String: Any] {
        let organizations = try #require(model["organizations"] as? [[String: Any]])
        let vdcs = try #require(organizations.first?["vdcs"] as? [[String: Any]])
        return try #require(vdcs.first)
    }

    @Test func showsOrganisationsWithTheirVDCsAndQuotaUse() throws {
        let model = TenancyViewModel.build(try Self.objects())
        let organizations = try #require(model["organizations"] as? [[String: Any]])
        #expect(organizations.map { $0["name"] as? String } == ["Acme", "Bare"])
        #expect(model["vdcCount"] as? Int == 1)
        let vdc = try Self.firstVDC(model)
        #expect(vdc["namespace"] as? String == "vdc-acme-dev")
        let quota = try #require(vdc["quota"] as? [[String: Any]])
        #expect(quota.map { $0["text"] as? String } == ["2 of 4 cores (50 %)", "1 of 4 GiB (25 %)", "10 of 20 GiB (50 %)"])
        #expect(quota.map { $0["level"] as? String } == ["ok", "ok", "ok"])
    }

    @Test func aRunningVAppOffersPowerOffAndAHaltedOnePowerOn() throws {
        let running = try #require((try Self.firstVDC(TenancyViewModel.build(try Self.objects())))["vApps"] as? [[String: Any]])
        #expect(running.first?["status"] as? String == "Powered on")
        #expect(running.first?["canPowerOn"] as? Bool == false)
        #expect(running.first?["canPowerOff"] as? Bool == true)
        let halted = try Self.firstVDC(TenancyViewModel.build(try Self.objects(runStrategy: "Halted", printable: "Stopped")))
        let vApps = try #require(halted["vApps"] as? [[String: Any]])
        #expect(vApps.first?["status"] as? String == "Powered off")
        #expect(vApps.first?["canPowerOn"] as? Bool == true)
        #expect(vApps.first?["canPowerOff"] as? Bool == false)
        // A halted VM uses none of the quota.
        let quota = try #require(halted["quota"] as? [[String: Any]])
        #expect(quota.first?["text"] as? String == "0 of 4 cores (0 %)")
    }

    @Test func quotaWordsAndLevels() {
        #expect(QuotaUse(resource: "CPU", used: 3, limit: nil, unit: "cores").text == "3 cores used (no limit)")
        #expect(QuotaUse(resource: "CPU", used: 5, limit: 4, unit: "cores").level == "bad")
        #expect(QuotaUse(resource: "CPU", used: 5, limit: 4, unit: "cores").percent == 100)
        #expect(QuotaUse(resource: "Memory", used: 3.75, limit: 4, unit: "GiB").level == "warn")
        #expect(QuotaUse.cores(limit: 2, units: "GHz") == 2)
        #expect(QuotaUse.cores(limit: 0, units: "MHz") == nil)
        #expect(QuotaUse.gibibytes(limit: 2048, units: "MB") == 2)
        #expect(QuotaUse.gibibytes(quantity: "512Mi") == 0.5)
        #expect(QuotaUse.gibibytes(quantity: "lots") == nil)
    }

    @Test func theLiveRegionHasItsIDAndButtonsAndEscapesNames() async throws {
        var objects = try Self.objects()
        objects.organizations.append(
            try JSONValue(
                parsing: #"{"metadata":{"name":"evil"},"spec":{"id":"aaaaaaaa-0000-4000-8000-000000000003","name":"<script>x</script>"}}"#))
        let renderer = try await ConsoleRenderer.bundled()
        let html = renderer.html(ConsoleView(template: "tenancy/live", title: "Tenancy", model: TenancyViewModel.build(objects)))
        #expect(html.hasPrefix("<div id=\"live-tenancy\">"))
        #expect(html.contains("hx-post=\"/ui/tenancy/vapps/\(Self.vAppID)/power-off\""))
        #expect(html.contains("hx-confirm=\"Delete vApp Web"))
        #expect(!html.contains("<script>x"))
        #expect(!html.contains("csrf"))
    }

    @Test func noOrganisationsSaysWhatToDo() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let html = renderer.html(ConsoleView(template: "tenancy/live", title: "Tenancy", model: TenancyViewModel.build(TenancyObjects())))
        #expect(html.contains("No organisations yet"))
    }
}
