import Foundation
import Synchronization
import Testing

@testable import WebConsole

@Suite struct CapacityHistoryTests {
    static func sample(_ second: Double, cpu: Double = 0.5) -> CapacitySample {
        CapacitySample(
            time: Date(timeIntervalSince1970: second), cpuUsage: cpu, memoryUsage: 0.25, cpuPressure: 0.01,
            memoryPressure: 0.02)
    }

    @Test func ringKeepsTheNewestInOrder() {
        var ring = SampleRing(capacity: 3)
        for second in 1...5 { ring.append(Self.sample(Double(second))) }
        #expect(ring.count == 3)
        #expect(ring.samples.map(\.time.timeIntervalSince1970) == [3, 4, 5])
        #expect(ring.last?.time.timeIntervalSince1970 == 5)
    }

    @Test func ringBeforeItIsFull() {
        var ring = SampleRing(capacity: 180)
        ring.append(Self.sample(1))
        ring.append(Self.sample(2))
        #expect(ring.samples.map(\.time.timeIntervalSince1970) == [1, 2])
    }

    @Test func historyIsBoundedPerNodeAndInTimeOrder() {
        let history = CapacityHistory(samplesPerNode: 180, maximumNodes: 8)
        for tick in 0..<400 {
            history.record(["node-a": Self.sample(Double(tick) * 5, cpu: Double(tick) / 400)])
        }
        let series = history.series()
        #expect(series.map(\.node) == ["node-a"])
        let times = series[0].samples.map { Int($0.time.timeIntervalSince1970.rounded()) }
        #expect(times.count == 180)
        #expect(times == times.sorted())
        #expect(times.last == 399 * 5)
        #expect(times.first == 220 * 5)
    }

    @Test func anOlderSampleDoesNotGoIn() {
        let history = CapacityHistory()
        history.record(["n": Self.sample(10)])
        history.record(["n": Self.sample(5)])
        history.record(["n": Self.sample(10)])
        #expect(history.series()[0].samples.map(\.time.timeIntervalSince1970) == [10])
    }

    @Test func nodeCountIsBoundedAndGoneNodesAreForgotten() {
        let history = CapacityHistory(samplesPerNode: 4, maximumNodes: 3)
        var figures: [String: CapacitySample] = [:]
        for index in (0..<10).reversed() { figures["node-\(index)"] = Self.sample(1) }
        history.record(figures)
        #expect(history.series().map(\.node) == ["node-0", "node-1", "node-2"])
        history.record(["node-1": Self.sample(2), "node-9": Self.sample(2)])
        #expect(history.series().map(\.node) == ["node-1", "node-9"])
        #expect(history.series()[0].samples.count == 2)
        #expect(history.series()[1].samples.count == 1)
    }

    @Test func samplerAnnouncesEverySampleAndWhetherAFigureMoved() {
        let history = CapacityHistory()
        let sampler = CapacitySampler(history: history)
        let announced = SampleCounter()
        let moves = SampleCounter()
        let bumps = SampleCounter()
        sampler.sampleOnce() // not configured yet: nothing happens
        #expect(history.nodeCount == 0)
        sampler.configure(
            source: { ["n1": Self.sample(Date().timeIntervalSince1970, cpu: 0.5 + Double(bumps.value) / 4)] },
            onSample: { moved in
                announced.add()
                if moved { moves.add() }
            })
        sampler.sampleOnce()
        #expect(history.nodeCount == 1 && history.sampleCount == 1)
        #expect(announced.value == 1 && moves.value == 1)
        // The same figures a moment later: recorded for the charts, but no figure moved.
        Thread.sleep(forTimeInterval: 0.002)
        sampler.sampleOnce()
        #expect(history.sampleCount == 2)
        #expect(announced.value == 2 && moves.value == 1)
        bumps.add()
        sampler.sampleOnce()
        #expect(announced.value == 3 && moves.value == 2)
    }

    @Test func aNewTermReplacesTheLoop() {
        let sampler = CapacitySampler(history: CapacityHistory(), interval: .seconds(3600))
        sampler.start()
        sampler.start()
        #expect(sampler.isRunning)
        sampler.stop()
        #expect(!sampler.isRunning)
    }

    @Test func chartDataIsColumnsInPercent() throws {
        let series = [(node: "n1", samples: [Self.sample(100, cpu: 0.123456), Self.sample(105, cpu: 1)])]
        let data = CapacityChartData(series, interval: .seconds(5), samplesPerNode: 180)
        #expect(data.windowSeconds == 900)
        #expect(data.nodes[0].times == [100, 105])
        #expect(data.nodes[0].cpuUsage == [12.3, 100])
        #expect(data.nodes[0].memoryUsage == [25, 25])
        let json = try #require(String(data: try data.json(), encoding: .utf8))
        #expect(json.contains("\"node\":\"n1\""))
        #expect(json.contains("\"intervalSeconds\":5"))
    }
}

/// A count shared with a Sendable closure.
final class SampleCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
