import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Scales a workload from its pods' CPU use, as kube-controller-manager's HPA controller does
/// for `Resource` metrics on `cpu` (targets `Utilization` or `AverageValue`), with the CPU use
/// of ``SimulatedMetrics``: reads the target's `scale` subresource, computes the replicas
/// (``ReplicaCalculator``), bounds and stabilises them, writes them back through `scale`, and
/// reports `currentReplicas`, `desiredReplicas`, `currentMetrics` and the `AbleToScale`,
/// `ScalingActive` and `ScalingLimited` conditions.
///
/// Looks at each autoscaler once per ``syncPeriod`` (15 s,
/// `--horizontal-pod-autoscaler-sync-period`), the first time as soon as it is created. Not done: other metric types and resources
/// (reported `ScalingActive=False`), `behavior` policies other than the stabilisation
/// windows (the default scale-up rate applies), containerResource metrics.
struct HorizontalPodAutoscalerReconciler: Reconciler {
    let api: any KubernetesAPI
    let autoscalers: Informer
    let pods: Informer
    let history: RecommendationHistory
    /// One pass per autoscaler per sync period.
    let gate: SyncGate
    var syncPeriod: Duration { gate.period }
    let events: EventRecorder
    let logger: Logger

    /// Why no replica count came out of the metrics.
    struct MetricError: Error {
        var reason: String
        var message: String
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = autoscalers.get(key), !HorizontalPodAutoscaler(object).isDeleting else {
            history.forget(key.description)
            gate.forget(key)
            return .done
        }
        if let wait = gate.wait(for: key) { return .requeueAfter(wait) }
        let hpa = HorizontalPodAutoscaler(object)
        let now = Timestamp.now()
        var status = object["status"] ?? [:]
        var conditions = status["conditions"]?.arrayValue ?? []
        func condition(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            StatusConditions.set(
                &conditions, Condition(type: type, status: Condition.Status(value), reason: reason, message: message), now: now)
        }
        if let generation = object.generation { status["observedGeneration"] = .int(generation) }

        guard let resource = WorkloadResources.scalable[hpa.targetKind] else {
            condition(
                "AbleToScale", false, "FailedGetScale",
                "the HPA controller was unable to get the target's current scale: no scale subresource for kind \(hpa.targetKind)")
            try await write(object, status: status, conditions: conditions)
            return .requeueAfter(syncPeriod)
        }
        let scale: JSONValue
        do {
            scale = try await api.get(resource, namespace: hpa.namespace, name: hpa.targetName, subresource: "scale")
        } catch {
            condition(
                "AbleToScale", false, "FailedGetScale", "the HPA controller was unable to get the target's current scale: \(error.message)")
            try await write(object, status: status, conditions: conditions)
            return .requeueAfter(syncPeriod)
        }
        let current = Int(scale[path: ["spec", "replicas"]]?.intValue ?? 0)
        status["currentReplicas"] = .int(Int64(current))

