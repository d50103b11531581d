import Capacity
import Testing

/// The descheduler's deviation thresholds: nodes against the mean score ± a preset's offsets.
@Suite struct ClassificationTests {
    @Test func presetsHaveTheDeschedulersOffsets() {
        func offsets(_ preset: ThresholdPreset) -> [Double] { [preset.offsets.lower, preset.offsets.upper] }
        #expect(offsets(.low) == [0.10, 0.10])
        #expect(offsets(.medium) == [0.20, 0.20])
        #expect(offsets(.high) == [0.30, 0.30])
        #expect(offsets(.asymmetricLow) == [0, 0.10])
        #expect(offsets(.asymmetricMedium) == [0, 0.20])
        #expect(offsets(.asymmetricHigh) == [0, 0.30])
        #expect(ThresholdPreset(rawValue: "AsymmetricLow") == .asymmetricLow)
        #expect(ThresholdPreset(rawValue: "asymmetriclow") == nil)
    }

    @Test func nodesBeyondTheOffsetsAreUnderOrOver() {
        let nodes = [
            CapacityFixtures.node("idle", usage: 0.1), CapacityFixtures.node("mid", usage: 0.4),
            CapacityFixtures.node("hot", usage: 0.7),
        ]
        let low = Classification(nodes, preset: .low)
        #expect(abs(low.mean - 0.4) < 1e-12)
        #expect(abs(low.lowerThreshold - 0.3) < 1e-12)
        #expect(abs(low.upperThreshold - 0.5) < 1e-12)
        #expect(low.nodes.map(\.class) == [.under, .appropriate, .over])
        #expect(abs(low.spread - 0.6) < 1e-12)
        // Wider offsets take the same nodes in.
        #expect(Classification(nodes, preset: .high).nodes.map(\.class) == [.appropriate, .appropriate, .appropriate])
        // Asymmetric: anything below the mean is under.
        #expect(Classification(nodes, preset: .asymmetricLow).nodes.map(\.class) == [.under, .appropriate, .over])
    }

    @Test func aNodeOnTheThresholdIsAppropriate() {
        // Mean 0.4; Low puts the bounds at 0.3 and 0.5, exactly where two nodes are.
        let nodes = [
            CapacityFixtures.node("a", usage: 0.3), CapacityFixtures.node("b", usage: 0.4),
            CapacityFixtures.node("c", usage: 0.5),
        ]
        #expect(Classification(nodes, preset: .low).nodes.map(\.class) == [.appropriate, .appropriate, .appropriate])
    }

    @Test func offsetsAreAbsoluteNotAShareOfTheMean() {
        // Mean 0.30. Absolute offsets (node-classifier-sim's classifier.py and the descheduler)
        // put Low's bounds at 0.20 and 0.40; a relative reading (mean × 0.9, mean × 1.1) would
        // put them at 0.27 and 0.33 and call all three nodes under or over.
        let nodes = [
            CapacityFixtures.node("a", usage: 0.20), CapacityFixtures.node("b", usage: 0.34),
            CapacityFixtures.node("c", usage: 0.36),
        ]
        let low = Classification(nodes, preset: .low)
        #expect(abs(low.mean - 0.30) < 1e-12)
        #expect(abs(low.lowerThreshold - 0.20) < 1e-12)
        #expect(abs(low.upperThreshold - 0.40) < 1e-12)
        #expect(low.nodes.map(\.class) == [.appropriate, .appropriate, .appropriate])
        // Past the absolute bounds they are under and over.
        let wide = [
            CapacityFixtures.node("a", usage: 0.15), CapacityFixtures.node("b", usage: 0.30),
            CapacityFixtures.node("c", usage: 0.45),
        ]
        #expect(Classification(wide, preset: .low).nodes.map(\.class) == [.under, .appropriate, .over])
    }

    @Test func equalNodesAreAllAppropriateAndAnEmptyClusterHasNoSpread() {
        let even = (0..<4).map { CapacityFixtures.node("n\($0)", usage: 0.6) }
        #expect(Classification(even, preset: .asymmetricLow).nodes.allSatisfy { $0.class == .appropriate })
        let empty = Classification([], preset: .medium)
        #expect(empty.mean == 0)
        #expect(empty.spread == 0)
        #expect(empty.nodes.isEmpty)
    }
}
