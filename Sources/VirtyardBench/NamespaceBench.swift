import Foundation
import KubeClient
import KubeModel
import VirtyardTesting

// Namespace termination (the garbage collector's namespace controller) with content that a
// finalizer holds, as controllers hold pods and claims: a namespace of n ConfigMaps, each
// with a finalizer, is deleted; once all are marked, a client releases them (16 at a time)
// and the clock runs until the namespace is gone. Every release is an event in a terminating
// namespace, which the collector answers with the namespace's conditions.
//
// The baseline is the same work at a tenth of the size, ten times over: with a cost per event
// that does not grow with the namespace the ratio stays near 1; a collector that re-reads the
// whole namespace on every event (what it did) makes it grow towards 10.

private let holdFinalizer = "bench.virtyard.io/hold"

/// Seconds from the first release to the namespace gone, for a namespace of `objects`.
func namespaceReleaseSeconds(objects: Int) async throws -> Double {
    try await TestCluster.run { cluster in
        let client = try cluster.client()
        let name = "bench-\(objects)"
        var namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": [:]]
        namespace.name = name
        _ = try await client.create(.namespaces, object: namespace)
        try await createConcurrently(count: objects) { index in
            var configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]]
            configMap.name = "cm-\(index)"
            configMap.finalizers = [holdFinalizer]
            _ = try await client.create(.configMaps, namespace: name, object: configMap)
        }
        _ = try await client.delete(.namespaces, name: name)
        let held = "Some content in the namespace has finalizers remaining: \(holdFinalizer) in \(objects) resource instances"
        while try await client.get(.namespaces, name: name)[path: ["status", "conditions"]]?.arrayValue?
            .contains(where: { $0["message"]?.stringValue == held }) != true
        {
            try await Task.sleep(for: .milliseconds(5))
        }

        let clock = ContinuousClock()
        let start = clock.now
        try await createConcurrently(count: objects) { index in
            _ = try await client.patch(.configMaps, namespace: name, name: "cm-\(index)", patch: ["metadata": ["finalizers": nil]])
        }
        while try await tolerating(
            KubeClientError.notFound, { () async throws(KubeClientError) in try await client.get(.namespaces, name: name) }) != nil
        {
            try await Task.sleep(for: .milliseconds(5))
        }
        return seconds(clock.now - start)
    }
}

func namespaceBenchmark() async throws {
    let objects = argument("--namespace-objects", default: 5_000)
    let tenth = max(objects / 10, 1)
    let full = try await namespaceReleaseSeconds(objects: objects)
    let small = try await namespaceReleaseSeconds(objects: tenth)
    let baseline = small * Double(objects) / Double(tenth)

    printHeader("baseline (a tenth, times ten)")
    row("terminating namespace of \(objects), ms", full * 1000, baseline * 1000, full / baseline)

    func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
    try writeSection(
        "namespace",
        [
            "objects": objects, "releaseMilliseconds": rounded(full * 1000),
            "tenthTimesTenMilliseconds": rounded(baseline * 1000), "ratio": (full / baseline * 1000).rounded() / 1000,
        ])
}
