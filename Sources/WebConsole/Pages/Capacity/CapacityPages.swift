import Capacity
import Foundation
import Hummingbird
import KubeClient
import KubeModel
import NIOCore

/// The Capacity section (`/ui/capacity`): each node's usage, pressure, VM count and class
/// (live topic `capacity`), charts of the last 15 minutes per node (``CapacityHistory``, served
/// as JSON for uPlot at `/ui/capacity/history.json`), the recent migrations and the
/// rebalancer's rounds (live topic `capacity-moves`), and a form that loads a
/// node-classifier-sim scenario through ``CapacityService``.
struct CapacityPages: ConsolePageModule {
    let history: CapacityHistory
    let sampler: CapacitySampler
    static let maximumMigrations = 20
    static let topics = ["capacity", "capacity-moves", samplesTopic]
    /// Fires with every sample: the charts fetch the history again.
    static let samplesTopic = "capacity-samples"

    init(history: CapacityHistory = CapacityHistory()) {
        self.history = history
        sampler = CapacitySampler(history: history)
    }

    func register(on router: ConsolePageRouter) {
        let services = router.services
        let history = self.history
        let sampler = self.sampler
        let renderer = router.renderer
        let logger = router.logger
        let hub = router.live
        sampler.configure(
            source: { Self.figures(services.capacity, at: Date()) },
            onSample: { [weak hub] moved in
                // The charts follow every sample (a tiny region); the node table and the
                // moves re-render only when a figure moved, which at thousands of nodes matters.
                hub?.changed(moved ? Set(Self.topics) : [Self.samplesTopic])
            })
        router.page("/capacity") { _, context in
            var model = Self.nodesModel(services.capacity)
            model.merge(Self.movesModel(services.capacity, now: Date())) { first, _ in first }
            model.merge(ScenarioUpload().model(csrf: context.session?.csrfToken)) { first, _ in first }
            model["historyMinutes"] = history.samplesPerNode * Int(CapacityHistory.interval.components.seconds) / 60
            model["historyNodes"] = history.maximumNodes
            model["samples"] = history.sampleCount
            return ConsoleView(
                template: "capacity/index", title: "Capacity", section: .capacity, model: model, liveTopics: Self.topics)
        }
        router.group.get("/capacity/history.json") { request, context -> Response in
            do {
                _ = try context.require(.admin)
                let data = CapacityChartData(history.series(), interval: CapacityHistory.interval, samplesPerNode: history.samplesPerNode)
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: try data.json())))
            } catch {
                return ConsolePageRouter.failure(error, request: request, context: context, renderer: renderer, logger: logger)
            }
        }
        router.action("/capacity/scenario") { request, context in
            guard let capacity = services.capacity else {
                throw ConsoleError(.serviceUnavailable, "This server runs without the capacity service.")
            }
            var upload = ScenarioUpload(form: context.form)
            if let body = upload.parse() {
                do throws(CapacityError) {
                    let answer = try await capacity.loadScenario(body, choose: upload.choose.isEmpty ? nil : upload.choose)
                    upload.result = ScenarioUpload.summary(answer)
                    // The charts start from the new nodes at once, not at the next tick.
                    sampler.sampleOnce()
                } catch {
                    upload.take(error)
                }
            }
            let failed = !upload.errors.isEmpty
            if !failed, !ConsolePageRouter.isHTMX(request) { return .redirect("/ui/capacity") }
            return .fragment(
                ConsoleView(
                    template: "capacity/scenario-form", title: "Capacity", model: upload.model(csrf: context.session?.csrfToken),
                    status: failed ? .unprocessableContent : .ok))
        }
        router.live("capacity", resources: [.nodes, .pods], access: { _ in .admin }) { _, _ in
            ConsoleView(template: "capacity/nodes", title: "Capacity", model: Self.nodesModel(services.capacity))
        }
        router.live(Self.samplesTopic, resources: [], access: { _ in .admin }) { _, _ in
            ConsoleView(template: "capacity/samples", title: "Capacity", model: ["samples": history.sampleCount])
        }
        router.live("capacity-moves", resources: [.pods], access: { _ in .admin }) { _, _ in
            ConsoleView(template: "capacity/moves", title: "Capacity", model: Self.movesModel(services.capacity, now: Date()))
        }
    }

    /// A new leader term: sampling starts (again) here, the previous term's loop ends.
    func attach(_ connection: ConsoleConnection) {
        sampler.start()
    }

    /// Every node's figures now, for the history.
    static func figures(_ capacity: CapacityService?, at time: Date) -> [String: CapacitySample] {
        guard let capacity else { return [:] }
        var figures: [String: CapacitySample] = [:]
        for node in capacity.utilization() { figures[node.node] = CapacityViewModel.sample(node, at: time) }
        return figures
    }

    static func nodesModel(_ capacity: CapacityService?) -> [String: Any] {
        guard let capacity else { return ["capacityMissing": true] }
        let classification = capacity.classification()
        var model = CapacityViewModel.summary(classification)
        let nodes = CapacityViewModel.nodes(classification)
        model["nodes"] = nodes
        if !nodes.isEmpty { model["hasNodes"] = true }
        if !capacity.isReady { model["capacityStarting"] = true }
        return model
    }

    static func movesModel(_ capacity: CapacityService?, now: Date) -> [String: Any] {
        guard let capacity else { return [:] }
        let migrations = CapacityViewModel.migrations(capacity.recentMigrations(limit: maximumMigrations), now: now)
        let rounds = CapacityViewModel.rounds(capacity.rebalanceRounds, now: now)
        var model: [String: Any] = ["migrations": migrations, "rounds": rounds, "migrationLimit": maximumMigrations]
        if !migrations.isEmpty { model["hasMigrations"] = true }
        if !rounds.isEmpty { model["hasRounds"] = true }
        if capacity.configuration.rebalancer != nil { model["rebalancerEnabled"] = true }
        return model
    }
}
