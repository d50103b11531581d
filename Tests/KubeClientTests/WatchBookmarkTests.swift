import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

/// A bookmark promises "you have seen everything up to here": a client that resumes from it
/// must not miss an event. Bookmarks come every few milliseconds here while writes pour in,
/// so one stamped ahead of events still in flight would show.
@Suite(.timeLimit(.minutes(2)))
struct WatchBookmarkTests {
    @Test func noEventAtOrBelowABookmarkArrivesAfterIt() async throws {
        try await TestCluster.run(configure: { $0.watchBookmarkInterval = .milliseconds(2) }) { cluster in
            let client = try cluster.client()
            let start = try await client.list(.configMaps, namespace: "default", options: ListOptions()).resourceVersion
            let events = try await client.watch(
                .configMaps, namespace: "default",
                options: ListOptions(
                    resourceVersion: start, timeoutSeconds: 60,
                    allowWatchBookmarks: true))
            let writes = 300
            let writer = Task {
                for index in 0..<writes {
                    _ = try await client.create(.configMaps, object: configMap("bm-\(index)", labels: [:]))
                }
            }
            var newestBookmark: Int64 = 0
            var bookmarks = 0
            var received = 0
            var late: [String] = []
            for try await event in events {
                let version = Int64(event.object.resourceVersion ?? "") ?? 0
                if event.type == .bookmark {
                    newestBookmark = max(newestBookmark, version)
                    bookmarks += 1
                    continue
                }
                if version <= newestBookmark { late.append("\(event.object.name ?? "?")@\(version) after bookmark \(newestBookmark)") }
                received += 1
                if received == writes { break }
            }
            try await writer.value
            #expect(late.isEmpty, "events arrived after a bookmark that claimed them: \(late.prefix(5))")
            #expect(bookmarks > 0)
        }
    }
}
