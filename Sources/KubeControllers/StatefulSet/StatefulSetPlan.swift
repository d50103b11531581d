/// What a StatefulSet controller does next, from the set's spec and its pods by ordinal: a
/// pure function of both, as `updateStatefulSet` in kube-controller-manager's
/// `stateful_set_control.go` decides it (without the alpha `maxUnavailable`).
///
/// In order: create missing pods of ordinals `start..<start+replicas` and replace finished
/// ones; delete pods of higher ordinals, highest first; then, for `RollingUpdate`, delete
/// the highest-ordinal pod at or above the partition that is not of the update revision (it
/// comes back at the update revision on a later pass). `OrderedReady` (monotonic) stops at the
/// first action or at the first pod that is not Running and Ready; `Parallel` does every
/// creation and scale-down deletion at once, and waits only in the rolling update.
enum StatefulSetPlan {
    /// One existing pod of the set.
    struct Member: Sendable, Equatable {
        enum State: Sendable, Equatable {
            /// Running, Ready (and available, with `minReadySeconds`), not being deleted.
            case healthy
            /// Created, not yet (or no longer) Running and Ready.
            case unhealthy
            /// Has a `deletionTimestamp`.
            case terminating
            /// `Succeeded` or `Failed`: it is deleted and made again.
            case finished
        }

        var ordinal: Int
        /// The pod's `controller-revision-hash` label (a revision name).
        var revision: String
        var state: State
    }

    struct Spec: Sendable, Equatable {
        var replicas: Int
        var startOrdinal = 0
        var parallel = false
        var onDelete = false
        var partition = 0
        var currentRevision: String
        var updateRevision: String
    }

    enum Action: Sendable, Equatable {
        case create(ordinal: Int, revision: String)
        case delete(ordinal: Int)
    }

    static func actions(_ spec: Spec, _ members: [Member]) -> [Action] {
        let wanted = spec.startOrdinal..<(spec.startOrdinal + spec.replicas)
        var byOrdinal: [Int: Member] = [:]
        for member in members where byOrdinal[member.ordinal] == nil { byOrdinal[member.ordinal] = member }
        let monotonic = !spec.parallel
        var actions: [Action] = []

        for ordinal in wanted {
            guard let member = byOrdinal[ordinal] else {
                actions.append(.create(ordinal: ordinal, revision: revisionOfNewPod(ordinal, spec)))
                if monotonic { return actions }
                continue
            }
            switch member.state {
            case .healthy:
                continue
            case .finished:
                actions.append(.delete(ordinal: ordinal))
                if monotonic { return actions }
            case .terminating, .unhealthy:
                if monotonic { return actions }
            }
        }

        // Scale down, highest ordinal first. Monotonically, only the lowest unhealthy pod of
        // those condemned may go while others are unhealthy (the controller's
        // `firstUnhealthyPod`): a broken pod never blocks its own removal.
        let condemned = members.filter { !wanted.contains($0.ordinal) }.sorted { $0.ordinal > $1.ordinal }
        let firstUnhealthy = condemned.filter { $0.state != .healthy }.map(\.ordinal).min()
        for member in condemned {
            if member.state == .terminating {
                if monotonic { return actions }
                continue
            }
            if monotonic, member.state != .healthy, member.ordinal != firstUnhealthy { return actions }
            actions.append(.delete(ordinal: member.ordinal))
            if monotonic { return actions }
        }

        guard !spec.onDelete else { return actions }
        for ordinal in wanted.reversed() where ordinal - spec.startOrdinal >= spec.partition {
            guard let member = byOrdinal[ordinal] else { return actions }
            if member.revision != spec.updateRevision, member.state != .terminating {
                actions.append(.delete(ordinal: ordinal))
                return actions
            }
            if member.state != .healthy { return actions }
        }
        return actions
    }

    /// Pods below the partition are made at the current revision, the rest at the update
    /// revision (`newVersionedStatefulSetPod`).
    static func revisionOfNewPod(_ ordinal: Int, _ spec: Spec) -> String {
        !spec.onDelete && ordinal - spec.startOrdinal < spec.partition ? spec.currentRevision : spec.updateRevision
    }
}
