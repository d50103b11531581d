import KubeModel
import Testing

@testable import KubeServer

@Suite struct RequestMetricsTests {
    private let configMaps = GroupResource(group: "", resource: "configmaps")

    @Test func oneHandleIsKeptPerSetOfLabels() {
        let metrics = RequestMetrics()
        for _ in 0..<3 { metrics.record(verb: "POST", resource: configMaps, code: 201, duration: .milliseconds(1)) }
        #expect(metrics.keptCount == 2)
        metrics.record(verb: "POST", resource: configMaps, code: 409, duration: .milliseconds(1))
        // A new code is a new counter; the duration is kept by verb and resource only.
        #expect(metrics.keptCount == 3)
        metrics.record(verb: "WATCH", resource: configMaps, code: 200, duration: .seconds(30))
        // A watch is counted but not timed.
        #expect(metrics.keptCount == 4)
    }

    @Test func handlesPastTheBoundAreNotKept() {
        let metrics = RequestMetrics(maximumKept: 2)
        for code in 200..<210 { metrics.record(verb: "GET", resource: configMaps, code: code, duration: .zero) }
        #expect(metrics.keptCount == 3)
    }

    @Test func durationsAreWholeNanoseconds() {
        #expect(RequestMetrics.nanoseconds(.milliseconds(1_500)) == 1_500_000_000)
        #expect(RequestMetrics.nanoseconds(.nanoseconds(7)) == 7)
    }
}
