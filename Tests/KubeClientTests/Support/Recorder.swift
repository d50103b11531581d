import Synchronization
import Testing
import VirtyardTesting

/// Collects what a background consumer receives, for tests to wait on.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    func append(_ item: Element) {
        items.withLock { $0.append(item) }
    }

    var snapshot: [Element] { items.withLock { $0 } }

    /// Waits until `condition` holds on what was received so far, then returns it.
    func wait(
        timeout: Duration = .seconds(15), until condition: ([Element]) -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> [Element] {
        let held = await eventually(timeout: timeout) { condition(snapshot) }
        if !held { Issue.record("timed out; received \(snapshot.count) items", sourceLocation: sourceLocation) }
        return snapshot
    }
}
