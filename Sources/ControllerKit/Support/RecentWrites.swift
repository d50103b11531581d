import KubeModel
import Synchronization

/// This process's own writes, laid over an informer's cache until the cache shows them.
///
/// A reconciler that writes many objects in one pass and runs again as soon as events arrive
/// finds its cache behind its own writes: the next pass would see a cluster it just leased as
/// still free, a session it just served as still waiting. kube-controller-manager keeps
/// "expectations" for this; here each write is remembered with the resourceVersion of the copy
/// it replaced. While the cache still holds that copy, ``latest(_:_:)`` answers with the
/// written object; once the cache holds anything else (this write, or a later one by someone
/// else) the record is dropped and the cache is the truth again. Resource versions are only
/// compared for equality, so this holds against a real API server, where they are opaque.
public final class RecentWrites: Sendable {
    private struct Entry {
        var replacedVersion: String
        var written: JSONValue
        var recorded: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// After this long an unobserved write is forgotten: a watch that lost the event relists,
    /// and a pass must not read an old write for ever on a lost record.
    private let lifetime: Duration

    public init(lifetime: Duration = .seconds(30)) {
        self.lifetime = lifetime
    }

    /// Records that `cached`, as the cache has it, was replaced by `written`.
    public func record(_ kind: String, replacing cached: JSONValue, with written: JSONValue) {
        guard let version = cached.resourceVersion else { return }
        let entry = Entry(replacedVersion: version, written: written, recorded: .now)
        entries.withLock { $0[Self.identity(kind, cached)] = entry }
    }

    /// The newest copy of `cached` this process knows: its own write while the cache lags
    /// behind it, else the cache's.
    public func latest(_ kind: String, _ cached: JSONValue) -> JSONValue {
        let identity = Self.identity(kind, cached)
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[identity] else { return cached }
            if entry.replacedVersion == cached.resourceVersion, now - entry.recorded < lifetime { return entry.written }
            entries[identity] = nil
            return cached
        }
    }

    /// Writes the cache has not shown yet.
    public var count: Int { entries.withLock { $0.count } }

    private static func identity(_ kind: String, _ object: JSONValue) -> String {
        "\(kind)/\(object.namespace ?? "")/\(object.name ?? "")"
    }
}
