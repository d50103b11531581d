import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Provisioning

/// Safe mode on `DELETE /api/v1/vms/{namespace}/{name}` and the persisted audit log.
@Suite struct SafeModeAndAuditTests {
    typealias H = ProvisioningRouteHarness

    @Test func aVMTheProvisionerDidNotMakeIsRefusedUnlessForced() async throws {
        try await H.run { harness, client in
            try await harness.ensureNamespace("lab")
            // The cluster label alone does not make a VM the provisioner's.
            try await harness.virtualMachine("precious", namespace: "lab", labels: [ProvisioningLabels.cluster: "demo"])
            let refused = try await H.send(client, .delete, "/api/v1/vms/lab/precious")
            #expect(refused.status == .forbidden)
            let body = try #require(H.json(refused))
            #expect(body["error"] == "SAFE_MODE_VIOLATION" && body["message"]?.stringValue?.contains("lab/precious") == true)
            #expect(body[path: ["details", "reason"]]?.stringValue?.contains(ProvisioningLabels.managedBy) == true)
            #expect(body[path: ["details", "suggestion"]]?.stringValue?.contains("force=true") == true)
            // Nothing deleted.
            _ = try await harness.api.get(.virtualMachines, namespace: "lab", name: "precious")

            let forced = try await H.send(client, .delete, "/api/v1/vms/lab/precious?force=true")
            #expect(forced.status == .ok, "\(H.text(forced))")
            #expect(H.json(forced)?["decision"] == "OVERRIDDEN")
            await #expect(throws: KubeClientError.self) {
                _ = try await harness.api.get(.virtualMachines, namespace: "lab", name: "precious")
            }

            try await harness.virtualMachine(
                "demo-work-01", namespace: "lab",
                labels: [ProvisioningLabels.cluster: "demo", ProvisioningLabels.managedBy: ProvisioningLabels.managedByValue])
            let allowed = try await H.send(client, .delete, "/api/v1/vms/lab/demo-work-01")
            #expect(allowed.status == .ok && H.json(allowed)?["decision"] == "ALLOWED")

            let entries = try await H.audit(client)
            #expect(entries.map { $0["decision"]?.stringValue ?? "" } == ["BLOCKED", "OVERRIDDEN", "ALLOWED"])
            #expect(entries.allSatisfy { $0["operation"] == "DELETE_VM" && $0["user"] == "admin" })
            #expect(entries.map { $0["vmName"]?.stringValue ?? "" } == ["precious", "precious", "demo-work-01"])
        }
    }

    @Test func withSafeModeOffAnyVMMayBeDeleted() async throws {
        try await H.run(safeMode: false) { harness, client in
            try await harness.ensureNamespace("lab")
            try await harness.virtualMachine("mine", namespace: "lab", labels: [:])
            let response = try await H.send(client, .delete, "/api/v1/vms/lab/mine")
            #expect(response.status == .ok && H.json(response)?["decision"] == "ALLOWED")
        }
    }

    @Test(arguments: [
        ("/api/v1/vms/lab/nothing", HTTPResponse.Status.notFound, "RESOURCE_NOT_FOUND"),
        ("/api/v1/vms/LAB/x", .notFound, "RESOURCE_NOT_FOUND"),
        ("/api/v1/vms/lab/x..y", .notFound, "RESOURCE_NOT_FOUND"),
        ("/api/v1/vms/lab/\(String(repeating: "v", count: 254))", .notFound, "RESOURCE_NOT_FOUND"),
        ("/api/v1/vms/lab/x?force=yes", .badRequest, "BAD_REQUEST"),
    ])
    func hostileVMDeletesAre4xx(uri: String, status: HTTPResponse.Status, code: String) async throws {
        try await H.run { harness, client in
            try await harness.ensureNamespace("lab")
            try await harness.virtualMachine("x", namespace: "lab", labels: [:])
            let response = try await H.send(client, .delete, uri)
            #expect(H.moxxieError(response, status) == code, "\(H.text(response))")
            _ = try await harness.api.get(.virtualMachines, namespace: "lab", name: "x")
        }
    }

    @Test(arguments: [
        "?limit=0", "?limit=1001", "?limit=ten", "?limit=99999999999", "?startTime=yesterday", "?startTime=2026-13-01T00:00:00Z",
        "?startTime=",
    ])
    func badAuditQueriesAre400(query: String) async throws {
        try await H.run { _, client in
            let response = try await H.send(client, .get, "/api/v1/safety/audit\(query)")
            #expect(H.moxxieError(response, .badRequest) == "BAD_REQUEST")
        }
    }

    @Test func auditQueriesFilterByTimeAndLimit() async throws {
        try await H.run { harness, client in
            for name in ["a1", "a2", "a3"] { _ = try await harness.provision(client, name) }
            let limited = try await H.audit(client, query: "?limit=2")
            #expect(limited.count == 2)
            let all = try await H.audit(client, query: "?limit=1000")
            #expect(all.map { $0["resource"]?.stringValue ?? "" } == ["a1", "a2", "a3"].map { "\(H.namespace)/\($0)" })
            let future = try await H.audit(client, query: "?startTime=2999-01-01T00:00:00Z")
            #expect(future.isEmpty)
            let past = try await H.audit(client, query: "?startTime=2000-01-01T00:00:00Z")
            #expect(past.count == 3)
            // Stored as AuditEntry objects in the provisioning namespace, named in time order.
            let objects = try await harness.api.list(.auditEntries, namespace: H.namespace).items
            #expect(objects.count == 3 && objects.allSatisfy { $0.name?.hasPrefix("audit-") == true })
        }
    }

    @Test func theLogPersistsAndKeepsOnlyTheNewestEntries() async throws {
        try await H.run { harness, _ in
            let log = ProvisioningAuditLog(api: harness.api, namespace: "audit-test", maximumEntries: 5)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<8 {
                try await log.record(
                    AuditEntry(
                        timestamp: start.addingTimeInterval(Double(index)), user: "admin", action: "PROVISION",
                        resource: "audit-test/c\(index)", result: .accepted, message: "entry \(index)", operationID: "op-0000000\(index)"))
            }
            let stored = try await harness.api.list(.auditEntries, namespace: "audit-test").items
            #expect(stored.count == 5)
            // Another log (another replica, a restarted process) reads what this one wrote.
            let reader = ProvisioningAuditLog(api: harness.api, namespace: "audit-test")
            let entries = try await reader.entries(since: nil, limit: 100)
            #expect(entries.map(\.resource) == (3..<8).map { "audit-test/c\($0)" })
            #expect(entries.first?.message == "entry 3" && entries.first?.operationID == "op-00000003")
            #expect(entries.first?.timestamp == start.addingTimeInterval(3))
            let since = try await reader.entries(since: start.addingTimeInterval(6), limit: 100)
            #expect(since.map(\.resource) == ["audit-test/c6", "audit-test/c7"])
            #expect(try await reader.entries(since: nil, limit: 2).count == 2)
        }
    }

    @Test func timesSurviveTheRoundTripThroughText() throws {
        for text in ["2026-12-05T07:22:14.733213Z", "2026-12-05T07:22:14.000001Z", "2026-12-05T07:22:14.999999Z"] {
            let date = try #require(Timestamp.date(text))
            #expect(AuditEntry.microTime(date) == text)
        }
    }

    @Test func entryNamesSortInTimeOrder() {
        var random = SystemRandomNumberGenerator()
        let times = [0.0, 0.001, 0.5, 1, 59.999, 3600, 86_400 * 400].map { Date(timeIntervalSince1970: 1_800_000_000 + $0) }
        let names = times.map { AuditEntry.objectName(for: $0, random: &random) }
        #expect(names == names.sorted())
        #expect(names.allSatisfy { $0.count <= 63 && $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } })
    }
}
