import Testing

@testable import KubeServer

@Suite struct RingBufferTests {
    /// Random appends and removals, against an array doing the same: order, evictions and
    /// counts agree while the storage grows and wraps.
    @Test(arguments: [1, 5, 16, 17, 100])
    func behavesAsABoundedQueue(capacity: Int) {
        var buffer = RingBuffer<Int>(capacity: capacity)
        var model: [Int] = []
        var generator = SystemRandomNumberGenerator()
        for value in 0..<2_000 {
            if Int.random(in: 0..<4, using: &generator) == 0 {
                #expect(buffer.removeFirst() == model.first)
                if !model.isEmpty { model.removeFirst() }
            } else {
                let evicted = buffer.append(value)
                model.append(value)
                if model.count > capacity {
                    #expect(evicted == model.removeFirst())
                } else {
                    #expect(evicted == nil)
                }
            }
            #expect(buffer.count == model.count)
        }
        #expect(Array(buffer) == model)
    }

    @Test func aLargeCapacityIsNotAllocatedUpFront() {
        var buffer = RingBuffer<Int>(capacity: 10_000)
        for value in 0..<3 { _ = buffer.append(value) }
        #expect(Array(buffer) == [0, 1, 2])
        #expect(buffer.storageSize == 16)
    }
}
