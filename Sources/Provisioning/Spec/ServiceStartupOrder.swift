/// The order supporting services start in: every service after the services it depends on,
/// and among services free to start, lower `startupOrder` first (then the order written).
public enum ServiceStartupOrder {
    /// One service as the ordering sees it.
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var dependsOn: [String]
        public var startupOrder: Int

        public init(name: String, dependsOn: [String] = [], startupOrder: Int = 0) {
            self.name = name
            self.dependsOn = dependsOn
            self.startupOrder = startupOrder
        }
    }

    /// The services depend on each other in a circle; ``path`` walks it and ends where it
    /// began (`["lb", "dns", "lb"]`).
    public struct Cycle: Error, Hashable, Sendable, CustomStringConvertible {
        public var path: [String]
        public var description: String { "dependency cycle: " + path.joined(separator: " → ") }
    }

    /// Names in start order. Dependencies on names not among `entries` are ignored (the
    /// validator reports them); a duplicated name counts once, at its first entry.
    public static func order(_ entries: [Entry]) -> Result<[String], Cycle> {
        var firstIndex: [String: Int] = [:]
        for (index, entry) in entries.enumerated() where firstIndex[entry.name] == nil { firstIndex[entry.name] = index }
        let unique = entries.enumerated().filter { firstIndex[$0.element.name] == $0.offset }.map(\.element)
        let known = Set(unique.map(\.name))

        var waitingOn: [String: Set<String>] = [:]
        var dependents: [String: [String]] = [:]
        for entry in unique {
            let needs = Set(entry.dependsOn.filter { known.contains($0) })
            waitingOn[entry.name] = needs
            for need in needs { dependents[need, default: []].append(entry.name) }
        }
        let startupOrder = Dictionary(unique.map { ($0.name, $0.startupOrder) }, uniquingKeysWith: { first, _ in first })
        let rank = { (name: String) in (startupOrder[name] ?? 0, firstIndex[name] ?? 0) }
        var ready = unique.filter { waitingOn[$0.name]!.isEmpty }.map(\.name)
        var started: [String] = []
        while !ready.isEmpty {
            // Few services (bounded by the limits): a linear pick keeps this simple.
            let next = ready.min { rank($0) < rank($1) }!
            ready.removeAll { $0 == next }
            started.append(next)
            for dependent in dependents[next] ?? [] {
                waitingOn[dependent]!.remove(next)
                if waitingOn[dependent]!.isEmpty { ready.append(dependent) }
            }
        }
        if started.count == unique.count { return .success(started) }
        return .failure(findCycle(in: unique.filter { !started.contains($0.name) }, known: known))
    }

    /// A cycle among `entries`, which all wait on something: walking any entry's unmet
    /// dependencies must come back to a name already seen.
    private static func findCycle(in entries: [Entry], known: Set<String>) -> Cycle {
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var path: [String] = []
        var current = entries[0].name
        while !path.contains(current) {
            path.append(current)
            // Follow a dependency that is itself stuck (in byName); one always exists.
            guard let next = byName[current]?.dependsOn.first(where: { byName[$0] != nil }) else { break }
            current = next
        }
        let start = path.firstIndex(of: current) ?? 0
        return Cycle(path: Array(path[start...]) + [current])
    }
}
