/// A fixed-capacity FIFO: appending to a full buffer evicts and returns the oldest element.
struct RingBuffer<Element>: Sequence {
    private var storage: [Element?]
    private var start = 0
    private(set) var count = 0

    init(capacity: Int) {
        storage = Array(repeating: nil, count: capacity)
    }

    var capacity: Int { storage.count }

    mutating func append(_ element: Element) -> Element? {
        if count < capacity {
            storage[(start + count) % capacity] = element
            count += 1
            return nil
        }
        let evicted = storage[start]
        storage[start] = element
        start = (start + 1) % capacity
        return evicted
    }

    /// Removes and returns the oldest element.
    mutating func removeFirst() -> Element? {
        guard count > 0 else { return nil }
        let first = storage[start]
        storage[start] = nil
        start = (start + 1) % capacity
        count -= 1
        return first
    }

    func makeIterator() -> AnyIterator<Element> {
        var offset = 0
        return AnyIterator {
            guard offset < count else { return nil }
            defer { offset += 1 }
            return storage[(start + offset) % capacity]
        }
    }
}
