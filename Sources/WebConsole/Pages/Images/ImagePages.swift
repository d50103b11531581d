import Foundation
import Hummingbird
import ImageSync
import KubeClient
import KubeModel

/// The Images section (`/ui/images`): every VMDiskImage with its phase, place in the queue and
/// progress (kept live over the `images` topic), a form to add one, and the cluster-wide sync
/// policy, editable. Images are read from the shared informer's cache; writes go through the
/// Kubernetes API, so the CRD's schema validates them as it validates `kubectl apply`.
struct ImagePages: ConsolePageModule {
    let rates = TransferRates()
    /// A table longer than this says how many more there are (the rest are one kubectl away).
    static let maximumRows = 500

    func register(on router: ConsolePageRouter) {
        let rates = self.rates
        let services = router.services
        router.page("/images") { _, context in
            let connection = try services.connection.connected()
            let policy = SyncPolicyForm(
                configMap: try await SyncPolicyForm.read(namespace: services.imagePolicyNamespace, api: connection.api),
                namespace: services.imagePolicyNamespace)
            let csrf = context.session?.csrfToken
            var model = Self.tableModel(connection, rates: rates, now: Date())
            model.merge(ImageForm().model(csrf: csrf)) { first, _ in first }
            model.merge(policy.model(csrf: csrf)) { first, _ in first }
            return ConsoleView(
                template: "images/index", title: "Images", section: .images, model: model, liveTopics: ["images"])
        }
        router.action("/images") { request, context in
            let connection = try services.connection.connected()
            var form = ImageForm(form: context.form)
            if form.checkBeforeSending() {
                do throws(KubeClientError) {
                    _ = try await connection.api.create(.vmDiskImages, namespace: form["namespace"], object: form.object)
                } catch {
                    form.take(error)
                }
            }
            let csrf = context.session?.csrfToken
            if form.hasErrors {
                return .fragment(
                    ConsoleView(template: "images/form", title: "Images", model: form.model(csrf: csrf), status: .unprocessableContent))
            }
            if !ConsolePageRouter.isHTMX(request) { return .redirect("/ui/images") }
            var fresh = ImageForm()
            fresh.values["namespace"] = form["namespace"]
            fresh.added = "\(form["namespace"])/\(form["name"])"
            return .fragment(ConsoleView(template: "images/form", title: "Images", model: fresh.model(csrf: csrf)))
        }
        router.action("/images/policy") { request, context in
            let api = try services.connection.connected().api
            let existing = try await SyncPolicyForm.read(namespace: services.imagePolicyNamespace, api: api)
            var policy = SyncPolicyForm(configMap: existing, namespace: services.imagePolicyNamespace)
            if let data = policy.take(context.form) {
                do throws(KubeClientError) {
                    try await SyncPolicyForm.write(data, existing: existing, namespace: services.imagePolicyNamespace, api: api)
                    policy = SyncPolicyForm(
                        configMap: try await SyncPolicyForm.read(namespace: services.imagePolicyNamespace, api: api),
                        namespace: services.imagePolicyNamespace)
                    policy.saved = true
                } catch {
                    policy.problem =
                        error.isConflict
                        ? "Someone changed the policy meanwhile; reload the page to see their version."
                        : "The cluster refused the policy: \(error.message)"
                }
            }
            let failed = !policy.errors.isEmpty || policy.problem != nil
            if !failed, !ConsolePageRouter.isHTMX(request) { return .redirect("/ui/images") }
            return .fragment(
                ConsoleView(
                    template: "images/policy", title: "Images", model: policy.model(csrf: context.session?.csrfToken),
                    status: failed ? .unprocessableContent : .ok))
        }
        router.live("images", resources: [.vmDiskImages], access: { _ in .admin }) { _, _ in
            let connection = try services.connection.connected()
            return ConsoleView(template: "images/table", title: "Images", model: Self.tableModel(connection, rates: rates, now: Date()))
        }
    }

    /// The table's model: the rows (problems first, then syncing, then the queue in order) and
    /// the counts above them.
    static func tableModel(_ connection: ConsoleConnection, rates: TransferRates, now: Date) -> [String: Any] {
        let images = connection.informers.informer(for: .vmDiskImages).list().map(VMDiskImage.init)
        return tableModel(images, rates: rates, now: now)
    }

    static func tableModel(_ images: [VMDiskImage], rates: TransferRates, now: Date) -> [String: Any] {
        var keys = Set<String>()
        var rows = images.map { image -> ImageRow in
            let key = "\(image.namespace)/\(image.name)"
            keys.insert(key)
            let rate = image.bytesTransferred.flatMap { rates.observe(key, bytes: $0, at: now) }
            return ImageRow(image, rate: rate)
        }
        rates.retain(keys)
        rows.sort {
            ($0.sortRank, $0.queuePosition ?? 0, $0.namespace, $0.name) < ($1.sortRank, $1.queuePosition ?? 0, $1.namespace, $1.name)
        }
        func count(_ phases: Set<String>) -> Int { rows.filter { phases.contains($0.phase) }.count }
        var model: [String: Any] = [
            "images": rows.prefix(maximumRows).map(\.model),
            "counts": [
                ["label": "syncing", "count": count(["Syncing"])], ["label": "queued", "count": count(["Queued"])],
                ["label": "failed", "count": count(["Failed"])], ["label": "retrying", "count": count(["RetryableFailure"])],
                ["label": "ready", "count": count(["Ready"])],
            ] as [[String: Any]],
        ]
        if !rows.isEmpty { model["hasImages"] = true }
        if rows.count > maximumRows { model["moreImages"] = rows.count - maximumRows }
        return model
    }
}
