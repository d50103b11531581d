/// The last bytes a terminal printed, kept so that a browser that reconnects sees the screen
/// it lost (bounded: the oldest bytes go first).
struct Scrollback: Sendable {
    let capacity: Int
    private var storage: [UInt8] = []
    /// Where the oldest byte is once the buffer is full (a ring).
    private var start = 0

    init(capacity: Int = 64 << 10) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 4096))
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        for byte in bytes.suffix(capacity) {
            if storage.count < capacity {
                storage.append(byte)
            } else {
                storage[start] = byte
                start = (start + 1) % capacity
            }
        }
    }

    /// The kept bytes, oldest first.
    var bytes: [UInt8] {
        Array(storage[start...] + storage[..<start])
    }

    var count: Int { storage.count }
}
