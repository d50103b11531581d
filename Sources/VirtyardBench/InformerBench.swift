import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Synchronization
import VirtyardTesting

// Informer benchmarks (issue 3), against the embedded API over HTTPS on loopback:
// - initial sync of N objects into an informer's cache, beside a raw paged list of the same
//   objects with no cache;
// - steady-state event throughput through an informer's handlers, beside a raw watch
//   decoding the same stream with no cache.
// Prints a table and merges its numbers into bench/results.json under "informer".

/// Creates `count` objects with 8 concurrent writers.
func fill(_ client: HTTPKubernetesClient, namespace: String, count: Int, prefix: String) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                for index in stride(from: worker, to: count, by: 8) {
                    var object = configMap("\(prefix)-\(index)", data: ["payload": String(repeating: "x", count: 200)])
                    object.namespace = namespace
                    _ = try await client.create(.configMaps, namespace: namespace, object: object)
                }
            }
        }
        try await group.waitForAll()
    }
}

/// Patches `count` existing objects with 4 writers; returns when all writes are acknowledged.
func churn(_ client: HTTPKubernetesClient, namespace: String, count: Int, objects: Int, round: Int) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<4 {
            group.addTask {
                for index in stride(from: worker, to: count, by: 4) {
                    _ = try await client.patch(
                        .configMaps, namespace: namespace, name: "item-\(index % objects)",
                        patch: ["data": ["round": .string("\(round)-\(index)")]])
                }
            }
        }
        try await group.waitForAll()
    }
}

/// Modified events per second a raw watch decodes while `events` patches are written.
func rawWatchRate(_ client: HTTPKubernetesClient, namespace: String, events: Int, objects: Int, round: Int) async throws -> Double {
    let clock = ContinuousClock()
    let version = try await client.list(.configMaps, namespace: namespace, options: ListOptions(limit: 1)).resourceVersion
    let stream = try await client.watch(.configMaps, namespace: namespace, options: ListOptions(resourceVersion: version))
    let start = clock.now
    async let writes: Void = churn(client, namespace: namespace, count: events, objects: objects, round: round)
    var received = 0
    for try await event in stream where event.type == .modified {
        received += 1
        if received == events { break }
    }
    try await writes
    return Double(events) / seconds(clock.now - start)
}

/// Updates per second an informer's handler sees while `events` patches are written.
func informerRate(_ client: HTTPKubernetesClient, namespace: String, events: Int, objects: Int, round: Int) async throws -> Double {
    let clock = ContinuousClock()
    let informer = Informer(api: client, resource: .configMaps, namespace: namespace)
    let counted = Mutex(0)
    let done = AsyncValueBox()
    let registration = informer.addEventHandler { event in
        if case .updated = event {
            let total = counted.withLock { value -> Int in
                value += 1
                return value
            }
            if total == events { done.finish() }
        }
    }
    let running = Task { try await informer.run() }
    // Steady state: the handler has been told of every object of the initial list.
    try await registration.waitForSync()
    let start = clock.now
    try await churn(client, namespace: namespace, count: events, objects: objects, round: round)
    await done.wait()
    let rate = Double(events) / seconds(clock.now - start)
    running.cancel()
    _ = await running.result
    return rate
}

func informerBenchmark() async throws {
    let objectCount = argument("--objects", default: 10_000)
    let eventCount = argument("--events", default: 5_000)
    var results: [String: Double] = [:]
    var informerRuns: [Double] = []
    var rawRuns: [Double] = []
    let pairCount = argument("--runs", default: 7)
    var pairedEventRatio = 0.0
    try await TestCluster.run { cluster in
        let client = try cluster.client()
        let namespace = "default"
        try await fill(client, namespace: namespace, count: objectCount, prefix: "item")

        // Initial sync: raw paged list (no cache) vs informer.
        var rawTimes: [Double] = []
        var informerTimes: [Double] = []
        for _ in 0..<3 {
            let clock = ContinuousClock()
            let rawStart = clock.now
            var items = 0
            var token: String?
            repeat {
                let page = try await client.list(
                    .configMaps, namespace: namespace,
                    options: ListOptions(limit: 500, continueToken: token))
                items += page.items.count
                token = page.continueToken
            } while token != nil
            precondition(items == objectCount, "raw list saw \(items)")
            rawTimes.append(seconds(clock.now - rawStart))

            let informer = Informer(api: client, resource: .configMaps, namespace: namespace)
            let start = clock.now
            let running = Task { try await informer.run() }
            try await informer.waitForSync()
            informerTimes.append(seconds(clock.now - start))
            precondition(informer.list(namespace: namespace).count == objectCount)
            running.cancel()
            _ = await running.result
        }
        results["initial_sync_raw_list_ms"] = rawTimes.sorted()[1] * 1000
        results["initial_sync_informer_ms"] = informerTimes.sorted()[1] * 1000

        // Steady state: events per second through a raw watch vs an informer's handler. The
        // writes share the machine with the reader, and two runs a minute apart can differ by
        // a fifth: runs alternate, each informer run is compared with the raw run just before
        // it, and the figure is the median of those ratios.
        var rawRates: [Double] = []
        var informerRates: [Double] = []
        for run in 0..<pairCount {
            rawRates.append(try await rawWatchRate(client, namespace: namespace, events: eventCount, objects: objectCount, round: 2 * run))
            informerRates.append(
                try await informerRate(client, namespace: namespace, events: eventCount, objects: objectCount, round: 2 * run + 1))
        }
        informerRuns = informerRates
        rawRuns = rawRates
        results["events_per_second_raw_watch"] = median(rawRates)
        results["events_per_second_informer"] = median(informerRates)
        pairedEventRatio = median(zip(informerRates, rawRates).map { $0 / $1 })
        print("events/s, \(pairCount) runs: informer \(informerRates.map { Int($0) }), raw watch \(rawRates.map { Int($0) })")
    }

    let syncRatio = results["initial_sync_informer_ms"]! / results["initial_sync_raw_list_ms"]!
    let eventRatio = pairedEventRatio
    printHeader("baseline (no cache)")
    row("initial sync \(objectCount) objects, ms", results["initial_sync_informer_ms"]!, results["initial_sync_raw_list_ms"]!, syncRatio)
    row("events/s, \(eventCount) updates", results["events_per_second_informer"]!, results["events_per_second_raw_watch"]!, eventRatio)
    var section: [String: Any] = results.mapValues { ($0 * 10).rounded() / 10 }
    section["objects"] = objectCount
    section["events"] = eventCount
    section["ratio_initial_sync_informer_vs_raw_list"] = (syncRatio * 1000).rounded() / 1000
    section["ratio_events_informer_vs_raw_watch"] = (eventRatio * 1000).rounded() / 1000
    section["runs_events_per_second_informer"] = informerRuns.map { ($0 * 10).rounded() / 10 }
    section["runs_events_per_second_raw_watch"] = rawRuns.map { ($0 * 10).rounded() / 10 }
    try writeSection("informer", section)
}
