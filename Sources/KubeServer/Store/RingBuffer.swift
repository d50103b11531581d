/// A FIFO of at most `capacity` elements: appending to a full buffer evicts and returns the
/// oldest element. Its storage grows by doubling up to the capacity, so a store with a
/// history of 10,000 events that sees a few hundred writes (a lab cluster) does not hold
/// 10,000 empty slots.
struct RingBuffer<Element>: Sequence {
    private var storage: [Element?] = []
    private var start = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 1)
    }

    mutating func append(_ element: Element) -> Element? {
        if count == storage.count, storage.count < capacity { grow() }
        if count < capacity {
            storage[(start + count) % storage.count] = element
            count += 1
            return nil
        }
        let evicted = storage[start]
        storage[start] = element
        start = (start + 1) % storage.count
        return evicted
    }

    /// Removes and returns the oldest element.
    mutating func removeFirst() -> Element? {
        guard count > 0 else { return nil }
        let first = storage[start]
        storage[start] = nil
        start = (start + 1) % storage.count
        count -= 1
        return first
    }

    /// Doubles the storage (within the capacity), the elements in order from its start.
    private mutating func grow() {
        let size = Swift.min(capacity, Swift.max(16, storage.count * 2))
        var grown: [Element?] = []
        grown.reserveCapacity(size)
        for offset in 0..<count { grown.append(storage[(start + offset) % storage.count]) }
        grown.append(contentsOf: repeatElement(nil, count: size - count))
        storage = grown
        start = 0
    }

    /// Slots allocated so far (at most `capacity`).
    var storageSize: Int { storage.count }

    func makeIterator() -> AnyIterator<Element> {
        var offset = 0
        return AnyIterator {
            guard offset < count else { return nil }
            defer { offset += 1 }
            return storage[(start + offset) % storage.count]
        }
    }
}
