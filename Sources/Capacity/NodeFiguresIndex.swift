import ControllerKit
import Foundation
import KubeModel
import Synchronization

/// What utilisation needs of every node (its size and the baseline usage a scenario gave it),
/// parsed once per node update from the node informer's events: a scrape then reads figures
/// instead of walking 5,000 node objects, their quantities and annotations.
final class NodeFiguresIndex: Sendable {
    struct Figures: Sendable, Equatable {
        /// Nil when the node reports none (the configured size stands in).
        var cpuCores: Double?
        var memoryBytes: Double?
        var baseline: NodeUsageFigures?
    }

    private struct State {
        var byName: [String: Figures] = [:]
        /// The names in order, kept until a node comes or goes.
        var sortedNames: [String]?
    }

    private let state = Mutex(State())

    func handle(_ event: InformerEvent) {
        let node = Node(event.object)
        let name = node.name
        guard !name.isEmpty else { return }
        var figures: Figures?
        // A node going away no longer counts, as it did not when parsed at each scrape.
        if case .deleted = event {
            figures = nil
        } else if !node.isDeleting {
            let resources = node.allocatable ?? node.capacity
            figures = Figures(
                cpuCores: Quantity(json: resources?["cpu"])?.doubleValue,
                memoryBytes: Quantity(json: resources?["memory"]).map { Double($0.value) },
                baseline: node.annotations[CapacityAnnotations.baseline].flatMap {
                    try? JSONDecoder().decode(NodeUsageFigures.self, from: Data($0.utf8))
                })
        }
        state.withLock { state in
            let known = state.byName[name] != nil
            state.byName[name] = figures
            if known != (figures != nil) { state.sortedNames = nil }
        }
    }

    /// Every node's figures, in name order.
    func sorted() -> [(name: String, figures: Figures)] {
        state.withLock { state in
            let names = state.sortedNames ?? state.byName.keys.sorted()
            state.sortedNames = names
            return names.compactMap { name in state.byName[name].map { (name, $0) } }
        }
    }
}
