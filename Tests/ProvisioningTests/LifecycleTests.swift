import Testing

@testable import Provisioning

@Suite struct LifecycleTests {
    func version(_ text: String, _ type: ClusterType) throws -> ClusterVersion {
        try ClusterVersion.parse(text, for: type).get()
    }

    @Test func upgradesOneMinorAtATime() throws {
        let current = try version("v1.31.4+k3s1", .k3s)
        #expect(current.upgradeRefusal(to: try version("v1.31.5+k3s1", .k3s)) == nil)
        #expect(current.upgradeRefusal(to: try version("v1.32.0+k3s1", .k3s)) == nil)
        #expect(current.upgradeRefusal(to: try version("v1.31.4+k3s2", .k3s)) == nil)
        #expect(current.upgradeRefusal(to: try version("v1.33.0+k3s1", .k3s))?.contains("skips a minor version") == true)
        #expect(current.upgradeRefusal(to: try version("v1.30.9+k3s1", .k3s))?.contains("downgrades are not supported") == true)
        #expect(current.upgradeRefusal(to: current)?.contains("already runs") == true)
        let okd = try version("4.18.3", .okd)
        #expect(okd.upgradeRefusal(to: try version("4.19.0-okd-scos.1", .okd)) == nil)
    }

    @Test func operationIDsHaveMoxxiesShape() {
        var random = SeededRandom(seed: 9)
        let first = ClusterOperationID.make(&random)
        #expect(ClusterOperationID.isValid(first))
        #expect(first != ClusterOperationID.make(&random))
        #expect(!ClusterOperationID.isValid("op-ABCDEF12"))
        #expect(!ClusterOperationID.isValid("op-12345"))
    }

    @Test func finishedPhases() {
        #expect(ClusterPhase.allCases.filter(\.isFinished) == [.completed, .failed, .rolledBack, .cancelled])
        #expect(ClusterPhase.allCases.map(\.rawValue).count == 10)
    }
}
