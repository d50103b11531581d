import ControllerKit
import KubeModel
import Synchronization

/// The load of every running launcher pod, by node, kept up to date from the pod informer's
/// events: a scrape then reads parsed figures instead of walking 10,000 pod objects.
final class VMLoadIndex: Sendable {
    private struct State {
        var byNode: [String: [String: VMLoad]] = [:]
        var nodeOfPod: [String: String] = [:]
        /// Each node's VMs sorted by name, dropped when one of them changes.
        var sorted: [String: [VMLoad]] = [:]
    }

    private let state = Mutex(State())

    func handle(_ event: InformerEvent) {
        guard let key = ObjectKey(event.object)?.description else { return }
        var placement: (node: String, load: VMLoad)?
        if case .deleted = event {
            placement = nil
        } else {
            // A launcher counts while it is bound and neither finished nor going away.
            let pod = Pod(event.object)
            if pod.isBound, let node = pod.nodeName, !pod.isDeleting, pod.phase?.isFinished != true,
                let load = VMLoad(pod: pod)
            {
                placement = (node, load)
            }
        }
        state.withLock { state in
            if let previous = state.nodeOfPod.removeValue(forKey: key) {
                state.sorted.removeValue(forKey: previous)
                state.byNode[previous]?.removeValue(forKey: key)
                if state.byNode[previous]?.isEmpty == true { state.byNode.removeValue(forKey: previous) }
            }
            if let placement {
                state.nodeOfPod[key] = placement.node
                state.sorted.removeValue(forKey: placement.node)
                state.byNode[placement.node, default: [:]][key] = placement.load
            }
        }
    }

    /// Every node's VMs, sorted by VM name.
    func loadsByNode() -> [String: [VMLoad]] {
        state.withLock { state in
            if state.sorted.count != state.byNode.count {
                for (node, loads) in state.byNode where state.sorted[node] == nil {
                    state.sorted[node] = loads.values.sorted { $0.vmName < $1.vmName }
                }
            }
            return state.sorted
        }
    }
}
