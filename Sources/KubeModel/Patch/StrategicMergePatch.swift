import Foundation

/// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), the patch
/// `kubectl apply` and `kubectl patch` send for built-in kinds.
///
/// Like a merge patch, objects merge and `null` deletes; unlike it, lists named in
/// `StrategicMergeKeys` merge element by element, and the patch may carry directives:
/// `$patch` (`replace`, `delete`, `merge`) on objects and list elements,
/// `$deleteFromPrimitiveList/<field>`, `$retainKeys` and `$setElementOrder/<field>`.
/// No directive survives into the result.
///
/// Ordering follows Kubernetes: `$setElementOrder` wins, then the order of the patch's
/// own list, then the original's. Elements the patch does not mention keep their places;
/// elements the patch adds without a `$setElementOrder` are placed before the original
/// elements that follow them (so a lone new container lands first, as with a real API server).
public enum StrategicMergePatch {
    public static func apply(_ patch: JSONValue, to original: JSONValue) throws(PatchError) -> JSONValue {
        guard case .object(let patchFields) = patch else {
            throw PatchError(reason: "a strategic merge patch must be a JSON object, not \(patch.typeName)")
        }
        guard case .object(let originalFields) = original else {
            throw PatchError(reason: "strategic merge patch applies to an object, not \(original.typeName)")
        }
        return .object(try mergeObject(originalFields, patchFields, path: []))
    }

    private static let directiveKey = "$patch"
    private static let retainKeysKey = "$retainKeys"
    private static let setElementOrderPrefix = "$setElementOrder/"
    private static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    private static func display(_ path: [String]) -> String? { path.isEmpty ? nil : path.joined(separator: ".") }

    // MARK: Objects

    private static func mergeObject(
        _ original: [String: JSONValue], _ patch: [String: JSONValue], path: [String]
    ) throws(PatchError) -> [String: JSONValue] {
        var patch = patch
        if let directive = patch.removeValue(forKey: directiveKey) {
            switch directive.stringValue {
            case "replace": return try mergeObject([:], patch, path: path)
            case "delete": return [:]
            case "merge": break
            default:
                throw PatchError(
                    reason: "unknown $patch directive \(directive.serializedString()) (expected replace, delete or merge)",
                    path: display(path))
            }
        }

        var result = original
        if let retain = patch.removeValue(forKey: retainKeysKey) {
            let names = retain.arrayValue?.compactMap(\.stringValue)
            guard let names, names.count == retain.arrayValue?.count else {
                throw PatchError(reason: "$retainKeys must be a list of field names", path: display(path))
            }
            let keep = Set(names)
            for (key, value) in patch.sorted(by: { $0.key < $1.key })
            where !value.isNull && !key.hasPrefix(setElementOrderPrefix) && !key.hasPrefix(deleteFromPrimitiveListPrefix) {
                if !keep.contains(key) {
                    throw PatchError(reason: "the patch sets \"\(key)\", which its $retainKeys list leaves out", path: display(path))
                }
            }
            result = result.filter { keep.contains($0.key) }
        }
        let before = result

        var orders: [(field: String, order: [JSONValue])] = []
        var deletions: [(field: String, values: [JSONValue])] = []
        var members: [(key: String, value: JSONValue)] = []
        for key in patch.keys.sorted() {
            let value = patch[key] ?? .null
            if let field = directiveField(key, prefix: setElementOrderPrefix) {
                guard let order = value.arrayValue, !field.isEmpty else {
                    throw PatchError(reason: "\(key) must name a field and hold a list", path: display(path))
                }
                orders.append((field, order))
            } else if let field = directiveField(key, prefix: deleteFromPrimitiveListPrefix) {
                guard let values = value.arrayValue, !field.isEmpty else {
                    throw PatchError(reason: "\(key) must name a field and hold a list", path: display(path))
                }
                deletions.append((field, values))
            } else {
                members.append((key, value))
            }
        }

        for (field, values) in deletions {
            guard case .array(let items)? = result[field] else { continue }
            result[field] = .array(items.filter { item in !values.contains { $0.isEquivalent(to: item) } })
        }

        for (key, value) in members {
            if value.isNull {
                result.removeValue(forKey: key)
                continue
            }
            switch (result[key], value) {
            case (.object(let existing)?, .object(let change)):
                result[key] = .object(try mergeObject(existing, change, path: path + [key]))
            case (.array(let existing)?, .array(let change)):
                let strategy = StrategicMergeKeys.strategy(forField: key, under: path)
                result[key] = .array(try mergeList(existing, change, strategy: strategy, path: path + [key]))
            default:
                result[key] = try fresh(value, field: key, path: path)
            }
        }

        for (field, order) in orders {
            guard case .array(let list)? = result[field] else { continue }
            let strategy = StrategicMergeKeys.strategy(forField: field, under: path)
            guard let identity = identity(for: strategy) else { continue }
            let serverOrder = before[field]?.arrayValue ?? []
            result[field] = .array(arrange(list, preferred: order, serverOrder: serverOrder, identity: identity))
        }
        return result
    }

