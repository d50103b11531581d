import Foundation
import KubeClient
import KubeModel
import Testing

@testable import ControllerKit

@Suite("LeaderElection")
struct LeaderElectionTests {
    private let leases = Fixtures.leases

    /// Lease 1 s (the smallest `leaseDurationSeconds`), renew deadline 600 ms, retry 100 ms.
    private func configuration(_ identity: String) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            identity: identity, leaseDuration: .seconds(1), renewDeadline: .milliseconds(600),
            retryPeriod: .milliseconds(100))
    }

    private func lease(_ api: FakeKubernetesAPI) -> JSONValue? {
        api.object(leases, namespace: "virtyard-system", name: "virtyard-controller")
    }

    /// Contends until cancelled, leading with work that only waits; records cancelled terms.
    private func contend(_ elector: LeaderElector, terms: Recorder<String>? = nil) async {
        try? await elector.run {
            terms?.append("started")
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                terms?.append("cancelled")
                throw error
            }
        }
    }

    @Test func exactlyOneOfTwoCandidatesLeads() async {
        // A renew deadline no scheduling hiccup of a loaded test machine reaches: this test is
        // about mutual exclusion, not about how fast a stalled leader steps down.
        let patient = { (identity: String) in
            LeaderElectionConfiguration(
                identity: identity, leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .milliseconds(100))
        }
        let api = FakeKubernetesAPI()
        let a = LeaderElector(api: api, configuration: patient("a"))
        let b = LeaderElector(api: api, configuration: patient("b"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await contend(a) }
            group.addTask { await contend(b) }
            #expect(await eventually { a.isLeader || b.isLeader })
            // Over several renew periods, never two leaders and never a change of leader.
            let first = a.isLeader ? "a" : "b"
            var samples: [Int] = []
            for _ in 0..<40 {
                samples.append([a.isLeader, b.isLeader].filter { $0 }.count)
                #expect((a.isLeader ? "a" : "b") == first)
                try? await Task.sleep(for: .milliseconds(10))
            }
            #expect(samples.allSatisfy { $0 == 1 })
            #expect(lease(api)?[path: ["spec", "holderIdentity"]]?.stringValue == first)
            #expect(lease(api)?[path: ["spec", "leaseTransitions"]]?.intValue == 0)
            #expect((first == "a" ? b : a).currentLeader == first)
            group.cancelAll()
        }
    }

    @Test func followerTakesOverWithinTheLeaseDurationAfterTheLeaderDies() async throws {
        let api = FakeKubernetesAPI()
        let a = LeaderElector(api: api, configuration: configuration("a"))
        let b = LeaderElector(api: api, configuration: configuration("b"))
        var lastRenewalByA: MicroTime?
        await withTaskGroup(of: Void.self) { followers in
            await withTaskGroup(of: Void.self) { leader in
                leader.addTask { await contend(a) }
                #expect(await eventually { a.isLeader })
                followers.addTask { await contend(b) }
                #expect(await eventually { b.currentLeader == "a" })
                #expect(!b.isLeader)
                // Kill the leader: cancelled, it neither renews nor releases.
                leader.cancelAll()
            }
            #expect(!a.isLeader)
            lastRenewalByA = lease(api)?[path: ["spec", "renewTime"]]?.stringValue.flatMap(MicroTime.init(parsing:))
            #expect(await eventually(timeout: .seconds(5)) { b.isLeader })
            followers.cancelAll()
        }
        let spec = lease(api)?["spec"]
        #expect(spec?["holderIdentity"]?.stringValue == "b")
        #expect(spec?["leaseTransitions"]?.intValue == 1)
        // Never before the lease expired: b took it at least one lease duration (1 s) after the
        // dead leader's last renewal, by the lease's own timestamps rather than the test's clock.
        let acquiredByB = spec?["acquireTime"]?.stringValue.flatMap(MicroTime.init(parsing:))
        if let lastRenewalByA, let acquiredByB {
            #expect(acquiredByB.microsecondsSince1970 - lastRenewalByA.microsecondsSince1970 >= 1_000_000)
        } else {
            Issue.record("the lease lacks renewTime or acquireTime")
        }
    }

    @Test func optimisticConcurrencyDecidesARaceForAnExpiredLease() async throws {
        let api = FakeKubernetesAPI()
        // A released lease: anyone may take it at once.
        _ = try await api.create(
            leases, namespace: "virtyard-system",
            object: [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "virtyard-controller", "namespace": "virtyard-system"],
                "spec": ["leaseDurationSeconds": 1, "leaseTransitions": 4],
            ])
        // Hold both updates until both candidates have read the same resourceVersion.
        let arrived = Locked(0)
        let gate = Gate()
        api.setWriteHook { verb, _, _ in
            guard verb == .update else { return nil }
            if arrived.withLock({
                $0 += 1
                return $0
            }) == 2 {
                gate.open()
            }
            await gate.wait()
            return nil
        }
        let a = LeaderElector(api: api, configuration: configuration("a"))
        let b = LeaderElector(api: api, configuration: configuration("b"))
        async let attemptA = a.tryAcquireOrRenew()
        async let attemptB = b.tryAcquireOrRenew()
        let results = await [("a", attemptA), ("b", attemptB)]
        let winners = results.filter { if case .holding = $0.1 { return true } else { return false } }.map(\.0)
        let losers = results.filter {
            if case .failed(.lostRace) = $0.1 { return true } else { return false }
        }.map(\.0)
        #expect(winners.count == 1)
        #expect(losers.count == 1)
        #expect(api.conflicts == 1)
        #expect(lease(api)?[path: ["spec", "holderIdentity"]]?.stringValue == winners.first)
        #expect(lease(api)?[path: ["spec", "leaseTransitions"]]?.intValue == 5)
    }

    @Test func createRaceHasOneWinner() async {
        let api = FakeKubernetesAPI()
        let arrived = Locked(0)
        let gate = Gate()
        api.setWriteHook { verb, _, _ in
            guard verb == .create else { return nil }
            if arrived.withLock({
                $0 += 1
                return $0
            }) == 2 {
                gate.open()
            }
            await gate.wait()
            return nil
        }
        let a = LeaderElector(api: api, configuration: configuration("a"))
        let b = LeaderElector(api: api, configuration: configuration("b"))
        async let attemptA = a.tryAcquireOrRenew()
        async let attemptB = b.tryAcquireOrRenew()
        let results = await [attemptA, attemptB]
        let holding = results.filter { if case .holding = $0 { return true } else { return false } }
        let lost = results.filter { if case .failed(.lostRace) = $0 { return true } else { return false } }
        #expect(holding.count == 1)
        #expect(lost.count == 1)
    }

    @Test func leaderThatCannotRenewStepsDownAndTheOtherTakesOver() async {
        let api = FakeKubernetesAPI()
        let a = LeaderElector(api: api, configuration: configuration("a"))
        let b = LeaderElector(api: api, configuration: configuration("b"))
        let aTerms = Recorder<String>()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await contend(a, terms: aTerms) }
            #expect(await eventually { a.isLeader })
            group.addTask { await contend(b) }
            try? await Task.sleep(for: .milliseconds(200))

            // Partition a from the API server: its writes fail from now on.
            api.setWriteHook { verb, _, object in
                guard verb == .update, object[path: ["spec", "holderIdentity"]]?.stringValue == "a" else { return nil }
                return FakeKubernetesAPI.error(503, "ServiceUnavailable", "partitioned", "PUT")
            }
            #expect(await eventually { !a.isLeader })
            // It stepped down and cancelled its work before anyone else could lead (how fast is
            // not asserted: a loaded test machine makes any bound flaky).
            #expect(!b.isLeader)
            #expect(await eventually { aTerms.all == ["started", "cancelled"] })

            #expect(await eventually(timeout: .seconds(3)) { b.isLeader })
            #expect(!a.isLeader)
            // a keeps contending without disturbing the new leader.
            api.setWriteHook(nil)
            try? await Task.sleep(for: .milliseconds(300))
            #expect(b.isLeader && !a.isLeader)
            group.cancelAll()
        }
    }

    @Test func leaderThatStopsReleasesTheLeaseForAQuickHandOver() async throws {
        // A lease far longer than the wait below: b can only lead in time if a released it.
        let long = { (identity: String) in
            LeaderElectionConfiguration(
                identity: identity, leaseDuration: .seconds(60), renewDeadline: .seconds(40),
                retryPeriod: .milliseconds(100))
        }
        let api = FakeKubernetesAPI()
        let a = LeaderElector(api: api, configuration: long("a"))
        let b = LeaderElector(api: api, configuration: long("b"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            let finish = Gate()
            group.addTask {
                try await a.run { await finish.wait() }
            }
            #expect(await eventually { a.isLeader })
            group.addTask { await contend(b) }
            #expect(await eventually { b.currentLeader == "a" })
            finish.open()
            // a's run returns after releasing: the lease has no holder.
            _ = try await group.next()
            #expect(!a.isLeader)
            #expect(await eventually(timeout: .seconds(20)) { b.isLeader })
            group.cancelAll()
        }
        #expect(lease(api)?[path: ["spec", "holderIdentity"]]?.stringValue == "b")
    }

    @Test func leaseCarriesKubernetesSpecFields() async throws {
        let api = FakeKubernetesAPI()
        let a = LeaderElector(
            api: api,
            configuration: LeaderElectionConfiguration(
                namespace: "ops", name: "lock", identity: "host_42", leaseDuration: .seconds(15), renewDeadline: .seconds(10),
                retryPeriod: .seconds(5)))
        guard case .holding = await a.tryAcquireOrRenew() else {
            Issue.record("expected to acquire a free lease")
            return
        }
        let lease = try #require(api.object(leases, namespace: "ops", name: "lock"))
        #expect(lease.apiVersion == "coordination.k8s.io/v1")
        #expect(lease.kind == "Lease")
        let spec = try #require(lease["spec"])
        #expect(spec["holderIdentity"]?.stringValue == "host_42")
        #expect(spec["leaseDurationSeconds"] == .int(15))
        #expect(spec["leaseTransitions"] == .int(0))
        let microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/
        let acquire = try #require(spec["acquireTime"]?.stringValue)
        let renew = try #require(spec["renewTime"]?.stringValue)
        #expect(acquire.wholeMatch(of: microTime) != nil)
        #expect(renew.wholeMatch(of: microTime) != nil)

        // A renewal moves renewTime only.
        try await Task.sleep(for: .milliseconds(5))
        guard case .holding = await a.tryAcquireOrRenew() else {
            Issue.record("expected to renew")
            return
        }
        let renewed = try #require(api.object(leases, namespace: "ops", name: "lock")?["spec"])
        #expect(renewed["acquireTime"]?.stringValue == acquire)
        #expect(renewed["renewTime"]?.stringValue != renew)
        #expect(renewed["leaseTransitions"] == .int(0))
    }

    @Test func defaultsMatchTheIssue() {
        let configuration = LeaderElectionConfiguration()
        #expect(configuration.namespace == "virtyard-system")
        #expect(configuration.name == "virtyard-controller")
        #expect(configuration.leaseDuration == .seconds(15))
        #expect(configuration.renewDeadline == .seconds(10))
        #expect(configuration.retryPeriod == .seconds(5))
        #expect(configuration.identity.hasSuffix("_\(ProcessInfo.processInfo.processIdentifier)"))
    }

    @Test func anElectorContendsOnceAtATime() async {
        let api = FakeKubernetesAPI()
        let a = LeaderElector(api: api, configuration: configuration("a"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await contend(a) }
            #expect(await eventually { a.isLeader })
            await #expect(throws: LeaderElectionError.self) { try await a.run {} }
            #expect(a.isLeader)
            group.cancelAll()
        }
        #expect(!a.isLeader)
    }

    @Test func impossibleTimingsAreRefused() async {
        let api = FakeKubernetesAPI()
        let elector = LeaderElector(
            api: api,
            configuration: LeaderElectionConfiguration(
                identity: "a", leaseDuration: .seconds(5), renewDeadline: .seconds(5), retryPeriod: .seconds(1)))
        await #expect(throws: LeaderElectionError.self) { try await elector.run {} }
        #expect(lease(api) == nil)
    }
}
