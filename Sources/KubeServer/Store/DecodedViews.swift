import KubeModel
import Synchronization

/// Values decoded from stored objects (RBAC bindings and rules, a Service's addresses, a
/// ClusterRole's aggregation), one per object and type, kept with the resourceVersion they
/// were decoded from: a changed object has a new version and is decoded again, so an entry
/// is never stale, and each version is parsed once however many requests read it.
///
/// Bounded by the objects decoded: past ``limit`` entries (objects of these kinds written
/// and deleted by the thousand) the next decode starts afresh.
final class DecodedViews: Sendable {
    private struct Key: Hashable {
        var object: StorageKey
        var type: ObjectIdentifier
    }

    private struct Entry {
        var resourceVersion: Int64
        var value: any Sendable
    }

    private let entries = Mutex<[Key: Entry]>([:])
    let limit: Int

    init(limit: Int = 65_536) {
        self.limit = limit
    }

    /// `decode(stored.object)` for the object stored at `key`, decoded once per version.
    func value<Value: Sendable>(of stored: StoredObject, at key: StorageKey, _ decode: (JSONValue) -> Value) -> Value {
        let entryKey = Key(object: key, type: ObjectIdentifier(Value.self))
        if let known = entries.withLock({ $0[entryKey] }), known.resourceVersion == stored.resourceVersion,
            let value = known.value as? Value
        {
            return value
        }
        let value = decode(stored.object)
        entries.withLock { entries in
            if entries.count >= limit, entries[entryKey] == nil { entries.removeAll() }
            entries[entryKey] = Entry(resourceVersion: stored.resourceVersion, value: value)
        }
        return value
    }

    var count: Int { entries.withLock { $0.count } }
}