        if current == 0, hpa.minReplicas != 0 {
            status["desiredReplicas"] = 0
            condition("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
            condition("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
            try await write(object, status: status, conditions: conditions)
            return .requeueAfter(syncPeriod)
        }

        var proposal = 0
        var metricStatuses: [JSONValue] = []
        do throws(MetricError) {
            let selector = try selector(of: scale)
            let targetPods = pods.list(namespace: hpa.namespace, matching: selector).filter {
                !Pod($0).isDeleting && Pod($0).phase != .failed
            }
            for metric in hpa.metrics {
                let (replicas, metricStatus) = try Self.evaluate(metric, pods: targetPods, current: current)
                proposal = max(proposal, replicas)
                metricStatuses.append(metricStatus)
            }
            condition(
                "ScalingActive", true, "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)")
        } catch {
            status["desiredReplicas"] = status["desiredReplicas"] ?? .int(Int64(current))
            condition("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
            condition("ScalingActive", false, error.reason, error.message)
            try await write(object, status: status, conditions: conditions)
            return .requeueAfter(syncPeriod)
        }
        status["currentMetrics"] = .array(metricStatuses)

        let stabilized = history.stabilized(
            proposal, current: current, for: key.description, upWindow: hpa.scaleUpWindowSeconds,
            downWindow: hpa.scaleDownWindowSeconds)
        let (desired, limit) = ReplicaCalculator.bounded(stabilized, current: current, min: hpa.minReplicas, max: hpa.maxReplicas)
        switch limit {
        case .none: condition("ScalingLimited", false, "DesiredWithinRange", "the desired count is within the acceptable range")
        case .tooFew:
            condition("ScalingLimited", true, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        case .tooMany:
            condition("ScalingLimited", true, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        case .scaleUpLimit:
            condition("ScalingLimited", true, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        }
        status["desiredReplicas"] = .int(Int64(desired))

        if desired != current {
            do {
                _ = try await api.patch(
                    resource, namespace: hpa.namespace, name: hpa.targetName, patch: Self.scalePatch(desired),
                    type: .merge, subresource: "scale", options: .default)
            } catch {
                condition(
                    "AbleToScale", false, "FailedUpdateScale", "the HPA controller was unable to update the target scale: \(error.message)")
                try await write(object, status: status, conditions: conditions)
                throw error
            }
            status["lastScaleTime"] = .string(now)
            let direction = desired > current ? "above" : "below"
            condition("AbleToScale", true, "SucceededRescale", "the HPA controller was able to update the target scale to \(desired)")
            events.record(
                object.typed(WorkloadResources.horizontalPodAutoscalers), type: .normal, reason: "SuccessfulRescale",
                message: "New size: \(desired); reason: cpu resource utilization (percentage of request) \(direction) target")
        } else if stabilized != proposal {
            condition(
                "AbleToScale", true, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation")
        } else {
            condition("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size")
        }
        try await write(object, status: status, conditions: conditions)
        return .requeueAfter(syncPeriod)
    }

    static func scalePatch(_ replicas: Int) -> JSONValue {
        var patch: JSONValue = [:]
        patch[path: ["spec", "replicas"]] = .int(Int64(replicas))
        return patch
    }

    private func write(_ object: JSONValue, status: JSONValue, conditions: [JSONValue]) async throws {
        var status = status
        status["conditions"] = .array(conditions)
        var updated = object
        updated["status"] = status
        try await api.updateStatusIfChanged(WorkloadResources.horizontalPodAutoscalers, current: object, updated: updated)
    }

    private func selector(of scale: JSONValue) throws(MetricError) -> LabelSelector {
        guard let text = scale[path: ["status", "selector"]]?.stringValue, !text.isEmpty,
            let selector = try? LabelSelector(parsing: text)
        else {
            throw MetricError(
                reason: "InvalidSelector",
                message: "the HPA target's scale is missing a selector")
        }
        return selector
    }

    /// One metric's replicas and its `currentMetrics` entry.
    static func evaluate(_ metric: JSONValue, pods: [JSONValue], current: Int) throws(MetricError) -> (Int, JSONValue) {
        let type = metric["type"]?.stringValue ?? ""
        guard type == "Resource", let resourceName = metric[path: ["resource", "name"]]?.stringValue else {
            throw MetricError(
                reason: "FailedGet\(type)Metric",
                message: "the HPA was unable to compute the replica count: metrics of type \(type) are not simulated (only Resource cpu)")
        }
        guard resourceName == "cpu" else {
            throw MetricError(
                reason: "FailedGetResourceMetric",
                message:
                    "the HPA was unable to compute the replica count: failed to get \(resourceName) utilization: unable to get metrics for resource \(resourceName): no metrics returned from resource metrics API"
            )
        }
        let ready = pods.filter { Pod($0).phase == .running && Pod($0).isReady }
        let missing = pods.count - ready.count
        guard !ready.isEmpty else {
            throw MetricError(
                reason: "FailedGetResourceMetric",
                message:
                    "the HPA was unable to compute the replica count: failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)"
            )
        }
        let target = metric[path: ["resource", "target"]] ?? [:]
        var requests: [Double] = []
        var usage: [Double] = []
        for pod in ready {
            let request = SimulatedMetrics.cpuRequest(of: pod)
            let millicores: Double
            switch request {
            case .success(let total): millicores = Double(total)
            case .failure(let missing):
                if target["type"]?.stringValue == "Utilization" {
                    throw MetricError(
                        reason: "FailedGetResourceMetric",
                        message:
                            "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container \(missing.container) of Pod \(missing.pod)"
                    )
                }
                millicores = 1000
            }
            requests.append(millicores)
            usage.append(millicores * Double(SimulatedMetrics.utilization(of: pod)) / 100)
        }
        let totalRequest: Double = ReplicaCalculator.sum(requests)
        let totalUsage: Double = ReplicaCalculator.sum(usage)
        let averageRequest: Double = totalRequest / Double(requests.count)
        let averageUsage: Double = totalUsage / Double(usage.count)
        let averageValue: JSONValue = Quantity(milliValue: Int64(averageUsage.rounded())).json
        switch target["type"]?.stringValue {
        case "Utilization":
            guard let utilization = target["averageUtilization"]?.intValue, utilization > 0 else {
                throw MetricError(
                    reason: "FailedGetResourceMetric",
                    message: "the HPA was unable to compute the replica count: no averageUtilization in the cpu target")
            }
            let replicas = ReplicaCalculator.replicas(
                current: current, usage: usage, requests: requests, missing: missing, missingRequest: averageRequest,
                target: Double(utilization))
            let utilizationNow: Double = totalRequest > 0 ? totalUsage * 100 / totalRequest : 0
            var reading: JSONValue = [:]
            reading["averageUtilization"] = .int(Int64(utilizationNow.rounded(.down)))
            reading["averageValue"] = averageValue
            let entry: JSONValue = ["type": "Resource", "resource": ["name": "cpu", "current": reading]]
            return (replicas, entry)
        case "AverageValue":
            guard let value = Quantity(json: target["averageValue"]), value.milliValue > 0 else {
                throw MetricError(
                    reason: "FailedGetResourceMetric",
                    message: "the HPA was unable to compute the replica count: no averageValue in the cpu target")
            }
            let replicas = ReplicaCalculator.replicas(
                current: current, usage: usage, requests: nil, missing: missing, missingRequest: averageRequest,
                target: Double(value.milliValue))
            let reading: JSONValue = ["averageValue": averageValue]
            let entry: JSONValue = ["type": "Resource", "resource": ["name": "cpu", "current": reading]]
            return (replicas, entry)
        default:
            throw MetricError(
                reason: "FailedGetResourceMetric",
                message: "the HPA was unable to compute the replica count: unsupported cpu target type \(target["type"]?.stringValue ?? "")"
            )
        }
    }
}
