import KubeClient
import KubeModel

/// The write that brings one object a VDC owns back to what ``VDCNamespaceObjects`` wants.
enum VDCObjectWrite: Equatable {
    case create(JSONValue)
    /// The object as it is, with the wanted labels (others kept) and, where the spec is
    /// owned, the wanted spec.
    case update(JSONValue)
}

/// Where reconciling a VDC reads the objects it owns as they are now: the API on the request
/// path, the informers' caches in ``VDCReconciler``.
protocol VDCObjectReader: Sendable {
    /// The object, nil when absent.
    func current(_ resource: ResourceType, _ namespace: String?, _ name: String) async throws(KubeClientError) -> JSONValue?
}

/// Reads through the API: a GET per object.
struct APIObjectReader: VDCObjectReader {
    let api: any KubernetesAPI

    func current(_ resource: ResourceType, _ namespace: String?, _ name: String) async throws(KubeClientError) -> JSONValue? {
        do {
            return try await api.get(resource, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }
}

extension VDCNamespaceObjects {
    /// What to write so that `current` is `wanted`: create it when it is missing; otherwise put
    /// back the wanted labels and, when `replacesSpec`, the wanted spec whole (a merge patch
    /// cannot remove keys added by hand). nil when nothing differs, so a reconciler woken by
    /// its own write stops there.
    static func write(wanted: JSONValue, current: JSONValue?, replacesSpec: Bool) -> VDCObjectWrite? {
        guard let current else { return .create(wanted) }
        guard case .object(var fields) = current, case .object(var metadata)? = fields["metadata"] else { return nil }
        let wantedLabels = wanted["metadata"]?["labels"]?.objectValue ?? [:]
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels.merge(wantedLabels) { _, new in new }
        let wantedSpec = wanted["spec"] ?? [:]
        let specDiffers = replacesSpec && !sameSpec(fields["spec"] ?? [:], wantedSpec)
        guard specDiffers || metadata["labels"]?.objectValue != labels else { return nil }
        metadata["labels"] = .object(labels)
        fields["metadata"] = .object(metadata)
        if replacesSpec { fields["spec"] = wantedSpec }
        return .update(.object(fields))
    }

    /// Equal, counting quantities equal by value: a real API server writes `4000m` back as
    /// `4`, and that must not read as a change to undo (it would never settle).
    static func sameSpec(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameSpec(value, $0) } ?? false }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { sameSpec($0, $1) }
        case (.string(let a), .string(let b)):
            if a == b { return true }
            guard let first = try? Quantity(parsing: a), let second = try? Quantity(parsing: b) else { return false }
            return first.milliValue == second.milliValue
        default:
            return left == right
        }
    }
}
