/// Keys waiting for a moment in the future before they join the queue: the waiting room behind
/// `add(after:)` and rate-limited requeues.
///
/// A binary min-heap ordered by ready time (ties by arrival) gives the earliest key cheaply.
/// A key waits at most once: asking again for an earlier time moves it forward, asking for a
/// later one is ignored, as client-go's delaying queue does. Moved entries are left in the heap
/// and skipped when they surface (lazy deletion), which keeps each operation logarithmic.
struct DelayedKeys<Key: Hashable> {
    private struct Entry {
        var readyAt: Duration
        var sequence: UInt64
        var key: Key

        func isBefore(_ other: Entry) -> Bool {
            readyAt != other.readyAt ? readyAt < other.readyAt : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    /// The live entry of each waiting key: its ready time and sequence number.
    private var live: [Key: (readyAt: Duration, sequence: UInt64)] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { live.count }
    var isEmpty: Bool { live.isEmpty }

    func contains(_ key: Key) -> Bool { live[key] != nil }

    /// The earliest ready time, if any key waits.
    var earliest: Duration? {
        mutating get {
            dropStale()
            return heap.first?.readyAt
        }
    }

    /// Schedules `key` at `readyAt`, or moves it earlier; returns whether the schedule changed.
    @discardableResult
    mutating func schedule(_ key: Key, at readyAt: Duration) -> Bool {
        if let existing = live[key], existing.readyAt <= readyAt { return false }
        let entry = Entry(readyAt: readyAt, sequence: nextSequence, key: key)
        nextSequence &+= 1
        live[key] = (readyAt, entry.sequence)
        heap.append(entry)
        siftUp(heap.count - 1)
        return true
    }

    /// Removes and returns the keys whose time has come, earliest first.
    mutating func popReady(at now: Duration) -> [Key] {
        var ready: [Key] = []
        while true {
            dropStale()
            guard let first = heap.first, first.readyAt <= now else { break }
            removeFirst()
            live[first.key] = nil
            ready.append(first.key)
        }
        return ready
    }

    mutating func removeAll() {
        heap.removeAll()
        live.removeAll()
    }

    private mutating func dropStale() {
        while let first = heap.first, live[first.key].map({ $0.sequence != first.sequence }) ?? true {
            removeFirst()
        }
    }

    private mutating func removeFirst() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBefore(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].isBefore(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].isBefore(heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
