/// What a DaemonSet controller does next and what its status says, from each node's verdict
/// and the daemon pods for it: a pure function, as `manage`, `rollingUpdate` and
/// `updateDaemonSetStatus` in kube-controller-manager's `daemon` package decide them.
enum DaemonSetPlan {
    /// One daemon pod, by what the plan needs to know of it.
    struct DaemonPod: Sendable, Equatable {
        var name: String
        /// Its `controller-revision-hash` label.
        var hash: String
        var ready = false
        /// Ready for `minReadySeconds`.
        var available = false
        var terminating = false
        var failed = false
        /// For "keep the oldest": creation order (smaller is older).
        var age = 0
    }

    /// One node and the daemon pods bound or pinned to it.
    struct NodeState: Sendable, Equatable {
        var name: String
        var verdict: DaemonPlacement.Verdict
        var pods: [DaemonPod]
    }

    struct Actions: Sendable, Equatable {
        /// Nodes that get a new pod.
        var createOn: [String] = []
        /// Pods to delete, by name.
        var delete: [String] = []
    }

    /// `manage`: a pod where one should run and none is; failed pods and all but the oldest
    /// of several removed; pods off nodes that should not keep them removed. Then, for
    /// `RollingUpdate`, ``rollingUpdate(_:hash:maxUnavailable:)``.
    static func actions(_ nodes: [NodeState], hash: String, rollingUpdate: Bool, maxUnavailable: Int) -> Actions {
        var actions = Actions()
        for node in nodes.sorted(by: { $0.name < $1.name }) {
            if node.verdict.shouldRun, node.pods.isEmpty {
                actions.createOn.append(node.name)
            } else if node.verdict.shouldContinueRunning {
                let running = node.pods.filter { !$0.terminating && !$0.failed }
                actions.delete += node.pods.filter { !$0.terminating && $0.failed }.map(\.name)
                actions.delete += running.sorted { $0.age < $1.age }.dropFirst().map(\.name)
            } else {
                actions.delete += node.pods.filter { !$0.terminating }.map(\.name)
            }
        }
        if rollingUpdate {
            let planned = Set(actions.delete)
            actions.delete += Self.rollingUpdate(nodes, hash: hash, maxUnavailable: maxUnavailable)
                .filter { !planned.contains($0) }
        }
        return actions
    }

    /// The old pods to delete now: every unavailable one, and available ones while fewer than
    /// `maxUnavailable` nodes are without an available pod; their replacements come from the
    /// next `manage`.
    static func rollingUpdate(_ nodes: [NodeState], hash: String, maxUnavailable: Int) -> [String] {
        var unavailable = 0
        var replaceAtOnce: [String] = []
        var candidates: [String] = []
        for node in nodes.sorted(by: { $0.name < $1.name }) where !node.pods.isEmpty {
            let live = node.pods.filter { !$0.terminating }
            let new = live.filter { $0.hash == hash }
            let old = live.filter { $0.hash != hash }
            guard new.count <= 1, old.count <= 1 else {
                unavailable += 1
                continue
            }
            switch (new.first, old.first) {
            case (nil, nil), (.some, .some):
                unavailable += 1
            case (.some(let pod), nil):
                if !pod.available { unavailable += 1 }
            case (nil, .some(let pod)):
                if !pod.available {
                    replaceAtOnce.append(pod.name)
                    unavailable += 1
                } else if unavailable < maxUnavailable {
                    candidates.append(pod.name)
                }
            }
        }
        let room = min(max(0, maxUnavailable - unavailable), candidates.count)
        return replaceAtOnce + candidates.prefix(room)
    }

    struct Status: Sendable, Equatable {
        var desiredNumberScheduled = 0
        var currentNumberScheduled = 0
        var numberMisscheduled = 0
        var numberReady = 0
        var numberAvailable = 0
        var updatedNumberScheduled = 0
        var numberUnavailable: Int { desiredNumberScheduled - numberAvailable }
    }

    /// The counts of `updateDaemonSetStatus`: on each node that should run the daemon, its
    /// oldest pod decides ready, available and updated; pods on other nodes are misscheduled.
    static func status(_ nodes: [NodeState], hash: String) -> Status {
        var status = Status()
        for node in nodes {
            let scheduled = !node.pods.isEmpty
            guard node.verdict.shouldRun else {
                if scheduled { status.numberMisscheduled += 1 }
                continue
            }
            status.desiredNumberScheduled += 1
            guard let pod = node.pods.sorted(by: { $0.age < $1.age }).first else { continue }
            status.currentNumberScheduled += 1
            if pod.ready {
                status.numberReady += 1
                if pod.available { status.numberAvailable += 1 }
            }
            if pod.hash == hash { status.updatedNumberScheduled += 1 }
        }
        return status
    }
}
