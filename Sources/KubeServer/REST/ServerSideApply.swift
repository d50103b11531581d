import KubeModel

/// Server-side apply (`PATCH` with `application/apply-patch+yaml`) as a pure function:
/// an applied configuration, the live object and the managers' recorded fields in, the new
/// object with its `metadata.managedFields` out, or a conflict.
///
/// What it models, after structured-merge-diff: each manager's `Apply` entry records the
/// fields it applied (``FieldSet``). Applying merges the configuration into the live object
/// (maps recursively, keyed lists by merge key, other lists whole), removes fields the
/// manager applied last time and no longer does unless another manager applied them too,
/// and refuses (409) to change a field another `Apply` manager owns with a different value
/// unless `force` moves the field to the caller.
///
/// What it leaves out: `Update` managers (plain create, update and patch record no fields,
/// so they never conflict and their fields are not protected from removal), atomic
/// structs (`spec.selector` is recorded field by field), and list keys beyond the single
/// merge key of ``StrategicMergeKeys`` (ports are keyed by number, not number and protocol).
struct ServerSideApply {
    var manager: String
    var force: Bool
    /// The `apiVersion` the entry is recorded under: the request's.
    var apiVersion: String
    var now: String

    struct Conflict: Equatable {
        var manager: String
        var path: FieldSet.Path
    }

    /// The live object (or `[:]` to create one) with `configuration` applied.
    func apply(_ configuration: JSONValue, to live: JSONValue?) throws(APIError) -> JSONValue {
        let applied = FieldSet(applied: configuration)
        var entries = live?[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let mine = entries.firstIndex { Self.isApply($0, by: manager) }
        let previous = mine.map { FieldSet(fieldsV1: entries[$0]["fieldsV1"]) } ?? FieldSet()

        // Other managers' Apply entries: a field they own with another value is a conflict.
        var conflicts: [Conflict] = []
        for (index, entry) in entries.enumerated() where index != mine && Self.isApply(entry) {
            let owner = entry["manager"]?.stringValue ?? ""
            var theirs = FieldSet(fieldsV1: entry["fieldsV1"])
            for path in theirs.intersection(applied).members.sorted(by: Self.pathOrder) where path.last != "." {
                let current = live.flatMap { FieldSet.value(at: path, in: $0) }
                guard let current, current != FieldSet.value(at: path, in: configuration) else { continue }
                conflicts.append(Conflict(manager: owner, path: path))
                theirs.remove(path)
            }
            if force { entries[index]["fieldsV1"] = theirs.fieldsV1 }
        }
        if !conflicts.isEmpty && !force { throw Self.conflictError(conflicts) }

        // Fields this manager dropped since its last apply, that no other manager applied.
        var others = FieldSet()
        for (index, entry) in entries.enumerated() where index != mine {
            others = others.union(FieldSet(fieldsV1: entry["fieldsV1"]))
        }
        var object = Self.merge(configuration, into: live ?? [:], under: [])
        // Whole list elements first (their key fields must still be there to find them),
        // then single fields, deepest first.
        let dropped = previous.subtracting(applied).subtracting(others).members
        for path in dropped.filter({ $0.last == "." }).sorted(by: { $0.count < $1.count }) {
            FieldSet.remove(path, from: &object)
        }
        for path in dropped.filter({ $0.last != "." }).sorted(by: { $0.count > $1.count }) {
            FieldSet.remove(path, from: &object)
        }

        // The manager's entry: kept as it was (time included) when nothing it owns changed,
        // so applying the same configuration twice writes nothing.
        var entry: JSONValue = [
            "manager": .string(manager), "operation": "Apply", "apiVersion": .string(apiVersion),
            "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": applied.fieldsV1,
        ]
        if let mine, FieldSet(fieldsV1: entries[mine]["fieldsV1"]) == applied,
            entries[mine]["apiVersion"]?.stringValue == apiVersion
        {
            entry = entries[mine]
        }
        if let mine { entries[mine] = entry } else { entries.append(entry) }
        entries.removeAll { Self.isApply($0) && FieldSet(fieldsV1: $0["fieldsV1"]).isEmpty && $0 != entry }
        object[path: ["metadata", "managedFields"]] = .array(entries)
        return object
    }

    static func isApply(_ entry: JSONValue, by manager: String? = nil) -> Bool {
        guard entry["operation"]?.stringValue == "Apply", entry["subresource"]?.stringValue ?? "" == "" else { return false }
        return manager == nil || entry["manager"]?.stringValue == manager
    }

    private static func pathOrder(_ left: FieldSet.Path, _ right: FieldSet.Path) -> Bool {
        left.lexicographicallyPrecedes(right)
    }

    /// `configuration` merged into `live`: objects field by field, lists by the strategy of
    /// ``StrategicMergeKeys`` (keyed elements merged, scalar sets joined, others replaced),
    /// `null` removing the field.
    static func merge(_ configuration: JSONValue, into live: JSONValue, under path: [String]) -> JSONValue {
        guard case .object(let applied) = configuration, case .object(var fields) = live else { return configuration }
        for (key, value) in applied {
            guard !value.isNull else {
                fields[key] = nil
                continue
            }
            switch (value, fields[key]) {
            case (.object, .object(let current)?):
                fields[key] = merge(value, into: .object(current), under: path + [key])
            case (.array(let items), .array(let current)?):
                fields[key] = mergeList(items, into: current, field: key, under: path)
            default:
                fields[key] = value
            }
        }
        return .object(fields)
    }

    private static func mergeList(_ items: [JSONValue], into current: [JSONValue], field: String, under path: [String])
        -> JSONValue
    {
        switch StrategicMergeKeys.strategy(forField: field, under: path) {
        case .merge(let key):
            guard items.allSatisfy({ $0[key] != nil }) else { return .array(items) }
            var result = current
            for item in items {
                if let index = result.firstIndex(where: { $0[key] != nil && $0[key] == item[key] }) {
                    result[index] = merge(item, into: result[index], under: path + [field])
                } else {
                    result.append(item)
                }
            }
            return .array(result)
        case .mergePrimitives:
            return .array(current + items.filter { !current.contains($0) })
        case .replace:
            return .array(items)
        }
    }

    /// kube-apiserver's 409 for apply conflicts (`NewApplyConflict`): one
    /// `FieldManagerConflict` cause per field, and the message structured-merge-diff writes.
    static func conflictError(_ conflicts: [Conflict]) -> APIError {
        let causes = conflicts.map { conflict in
            APIError.Cause(
                reason: "FieldManagerConflict", message: "conflict with \(GoJSON.string(.string(conflict.manager)))",
                field: FieldSet.display(conflict.path))
        }
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message =
                "Apply failed with 1 conflict: conflict with \(GoJSON.string(.string(only.manager))): \(FieldSet.display(only.path))"
        } else {
            var lines: [String] = []
            for manager in Set(conflicts.map(\.manager)).sorted() {
                lines.append("conflicts with \(GoJSON.string(.string(manager))):")
                for conflict in conflicts where conflict.manager == manager {
                    lines.append("- \(FieldSet.display(conflict.path))")
                }
            }
            message = "Apply failed with \(conflicts.count) conflicts: \(lines.joined(separator: "\n"))"
        }
        return APIError(code: 409, reason: .conflict, message: message, causes: causes)
    }
}
