import Capacity
import ControllerKit
import Hummingbird
import ImageSync
import KubeClient
import KubeModel
import LabPool
import Provisioning
import Tenancy

/// The overview (`/ui/`): how many of everything, problems first, each linking to its page.
/// Everything is counted from the informers' caches (no API call per page view) and kept
/// live over one topic.
struct OverviewPages: ConsolePageModule {
    static let topic = "overview"

    func register(on router: ConsolePageRouter) {
        let services = router.services
        router.page("/") { _, _ in
            var view = Self.view(services)
            view.liveTopics = [Self.topic]
            return view
        }
        router.live(
            Self.topic,
            resources: [.labClusters, .labSessions, .vmDiskImages, .clusterDefinitions, .organizations, .nodes],
            access: { _ in .admin }, render: { _, _ in Self.view(services, fragment: true) })
    }

    static func view(_ services: ConsoleServices, fragment: Bool = false) -> ConsoleView {
        let summary = OverviewSummary(services: services)
        return ConsoleView(
            template: fragment ? "overview/live" : "overview/index", title: "Overview", section: .overview,
            model: summary.model)
    }
}

/// The overview's figures, read from the caches.
struct OverviewSummary {
    var connected = false
    var pool: [String: Int] = [:]
    var sessions: [String: Int] = [:]
    var images: [String: Int] = [:]
    var clusters: [String: Int] = [:]
    var organizations = 0
    var nodes: [String: Int] = [:]
    var problems: [(text: String, href: String)] = []

    init(services: ConsoleServices) {
        guard let connection = services.connection.current else { return }
        connected = true
        let informers = connection.informers
        for cluster in informers.informer(for: .labClusters).list() {
            let phase = cluster[path: ["status", "phase"]]?.stringValue ?? "Creating"
            pool[phase, default: 0] += 1
            if phase == "Error" {
                problems.append(("Lab cluster \(cluster.name ?? "?") is in Error", "/ui/labs"))
            }
        }
        for session in informers.informer(for: .labSessions).list() {
            let phase = session[path: ["status", "phase"]]?.stringValue ?? "Pending"
            sessions[phase, default: 0] += 1
        }
        for image in informers.informer(for: .vmDiskImages).list() {
            let phase = image[path: ["status", "phase"]]?.stringValue ?? "Queued"
            images[phase, default: 0] += 1
            if phase == "Failed" {
                problems.append(("Image \(image.namespace ?? "")/\(image.name ?? "?") failed to sync", "/ui/images"))
            }
        }
        for cluster in informers.informer(for: .clusterDefinitions).list() {
            let phase = cluster[path: ["status", "phase"]]?.stringValue ?? "PENDING"
            clusters[phase, default: 0] += 1
            if phase == "FAILED" {
                problems.append(("Cluster \(cluster.name ?? "?") failed", "/ui/clusters"))
            }
        }
        organizations = informers.informer(for: .organizations).list().count
        if let capacity = services.capacity {
            let classification = capacity.classification()
            for (node, utilization) in classification.nodes {
                nodes[utilization.rawValue, default: 0] += 1
                if utilization == .over {
                    problems.append(("Node \(node.node) is over-utilised", "/ui/capacity"))
                }
            }
        }
    }

    var model: [String: Any] {
        func count(_ table: [String: Int], _ key: String) -> Int { table[key] ?? 0 }
        let cards: [[String: Any]] = [
            [
                "id": "pool", "title": "Lab pool", "href": "/ui/labs",
                "figures": Self.figures([
                    ("available", count(pool, "Available")), ("locked", count(pool, "Locked")),
                    ("resetting", count(pool, "Resetting")), ("error", count(pool, "Error")),
                ]),
            ],
            [
                "id": "sessions", "title": "Lab sessions", "href": "/ui/labs",
                "figures": Self.figures([
                    ("running", count(sessions, "Running")),
                    ("pending", count(sessions, "Pending") + count(sessions, "Provisioning")),
                ]),
            ],
            [
                "id": "images", "title": "Images", "href": "/ui/images",
                "figures": Self.figures([
                    ("syncing", count(images, "Syncing")), ("queued", count(images, "Queued")),
                    ("ready", count(images, "Ready")), ("failed", count(images, "Failed")),
                ]),
            ],
            [
                "id": "nodes", "title": "Nodes", "href": "/ui/capacity",
                "figures": Self.figures([
                    ("under-utilised", count(nodes, UtilizationClass.under.rawValue)),
                    ("appropriate", count(nodes, UtilizationClass.appropriate.rawValue)),
                    ("over-utilised", count(nodes, UtilizationClass.over.rawValue)),
                ]),
            ],
            [
                "id": "clusters", "title": "Clusters", "href": "/ui/clusters",
                "figures": Self.figures([
                    ("completed", count(clusters, "COMPLETED")),
                    ("in progress", clusters.filter { !["COMPLETED", "FAILED"].contains($0.key) }.values.reduce(0, +)),
                    ("failed", count(clusters, "FAILED")),
                ]),
            ],
            ["id": "tenants", "title": "Tenants", "href": "/ui/tenancy", "figures": Self.figures([("organisations", organizations)])],
        ]
        var model: [String: Any] = ["cards": cards, "connected": connected]
        if !problems.isEmpty {
            model["problems"] = problems.prefix(50).map { ["text": $0.text, "href": $0.href] }
            model["problemCount"] = problems.count
        }
        return model
    }

    static func figures(_ pairs: [(String, Int)]) -> [[String: Any]] {
        pairs.map { ["label": $0.0, "value": $0.1] }
    }
}
