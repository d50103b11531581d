import KubeModel

/// `status.conditions` lists as Kubernetes controllers keep them (controller-runtime's
/// `meta.SetStatusCondition` / `FindStatusCondition` / `IsStatusConditionTrue`): one entry per
/// type, and `lastTransitionTime` moves only on a transition, so it says how long the
/// condition has held.
///
/// Works on the list as stored (`[JSONValue]`), so entries of other types and kinds' own
/// fields pass through untouched.
public enum StatusConditions {
    /// What counts as a transition, moving `lastTransitionTime` to now.
    public enum Transition: Sendable {
        /// A change of `status`: metav1.Condition's rule.
        case statusChange
        /// A change of `status` or `reason`: for conditions whose transition time times a
        /// step that a new reason starts while the status stays (VMDiskImage's attempt timeout
        /// counts from Queued → Syncing, both `Ready=False`).
        case statusOrReasonChange
    }

    /// Puts `condition` in the list, replacing the entry of its type whole, or appending it.
    /// Its `lastTransitionTime` is the previous entry's when there was no transition (or now,
    /// if that entry had none), and `now` otherwise; the one `condition` carries is ignored.
    ///
    /// - Returns: whether the list changed.
    @discardableResult
    public static func set(
        _ conditions: inout [JSONValue], _ condition: Condition, now: String = Timestamp.now(),
        transition: Transition = .statusChange
    ) -> Bool {
        var entry = condition.json
        guard let index = conditions.firstIndex(where: { $0["type"]?.stringValue == condition.type }) else {
            entry["lastTransitionTime"] = .string(now)
            conditions.append(entry)
            return true
        }
        let previous = conditions[index]
        var same = previous["status"]?.stringValue == condition.status.rawValue
        if transition == .statusOrReasonChange { same = same && previous["reason"]?.stringValue == condition.reason }
        entry["lastTransitionTime"] = same ? previous["lastTransitionTime"] ?? .string(now) : .string(now)
        guard entry != previous else { return false }
        conditions[index] = entry
        return true
    }

    /// The entry of `type`, as stored.
    public static func entry(_ conditions: [JSONValue], _ type: String) -> JSONValue? {
        conditions.first { $0["type"]?.stringValue == type }
    }

    /// The condition of `type`, typed.
    public static func find(_ conditions: [JSONValue], _ type: String) -> Condition? {
        entry(conditions, type).flatMap(Condition.init(json:))
    }

    /// Whether the condition of `type` is there with status `True`.
    public static func isTrue(_ conditions: [JSONValue], _ type: String) -> Bool {
        find(conditions, type)?.isTrue ?? false
    }

    /// Removes the entry of `type`; returns whether there was one.
    @discardableResult
    public static func remove(_ conditions: inout [JSONValue], _ type: String) -> Bool {
        let before = conditions.count
        conditions.removeAll { $0["type"]?.stringValue == type }
        return conditions.count != before
    }
}
