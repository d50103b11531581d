import ControllerKit
import KubeClient
import KubeModel

/// The apps/v1 ControllerRevisions a StatefulSet or DaemonSet keeps of its pod templates, as
/// kube-controller-manager's `history` package keeps them: one per distinct template, named
/// `<owner>-<hash>`, numbered by `revision`, controlled by the owner. `kubectl rollout
/// history` lists them and `kubectl rollout undo` applies one's `data` to the owner as a
/// strategic merge patch, so `data` has the controllers' shape:
/// `{"spec": {"template": {…, "$patch": "replace"}}}`.
enum ControllerRevisions {
    /// The label on each revision (and on the pods made from it).
    static let hashLabel = "controller-revision-hash"

    /// The revision `data` for a pod template.
    static func data(template: JSONValue) -> JSONValue {
        var replaced = template
        replaced["$patch"] = "replace"
        return ["spec": ["template": replaced]]
    }

    /// The pod template a revision holds; nil for data of another shape.
    static func template(of revision: JSONValue) -> JSONValue? {
        guard var template = revision[path: ["data", "spec", "template"]], template.objectValue != nil else { return nil }
        template["$patch"] = nil
        return template
    }

    static func number(of revision: JSONValue) -> Int64 { revision["revision"]?.intValue ?? 0 }

    /// The hash of a template, changed by the owner's `collisionCount` (the history package's
    /// `HashControllerRevision`, here the same FNV-1a as `pod-template-hash`).
    static func hash(of template: JSONValue, collisionCount: Int64?) -> String {
        PodTemplate(template).hash(collisionCount: collisionCount)
    }

    /// A new revision object of `owner` for `template`.
    static func revision(
        of owner: JSONValue, _ ownerType: ResourceType, template: JSONValue, number: Int64,
        collisionCount: Int64?
    ) -> JSONValue {
        let hash = hash(of: template, collisionCount: collisionCount)
        var revision: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": [
                "name": .string("\(owner.name ?? "")-\(hash)"), "namespace": .string(owner.namespace ?? "default"),
            ],
            "data": data(template: template), "revision": .int(number),
        ]
        revision.labels = template.labels.merging([hashLabel: hash]) { _, new in new }
        revision.ownerReferences = [OwnerReferences.reference(to: owner, ownerType)]
        return revision
    }
}

/// Reads and writes an owner's ControllerRevisions from the revision informer.
struct RevisionHistory: Sendable {
    let api: any KubernetesAPI
    let revisions: Informer

    /// The owner's revisions, oldest first.
    func revisions(of owner: JSONValue) -> [JSONValue] {
        guard let uid = owner.uid else { return [] }
        return revisions.controlled(by: uid).sorted { ControllerRevisions.number(of: $0) < ControllerRevisions.number(of: $1) }
    }

    /// The owner's revisions with the one of its current `template` among them, last
    /// (``revision(for:of:_:existing:collisionCount:)``), as the DaemonSet and StatefulSet
    /// controllers begin every pass.
    /// - Returns: nil after a hash collision: the owner's `status.collisionCount` has been
    ///   raised (which changes the hash of the next try), and the caller requeues.
    func currentRevisions(
        of owner: JSONValue, _ ownerType: ResourceType, template: JSONValue, collisionCount: Int64?
    ) async throws -> (current: JSONValue, all: [JSONValue])? {
        var all = revisions(of: owner)
        guard
            let current = try await revision(
                for: template, of: owner, ownerType, existing: all, collisionCount: collisionCount)
        else {
            var bumped = owner
            bumped[path: ["status", "collisionCount"]] = .int((collisionCount ?? 0) + 1)
            _ = try await api.updateStatus(ownerType, namespace: owner.namespace ?? "default", object: bumped)
            return nil
        }
        all.removeAll { $0.name == current.name }
        all.append(current)
        return (current, all)
    }

    /// The revision of `template`: an existing one with the same template (renumbered as the
    /// newest when it is an older one, as a rollback does), or a new one.
    /// - Returns: nil when a revision of the wanted name holds another template (a hash
    ///   collision): the caller raises its `status.collisionCount` and tries again.
    func revision(
        for template: JSONValue, of owner: JSONValue, _ ownerType: ResourceType, existing: [JSONValue],
        collisionCount: Int64?
    ) async throws -> JSONValue? {
        let newest = existing.map(ControllerRevisions.number(of:)).max() ?? 0
        if let equal = existing.last(where: { ControllerRevisions.template(of: $0) == template }) {
            guard ControllerRevisions.number(of: equal) < newest else { return equal }
            var renumbered = equal
            renumbered["revision"] = .int(newest + 1)
            return try await api.update(WorkloadResources.controllerRevisions, namespace: equal.namespace, object: renumbered)
        }
        let wanted = ControllerRevisions.revision(
            of: owner, ownerType, template: template, number: newest + 1, collisionCount: collisionCount)
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(WorkloadResources.controllerRevisions, namespace: owner.namespace, object: wanted)
        }
        if let created { return created }
        let clash = try await api.get(
            WorkloadResources.controllerRevisions, namespace: owner.namespace, name: wanted.name ?? "")
        // Ours, with our template, not yet in the cache: use it.
        if clash.isControlled(by: owner), ControllerRevisions.template(of: clash) == template { return clash }
        return nil
    }

    /// Deletes the oldest revisions beyond `limit` that no live pod or status names.
    func prune(_ existing: [JSONValue], keeping live: Set<String>, limit: Int) async throws {
        let removable = existing.filter { !live.contains($0.name ?? "") }
        let excess = removable.count - max(0, limit)
        guard excess > 0 else { return }
        for revision in removable.prefix(excess) {
            guard let name = revision.name else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(
                    WorkloadResources.controllerRevisions, namespace: revision.namespace, name: name,
                    options: DeleteOptions(preconditionUID: revision.uid))
            }
        }
    }
}