    private static func directiveField(_ key: String, prefix: String) -> String? {
        key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : nil
    }

    /// A patch value placed where the original has nothing to merge with: taken as it is,
    /// except that its own directives are carried out and its nulls dropped.
    private static func fresh(_ value: JSONValue, field: String, path: [String]) throws(PatchError) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(try mergeObject([:], members, path: path + [field]))
        case .array(let items):
            let strategy = StrategicMergeKeys.strategy(forField: field, under: path)
            return .array(try freshList(items, strategy: strategy, path: path + [field]))
        default:
            return value
        }
    }

    private static func freshList(_ items: [JSONValue], strategy: StrategicMergeKeys.Strategy, path: [String]) throws(PatchError)
        -> [JSONValue]
    {
        var result: [JSONValue] = []
        for item in items {
            switch item {
            case .object(var members):
                if strategy != .replace, let directive = members.removeValue(forKey: directiveKey) {
                    switch directive.stringValue {
                    case "delete", "replace": continue
                    case "merge": break
                    default:
                        throw PatchError(
                            reason: "unknown $patch directive \(directive.serializedString()) in a list element", path: display(path))
                    }
                }
                result.append(.object(try mergeObject([:], members, path: path)))
            case .array(let nested):
                result.append(.array(try freshList(nested, strategy: .replace, path: path)))
            default:
                result.append(item)
            }
        }
        return result
    }

    // MARK: Lists

    private static func identity(for strategy: StrategicMergeKeys.Strategy) -> ((JSONValue) -> JSONValue?)? {
        switch strategy {
        case .merge(let key): return { $0.objectValue?[key]?.canonicalForm }
        case .mergePrimitives: return { $0.canonicalForm }
        case .replace: return nil
        }
    }

    private static func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], strategy: StrategicMergeKeys.Strategy, path: [String]
    ) throws(PatchError) -> [JSONValue] {
        switch strategy {
        case .replace:
            return try freshList(patch, strategy: .replace, path: path)

        case .mergePrimitives:
            var replace = false
            var values: [JSONValue] = []
            for item in patch {
                if case .object(let members) = item, let directive = members[directiveKey] {
                    switch directive.stringValue {
                    case "replace": replace = true
                    case "delete", "merge": break
                    default:
                        throw PatchError(reason: "unknown $patch directive \(directive.serializedString()) in a list", path: display(path))
                    }
                    continue
                }
                values.append(item)
            }
            // An object in a list of values is a value too, but no directive it carries
            // ($retainKeys, $setElementOrder …) may survive into the stored object.
            values = try freshList(values, strategy: .replace, path: path)
            if replace { return values }
            var seen = Set<JSONValue>()
            var merged: [JSONValue] = []
            for item in original + values where seen.insert(item.canonicalForm).inserted {
                merged.append(item)
            }
            return arrange(merged, preferred: values, serverOrder: original) { $0.canonicalForm }

        case .merge(let key):
            let identity: (JSONValue) -> JSONValue? = { $0.objectValue?[key]?.canonicalForm }
            func missingKey(_ element: [String: JSONValue]) -> PatchError {
                PatchError(
                    reason: "list element \(JSONValue.object(element).serializedString()) does not contain the merge key \"\(key)\"",
                    path: display(path))
            }
            var replace = false
            var remaining = original
            var changes: [[String: JSONValue]] = []
            for item in patch {
                guard case .object(var element) = item else {
                    throw PatchError(
                        reason: "elements of this list must be objects merged by \"\(key)\", not \(item.typeName)", path: display(path))
                }
                if let directive = element.removeValue(forKey: directiveKey) {
                    switch directive.stringValue {
                    case "delete":
                        guard let value = element[key]?.canonicalForm else { throw missingKey(element) }
                        remaining.removeAll { identity($0) == value }
                        continue
                    case "replace":
                        replace = true
                        continue
                    case "merge":
                        break
                    default:
                        throw PatchError(
                            reason: "unknown $patch directive \(directive.serializedString()) in a list element", path: display(path))
                    }
                }
                guard element[key] != nil else { throw missingKey(element) }
                changes.append(element)
            }
            if replace {
                var result: [JSONValue] = []
                for element in changes { result.append(.object(try mergeObject([:], element, path: path))) }
                return result
            }
            var merged = remaining
            for element in changes {
                let value = element[key]?.canonicalForm
                if let index = merged.firstIndex(where: { identity($0) == value }) {
                    let existing = merged[index].objectValue ?? [:]
                    merged[index] = .object(try mergeObject(existing, element, path: path))
                } else {
                    merged.append(.object(try mergeObject([:], element, path: path)))
                }
            }
            return arrange(merged, preferred: changes.map(JSONValue.object), serverOrder: remaining, identity: identity)
        }
    }

    /// Orders a merged list: elements named in `preferred` take its order, the others keep
    /// the original's, and the two runs are interleaved by their positions in the original
    /// (Kubernetes' `normalizeElementOrder` followed by `mergeSortedSlice`).
    private static func arrange(
        _ list: [JSONValue], preferred: [JSONValue], serverOrder: [JSONValue], identity: (JSONValue) -> JSONValue?
    ) -> [JSONValue] {
        func positions(_ items: [JSONValue]) -> [JSONValue: Int] {
            var table: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let id = identity(item), table[id] == nil { table[id] = index }
            }
            return table
        }
        let preferredIndex = positions(preferred)
        let serverIndex = positions(serverOrder)
        func rank(_ item: JSONValue, in table: [JSONValue: Int]) -> Int? { identity(item).flatMap { table[$0] } }

        var chosen: [(offset: Int, element: JSONValue)] = []
        var others: [(offset: Int, element: JSONValue)] = []
        for (offset, item) in list.enumerated() {
            if rank(item, in: preferredIndex) != nil { chosen.append((offset, item)) } else { others.append((offset, item)) }
        }
        func stableSorted(_ items: [(offset: Int, element: JSONValue)], by table: [JSONValue: Int]) -> [JSONValue] {
            items.sorted { left, right in
                let l = rank(left.element, in: table) ?? Int.max
                let r = rank(right.element, in: table) ?? Int.max
                return l != r ? l < r : left.offset < right.offset
            }.map(\.element)
        }
        let right = stableSorted(chosen, by: preferredIndex)
        // The others are already in the original's order (merging never moves an element).
        let left = others.map(\.element)

        var result: [JSONValue] = []
        result.reserveCapacity(list.count)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            if let l = rank(left[i], in: serverIndex), let r = rank(right[j], in: serverIndex), l < r {
                result.append(left[i])
                i += 1
            } else {
                result.append(right[j])
                j += 1
            }
        }
        result.append(contentsOf: left[i...])
        result.append(contentsOf: right[j...])
        return result
    }
}
