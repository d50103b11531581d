import KubeModel
import Synchronization
import Testing

@testable import ImageSync

/// The policy ConfigMap at one version.
private func policyConfigMap(version: String, _ data: [String: String]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(SyncPolicy.configMapName), "namespace": "virtyard-system", "resourceVersion": .string(version)],
        "data": .object(data.mapValues(JSONValue.string)),
    ]
}

/// A value behind a lock, shared with the store's closures.
private final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func update(_ body: (inout Value) -> Void) { mutex.withLock { body(&$0) } }
}

/// A cache holding at most the policy ConfigMap, and what the store reported.
private struct Harness {
    let configMap = Locked<JSONValue?>(nil)
    let reports = Locked<[PolicyChange]>([])
    let store: PolicyStore

    init(defaults: SyncPolicy = .builtIn) {
        let configMap = self.configMap
        let reports = self.reports
        store = PolicyStore(
            defaults: defaults, lookup: { configMap.value },
            report: { change in reports.update { $0.append(change) } })
    }

    func set(_ object: JSONValue?) { configMap.update { $0 = object } }
    var reported: [PolicyChange] { reports.value }
    /// The Events the reports would record.
    var events: [String] { reported.compactMap { $0.event?.reason } }
}

@Suite struct PolicyStoreTests {
    @Test func readingThePolicyRecordsNothing() {
        let harness = Harness()
        harness.set(policyConfigMap(version: "1", ["concurrency": "lots"]))
        // Reads only read: the version is taken in by a refresh (an informer event), not here.
        #expect(harness.store.current == .builtIn)
        #expect(harness.store.current == .builtIn)
        #expect(harness.reported.isEmpty)
    }

    @Test func aPolicyReadTwiceRecordsOneEvent() {
        let harness = Harness()
        harness.set(policyConfigMap(version: "1", ["concurrency": "3"]))
        harness.store.refresh()
        harness.set(policyConfigMap(version: "2", ["concurrency": "lots"]))
        harness.store.refresh()
        #expect(harness.store.current.concurrency == 3)
        #expect(harness.store.current.concurrency == 3)
        // The same version again (an update of another key's handler, a replay): nothing new.
        harness.store.refresh()
        #expect(harness.events == ["InvalidPolicy"])
        #expect(harness.reported.count == 2)
        var three = SyncPolicy.builtIn
        three.concurrency = 3
        #expect(harness.reported.first == .applied(three))
    }

    @Test func aBadPolicyIsReportedOncePerChange() throws {
        let harness = Harness()
        var three = SyncPolicy.builtIn
        three.concurrency = 3
        harness.set(policyConfigMap(version: "1", ["concurrency": "3"]))
        harness.store.refresh()
        for version in ["2", "2", "3", "3", "3"] {
            harness.set(policyConfigMap(version: version, ["concurrency": "lots", "retryLimit": "1"]))
            harness.store.refresh()
            harness.store.refresh()
        }
        #expect(harness.events == ["InvalidPolicy", "InvalidPolicy"])
        // The previous policy stays in force, valid keys of the bad version included: not applied.
        #expect(harness.store.current == three)
        guard case .rejected(let error, let keeping, let configMap) = try #require(harness.reported.last) else {
            Issue.record("not a rejection: \(harness.reported)")
            return
        }
        #expect(error.key == "concurrency")
        #expect(keeping == three)
        #expect(configMap.resourceVersion == "3")
        #expect(harness.reported.last?.event?.message.contains("lots") == true)

        // Fixed, then deleted: one report each, and deleting twice is one change.
        harness.set(policyConfigMap(version: "4", ["concurrency": "2"]))
        harness.store.refresh()
        #expect(harness.store.current.concurrency == 2)
        harness.set(nil)
        harness.store.refresh()
        harness.store.refresh()
        #expect(harness.store.current == .builtIn)
        #expect(harness.reported.count == 5)
        #expect(harness.reported.last == .removed(defaults: .builtIn))
        #expect(harness.events.count == 2)
    }

    @Test func startingWithABadPolicyAppliesItsValidKeys() {
        let harness = Harness()
        harness.set(policyConfigMap(version: "7", ["concurrency": "lots", "retryLimit": "1"]))
        harness.store.refresh()
        #expect(harness.store.current.retryLimit == 1)
        #expect(harness.store.current.concurrency == SyncPolicy.builtIn.concurrency)
        #expect(harness.events == ["InvalidPolicy"])
    }

    @Test func noConfigMapAtStartIsNoChange() {
        let harness = Harness()
        harness.store.refresh()
        harness.store.refresh()
        #expect(harness.store.current == .builtIn)
        #expect(harness.reported.isEmpty)
    }
}
