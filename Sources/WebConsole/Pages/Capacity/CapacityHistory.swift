import Foundation
import Synchronization

/// One node's four figures at one moment (shares, 0…1).
struct CapacitySample: Sendable, Equatable {
    var time: Date
    var cpuUsage: Double
    var memoryUsage: Double
    var cpuPressure: Double
    var memoryPressure: Double
}

/// A fixed number of samples, the oldest overwritten first; read back oldest first.
struct SampleRing: Sendable, Equatable {
    let capacity: Int
    private var storage: [CapacitySample] = []
    /// Once full: where the oldest sample is (and the next one goes).
    private var start = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    var count: Int { storage.count }
    var last: CapacitySample? { storage.isEmpty ? nil : storage[(start + storage.count - 1) % storage.count] }

    mutating func append(_ sample: CapacitySample) {
        if storage.count < capacity {
            storage.append(sample)
        } else {
            storage[start] = sample
            start = (start + 1) % capacity
        }
    }

    /// Oldest first.
    var samples: [CapacitySample] {
        Array(storage[start...] + storage[..<start])
    }
}

/// The last 15 minutes of each node's usage and pressure, for the capacity page's charts:
/// 180 samples 5 s apart per node, in memory only (a restart or a new leader starts empty).
/// Bounded twice: samples per node by the ring, and nodes by `maximumNodes` (the first by
/// name), so a cluster of thousands of nodes costs no more than a page can show.
final class CapacityHistory: Sendable {
    static let interval: Duration = .seconds(5)
    static let defaultSamplesPerNode = 180
    static let defaultMaximumNodes = 64

    let samplesPerNode: Int
    let maximumNodes: Int
    private let rings = Mutex<[String: SampleRing]>([:])

    init(samplesPerNode: Int = defaultSamplesPerNode, maximumNodes: Int = defaultMaximumNodes) {
        self.samplesPerNode = max(1, samplesPerNode)
        self.maximumNodes = max(0, maximumNodes)
    }

    /// Adds one sample per node. Nodes missing from `figures` are gone and forgotten; a sample
    /// older than a node's last one is ignored, so each series stays in time order.
    func record(_ figures: [String: CapacitySample]) {
        let kept = Set(figures.keys.sorted().prefix(maximumNodes))
        rings.withLock { rings in
            rings = rings.filter { kept.contains($0.key) }
            for name in kept {
                guard let sample = figures[name] else { continue }
                var ring = rings[name] ?? SampleRing(capacity: samplesPerNode)
                if let last = ring.last, sample.time <= last.time { continue }
                ring.append(sample)
                rings[name] = ring
            }
        }
    }

    /// Every node's samples, oldest first, nodes by name.
    func series() -> [(node: String, samples: [CapacitySample])] {
        rings.withLock { rings in rings.keys.sorted().map { (node: $0, samples: rings[$0]?.samples ?? []) } }
    }

    var nodeCount: Int { rings.withLock { $0.count } }
    /// Samples held in all, which grows with every sample until the rings are full (the
    /// samples topic's region shows it, so each sample changes the region).
    var sampleCount: Int { rings.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
