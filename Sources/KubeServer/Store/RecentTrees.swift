import KubeModel

/// The parsed trees of the objects written last, by resourceVersion, within a byte budget.
///
/// Stored objects keep only their encoding, but writes come in runs on the same object (a
/// Pod is created, bound, then its status written): the write after another reads the tree
/// the one before it held instead of parsing it again. The budget counts encoded bytes; a
/// tree costs a few times that.
struct RecentTrees {
    private var trees: [Int64: JSONValue] = [:]
    private var order: RingBuffer<(version: Int64, bytes: Int)>
    private var bytes = 0
    let byteLimit: Int

    init(byteLimit: Int, countLimit: Int = 4_096) {
        self.byteLimit = byteLimit
        order = RingBuffer(capacity: max(countLimit, 1))
    }

    subscript(version: Int64) -> JSONValue? { trees[version] }

    var count: Int { trees.count }

    /// Keeps `tree` as the object written at `version`, whose encoding is `size` bytes,
    /// forgetting the oldest trees past the budget. The forgotten trees are moved into
    /// `forgotten`, for the caller to free once it has released the store's lock: freeing a
    /// tree of small dictionaries costs more than the rest of the write.
    mutating func insert(_ tree: JSONValue, version: Int64, size: Int, forgotten: inout [JSONValue]) {
        guard size <= byteLimit else { return }
        if let evicted = order.append((version, size)) { forget(evicted, into: &forgotten) }
        trees[version] = tree
        bytes += size
        while bytes > byteLimit, let oldest = order.removeFirst() { forget(oldest, into: &forgotten) }
    }

    private mutating func forget(_ entry: (version: Int64, bytes: Int), into forgotten: inout [JSONValue]) {
        if let tree = trees.removeValue(forKey: entry.version) { forgotten.append(tree) }
        bytes -= entry.bytes
    }
}
