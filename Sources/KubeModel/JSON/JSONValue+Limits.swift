import Foundation

extension JSONValue {
    /// How deeply the API server lets a request body or a stored object nest.
    ///
    /// Real objects stay far below it: the deepest thing Virtyard stores, KubeVirt's
    /// `VirtualMachineSnapshotContent` CRD, nests 35 levels. The bound keeps every recursive
    /// walk over an object — parsing, serialising, patching, validating, even releasing it —
    /// a few hundred frames deep at most, well inside any thread's stack in every build.
    public static let maximumNestingDepth = 128

    /// How deeply documents that wrap stored objects may nest when Virtyard reads them: lists
    /// and watch events from a real cluster, snapshot files of virtual clusters.
    public static let maximumReadDepth = 512

    /// Whether this value nests deeper than `limit` levels (a scalar is level 0, `[]` level
    /// 1). Never descends more than `limit + 1` levels, so it is safe on any value.
    public func nestingDepthExceeds(_ limit: Int) -> Bool {
        switch self {
        case .array(let items):
            if limit < 1 { return true }
            return items.contains { $0.nestingDepthExceeds(limit - 1) }
        case .object(let fields):
            if limit < 1 { return true }
            return fields.values.contains { $0.nestingDepthExceeds(limit - 1) }
        default:
            return false
        }
    }

    /// About how many bytes this value takes as JSON, counted no further than `budget`
    /// (the walk stops once it is passed). Cheap: nothing is encoded.
    public func approximateSize(upTo budget: Int) -> Int {
        var total = 0
        accumulateSize(&total, budget: budget)
        return total
    }

    private func accumulateSize(_ total: inout Int, budget: Int) {
        if total > budget { return }
        switch self {
        case .null, .bool: total += 5
        case .int, .double: total += 8
        case .string(let text): total += text.utf8.count + 2
        case .array(let items):
            total += 2
            for item in items {
                item.accumulateSize(&total, budget: budget)
                if total > budget { return }
            }
        case .object(let fields):
            total += 2
            for (key, value) in fields {
                total += key.utf8.count + 4
                value.accumulateSize(&total, budget: budget)
                if total > budget { return }
            }
        }
    }
}
