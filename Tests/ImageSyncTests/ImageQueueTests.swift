import ControllerKit
import Foundation
import KubeModel
import Testing

@testable import ImageSync

/// A seeded generator, so a failing sequence of changes can be replayed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func diskImage(_ key: ObjectKey, createdSecond: Int, phase: VMDiskImage.Phase?, deleting: Bool = false) -> JSONValue {
    var image = VMDiskImage([
        "apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
        "metadata": [
            "name": .string(key.name), "namespace": .string(key.namespace ?? ""),
            "creationTimestamp": .string(String(format: "2026-01-01T00:00:%02dZ", createdSecond)),
        ],
        "spec": ["sourceType": "blank", "diskSize": "1Gi"],
    ])
    image.phase = phase
    if deleting { image.object[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:01:00Z" }
    return image.object
}

/// The order kept one change at a time is the order a full sort gives.
@Suite struct ImageQueueTests {
    /// What a full sort of every image says: the order, and the number Syncing.
    private func fullSort(_ world: [ObjectKey: JSONValue]) -> (keys: [ObjectKey], syncing: Int) {
        let images = Array(world.values)
        return (
            VMDiskImage.queue(images).compactMap(ObjectKey.init),
            images.filter { VMDiskImage($0).phase == .syncing }.count
        )
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func orderAfterInsertsUpdatesAndDeletesEqualsAFullSort(seed: UInt64) {
        var random = SplitMix64(state: seed)
        var world: [ObjectKey: JSONValue] = [:]
        var queue = ImageQueue()
        let phases: [VMDiskImage.Phase?] = [nil, .queued, .queued, .queued, .syncing, .ready, .retryableFailure, .failed]
        for step in 0..<400 {
            // Few names and seconds, so that ties (same second, same namespace) are common.
            let key = ObjectKey(
                namespace: ["team-a", "team-b", "team-c"].randomElement(using: &random)!,
                name: "image-\(Int.random(in: 0 ..< 12, using: &random))")
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<2:
                world[key] = nil
            case 2:
                if let current = world[key] {
                    world[key] = diskImage(
                        key, createdSecond: VMDiskImage(current).creationSecond,
                        phase: VMDiskImage(current).phase, deleting: true)
                }
            default:
                // A new image, or a new phase for an existing one (its creation time never changes).
                let second = world[key].map { VMDiskImage($0).creationSecond } ?? Int.random(in: 0..<8, using: &random)
                world[key] = diskImage(key, createdSecond: second, phase: phases.randomElement(using: &random)!)
            }
            queue.update(key, to: world[key])
            let expected = fullSort(world)
            #expect(queue.keys == expected.keys, "step \(step)")
            #expect(queue.syncingCount == expected.syncing, "step \(step)")
            for (index, queued) in expected.keys.enumerated() {
                #expect(queue.position(of: queued) == index + 1, "step \(step)")
            }
            if queue.keys != expected.keys { return }
        }
        #expect(!queue.keys.isEmpty, "the sequence never left anything queued: a weak test")
    }

    @Test func repeatedStatesChangeNothing() {
        let key = ObjectKey(namespace: "default", name: "a")
        var queue = ImageQueue([diskImage(ObjectKey(namespace: "default", name: "b"), createdSecond: 1, phase: .queued)])
        let image = diskImage(key, createdSecond: 2, phase: .syncing)
        queue.update(key, to: image)
        let once = queue
        queue.update(key, to: image)
        #expect(queue == once)
        #expect(queue.syncingCount == 1)
        queue.update(key, to: nil)
        queue.update(key, to: nil)
        #expect(queue.syncingCount == 0)
        #expect(queue.phase(of: key) == nil)
    }

    @Test func aNewImageIsToldThePlaceItWillTake() {
        let images = [1, 3, 5].map { diskImage(ObjectKey(namespace: "default", name: "i\($0)"), createdSecond: $0, phase: .queued) }
        let queue = ImageQueue(images)
        let newcomer = ObjectKey(namespace: "default", name: "i4")
        var image = VMDiskImage(diskImage(newcomer, createdSecond: 4, phase: nil))
        image.phase = .queued
        #expect(queue.position(ifQueued: image, key: newcomer) == 3)
        #expect(VMDiskImage.queue(images + [image.object]).firstIndex { $0.name == "i4" } == 2)
        // Already queued: its own entry does not count.
        var queued = queue
        queued.update(newcomer, to: image.object)
        #expect(queued.position(ifQueued: image, key: newcomer) == 3)
        #expect(queued.position(of: newcomer) == 3)
        #expect(queue.head(2) == [ObjectKey(namespace: "default", name: "i1"), ObjectKey(namespace: "default", name: "i3")])
    }
}

extension VMDiskImage {
    /// The seconds of the test images' creation time.
    fileprivate var creationSecond: Int {
        creationDate.map { Int($0.timeIntervalSince1970) % 60 } ?? 0
    }
}
