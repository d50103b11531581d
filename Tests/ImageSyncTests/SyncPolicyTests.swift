import Testing

@testable import ImageSync

@Suite struct SyncPolicyTests {
    @Test func defaultsAreDataSyncOperators() throws {
        let policy = try SyncPolicy.defaults(environment: [:])
        #expect(policy == SyncPolicy.builtIn)
        #expect(policy.concurrency == 5)
        #expect(policy.maxRetryBackoff == .seconds(3600))
        #expect(policy.syncDeadline == .seconds(12 * 3600))
        // 3ⁿ minutes capped at an hour, as data-sync-operator waits.
        #expect(
            (1...5).map { policy.backoff(afterFailures: $0) } == [
                .seconds(180), .seconds(540), .seconds(1620),
                .seconds(3600), .seconds(3600),
            ])
    }

    @Test func environmentOverridesDefaults() throws {
        let policy = try SyncPolicy.defaults(environment: [
            "MAX_VMDI_SYNC_CONCURRENCY": "2", "MAX_SYNC_DURATION": "30m",
            "MAX_SYNC_ATTEMPT_RETRIES": "7", "UNRELATED": "x",
        ])
        #expect(policy.concurrency == 2)
        #expect(policy.syncDeadline == .seconds(1800))
        #expect(policy.attemptRestartLimit == 7)
        #expect(throws: SyncPolicy.InvalidValue.self) { try SyncPolicy.defaults(environment: ["MAX_SYNC_DURATION": "soon"]) }
    }

    @Test func configMapValuesApplyOverTheBase() throws {
        let policy = try SyncPolicy.parse(["concurrency": "4", "retryLimit": "2", "retryBackoffDuration": "5m"], base: .builtIn)
        #expect(policy.concurrency == 4)
        #expect(policy.retryLimit == 2)
        #expect(policy.retryBackoffDuration == .seconds(300))
        #expect(policy.attemptTimeout == SyncPolicy.builtIn.attemptTimeout)
        #expect((1...4).map { policy.backoff(afterFailures: $0) } == [.seconds(300), .seconds(900), .seconds(2700), .seconds(3600)])
    }

    @Test(arguments: [
        ["concurrency": "0"], ["concurrency": "lots"], ["retryLimit": "-1"], ["retryBackoffDuration": "5 minutes"],
        ["maxRetryBackoff": "0s"], ["syncDeadline": ""], ["concurency": "3"],
    ])
    func invalidValuesAreRefusedWithTheirKey(_ data: [String: String]) throws {
        do {
            _ = try SyncPolicy.parse(data, base: .builtIn)
            Issue.record("accepted \(data)")
        } catch {
            #expect(error.key == data.keys.first)
            #expect(error.description.contains(error.key))
        }
    }

    @Test func validKeysApplyWhenThereIsNoPreviousPolicy() {
        let (policy, problems) = SyncPolicy.parseValidKeys(
            ["concurrency": "many", "retryLimit": "1", "syncDeadline": "2h"],
            base: .builtIn)
        #expect(policy.concurrency == SyncPolicy.builtIn.concurrency)
        #expect(policy.retryLimit == 1)
        #expect(policy.syncDeadline == .seconds(7200))
        #expect(problems.map(\.key) == ["concurrency"])
    }

    @Test func backoffNeverExceedsTheCap() {
        var policy = SyncPolicy.builtIn
        policy.retryBackoffDuration = .seconds(1)
        policy.maxRetryBackoff = .seconds(4)
        #expect((1...60).map { policy.backoff(afterFailures: $0) }.max() == .seconds(4))
        #expect(policy.backoff(afterFailures: 0) == .seconds(1))
    }
}
