import Foundation
import KubeModel

/// The global FIFO of queued images, kept in order one change at a time instead of sorted on
/// every read.
///
/// The order is ``VMDiskImage/queue(_:)``'s: oldest first, namespace and name breaking ties, so
/// every replica computes the same queue. A change moves one entry (a binary search and an
/// array insertion), so events cost O(log n) comparisons rather than a sort of every image.
/// It also remembers each image's phase, for ``AdmissionGate``'s count of Syncing images.
///
/// A pure value: ``ImageQueueCache`` feeds it from the informer and guards it with a lock.
struct ImageQueue: Sendable, Equatable {
    /// An image's place in the order.
    struct Entry: Sendable, Comparable {
        var key: ObjectKey
        var created: Date
        var namespace: String
        var name: String

        init(_ image: VMDiskImage, key: ObjectKey) {
            self.key = key
            created = image.creationDate ?? .distantFuture
            namespace = image.object.namespace ?? ""
            name = image.object.name ?? ""
        }

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.created, lhs.namespace, lhs.name) < (rhs.created, rhs.namespace, rhs.name)
        }
    }

    /// The queued images, in queue order.
    private(set) var entries: [Entry] = []
    /// The entry of each queued image, to find it again when it changes.
    private var queued: [ObjectKey: Entry] = [:]
    /// The phase of every image that has one.
    private var phases: [ObjectKey: VMDiskImage.Phase] = [:]
    /// How many of ``phases`` are Syncing.
    private(set) var syncingCount = 0

    init() {}

    /// The queue of these images (for tests, and to compare with a full sort).
    init(_ images: [JSONValue]) {
        for image in images {
            if let key = ObjectKey(image) { update(key, to: image) }
        }
    }

    /// Takes in the current state of one image: `nil` when it is gone.
    mutating func update(_ key: ObjectKey, to object: JSONValue?) {
        let image = object.map(VMDiskImage.init)
        let phase = image?.phase
        if phases[key] == .syncing { syncingCount -= 1 }
        if phase == .syncing { syncingCount += 1 }
        phases[key] = phase

        let new = image.flatMap { $0.isQueued ? Entry($0, key: key) : nil }
        let old = queued[key]
        guard new != old else { return }
        if let old { entries.remove(at: Self.insertionIndex(of: old, in: entries)) }
        if let new { entries.insert(new, at: Self.insertionIndex(of: new, in: entries)) }
        queued[key] = new
    }

    /// The queued images, next first.
    var keys: [ObjectKey] { entries.map(\.key) }

    /// The first `count` queued images: those a freed slot may go to.
    func head(_ count: Int) -> [ObjectKey] {
        entries.prefix(max(0, count)).map(\.key)
    }

    /// The place of a queued image, 1 being next; nil when it is not queued.
    func position(of key: ObjectKey) -> Int? {
        queued[key].map { Self.insertionIndex(of: $0, in: entries) + 1 }
    }

    /// The place `image` takes once it is queued, before the queue has seen it so. (Were it
    /// queued already, its own entry sorts equal, not before, and is not counted.)
    func position(ifQueued image: VMDiskImage, key: ObjectKey) -> Int {
        Self.insertionIndex(of: Entry(image, key: key), in: entries) + 1
    }

    /// The phase the queue last saw for an image.
    func phase(of key: ObjectKey) -> VMDiskImage.Phase? { phases[key] }

    /// The first index whose entry does not sort before `entry` (where it is, or would go).
    private static func insertionIndex(of entry: Entry, in entries: [Entry]) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
