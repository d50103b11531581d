import Testing

@testable import ControllerKit

@Suite("WorkQueue")
struct WorkQueueTests {
    private func makeQueue(_ configuration: WorkQueue<String>.Configuration = .init(), clock: ManualClock = ManualClock())
        -> (WorkQueue<String>, ManualClock)
    {
        (WorkQueue<String>(configuration: configuration, clock: clock), clock)
    }

    @Test func keyQueuedTwiceIsHandedOutOnce() async {
        let (queue, _) = makeQueue()
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.count == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(queue.count == 0)
        queue.done("a")
        queue.done("b")
        #expect(queue.count == 0)
    }

    @Test func keyAddedWhileProcessingComesBackAfterDoneOnly() async {
        let (queue, _) = makeQueue()
        queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        queue.add("a")
        queue.add("a")
        // In flight: not handed to a second worker.
        #expect(queue.count == 0)
        queue.done("a")
        #expect(queue.count == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.count == 0)
    }

    @Test func concurrentWorkersNeverHoldTheSameKeyAndSeeTheLastAdd() async {
        let queue = WorkQueue<Int>(configuration: .init(rateLimit: nil))
        let inFlight = Locked<Set<Int>>([])
        let overlaps = Locked(0)
        let processedAfterLastAdd = Locked<Set<Int>>([])
        let lastAddDone = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.next() {
                        let clash = inFlight.withLock { !$0.insert(key).inserted }
                        if clash { overlaps.withLock { $0 += 1 } }
                        let afterLast = lastAddDone.withLock { $0 }
                        await Task.yield()
                        inFlight.withLock { _ = $0.remove(key) }
                        if afterLast { processedAfterLastAdd.withLock { _ = $0.insert(key) } }
                        queue.done(key)
                    }
                }
            }
            for round in 0..<200 {
                queue.add(round % 10)
                if round % 7 == 0 { await Task.yield() }
            }
            lastAddDone.withLock { $0 = true }
            for key in 0..<10 { queue.add(key) }
            _ = await eventually { processedAfterLastAdd.withLock { $0.count } == 10 }
            queue.shutDown()
        }
        #expect(overlaps.withLock { $0 } == 0)
        #expect(processedAfterLastAdd.withLock { $0 } == Set(0..<10))
    }

    @Test func rateLimitedRequeueWaitsForItsBackoff() async {
        let (queue, clock) = makeQueue(.init(backoff: FailureBackoff(base: .milliseconds(5), cap: .seconds(1000))))
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 1)
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(4))
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(queue.count == 1)
        #expect(await queue.next() == "a")
        queue.done("a")

        // Second failure: 10 ms.
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 2)
        clock.advance(by: .milliseconds(9))
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(queue.count == 1)
    }

    @Test func forgetResetsTheBackoff() async {
        let (queue, clock) = makeQueue(.init(backoff: FailureBackoff(base: .milliseconds(5), cap: .seconds(1000))))
        for _ in 0..<5 { queue.addRateLimited("a") }
        #expect(queue.numRequeues("a") == 5)
        queue.forget("a")
        #expect(queue.numRequeues("a") == 0)
        // Drain the scheduled one (it waits at most 5 ms: the earliest schedule wins).
        clock.advance(by: .milliseconds(5))
        #expect(await queue.next() == "a")
        queue.done("a")
        queue.addRateLimited("a")
        clock.advance(by: .milliseconds(5))
        #expect(queue.count == 1)
    }

    @Test func overallRateLimitSpacesRequeuesOfDifferentKeys() async {
        let (queue, clock) = makeQueue(
            .init(
                backoff: FailureBackoff(base: .zero, cap: .zero),
                rateLimit: TokenBucket(rate: 10, burst: 2)))
        queue.addRateLimited("a")
        queue.addRateLimited("b")
        queue.addRateLimited("c")
        queue.addRateLimited("d")
        // The burst lets two through at once; the others get a token every 100 ms.
        #expect(queue.count == 2)
        clock.advance(by: .milliseconds(99))
        #expect(queue.count == 2)
        clock.advance(by: .milliseconds(1))
        #expect(queue.count == 3)
        clock.advance(by: .milliseconds(100))
        #expect(queue.count == 4)
    }

    @Test func delayedAddArrivesAfterItsDelay() async {
        let (queue, clock) = makeQueue()
        queue.add("late", after: .seconds(2))
        queue.add("soon", after: .seconds(1))
        #expect(queue.count == 0)
        clock.advance(by: .seconds(1))
        #expect(queue.count == 1)
        #expect(await queue.next() == "soon")
        clock.advance(by: .seconds(1))
        #expect(await queue.next() == "late")
    }

    @Test func delayedAddKeepsTheEarlierTime() async {
        let (queue, clock) = makeQueue()
        queue.add("a", after: .seconds(5))
        queue.add("a", after: .seconds(1))
        queue.add("a", after: .seconds(3))
        clock.advance(by: .seconds(1))
        #expect(queue.count == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        clock.advance(by: .seconds(10))
        #expect(queue.count == 0)
    }

    @Test func waitingWorkerWakesWhenTheClockReachesADelayedKey() async {
        let (queue, clock) = makeQueue()
        queue.add("a", after: .seconds(30))
        async let key = queue.next()
        // Let the worker park, then move time: it must wake without any add.
        _ = await eventually { clock.sleeperCount > 0 }
        clock.advance(by: .seconds(30))
        #expect(await key == "a")
    }

    @Test func waitingWorkerWakesOnAdd() async {
        let queue = WorkQueue<String>()
        async let key = queue.next()
        try? await Task.sleep(for: .milliseconds(10))
        queue.add("x")
        #expect(await key == "x")
    }

    @Test func shutDownReleasesWaitersAndIgnoresNewKeys() async {
        let (queue, _) = makeQueue()
        queue.add("in-flight")
        #expect(await queue.next() == "in-flight")
        queue.add("pending")
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<3 { group.addTask { await queue.next() } }
            // The three workers get "pending" at most once; then shut down releases the rest.
            try? await Task.sleep(for: .milliseconds(10))
            queue.shutDown()
            var results: [String?] = []
            for await result in group { results.append(result) }
            #expect(results.compactMap { $0 } == ["pending"])
        }
        #expect(queue.isShuttingDown)
        queue.add("after")
        #expect(queue.count == 0)
        #expect(await queue.next() == nil)
        queue.done("in-flight")
        #expect(queue.count == 0)
    }

    @Test func cancelledWorkerReturnsNil() async {
        let queue = WorkQueue<String>()
        let result = await withTaskGroup(of: String?.self) { group in
            group.addTask { await queue.next() }
            try? await Task.sleep(for: .milliseconds(10))
            group.cancelAll()
            return await group.next() ?? "no result"
        }
        #expect(result == nil)
        queue.add("a")
        #expect(await queue.next() == "a")
    }
}
