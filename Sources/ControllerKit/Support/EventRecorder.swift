import Foundation
import KubeClient
import KubeModel
import Logging

/// Writes `v1` Events about objects, as client-go's event recorder does: fire and forget, so a
/// slow or failing API never holds up the controller that reports.
public struct EventRecorder: Sendable {
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    let api: any KubernetesAPI
    /// `source.component` and `reportingComponent`: who reports (`default-scheduler`).
    public let component: String
    let logger: Logger

    public init(api: any KubernetesAPI, component: String, logger: Logger) {
        self.api = api
        self.component = component
        self.logger = logger
    }

    /// Records an event about `object` in its namespace (`default` for cluster-scoped ones).
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String) {
        guard let name = object.name else { return }
        let namespace = object.namespace ?? "default"
        let now = Timestamp.now()
        var involved: JSONValue = [
            "kind": .string(object.kind ?? ""), "apiVersion": .string(object.apiVersion ?? ""),
            "name": .string(name),
        ]
        if let objectNamespace = object.namespace { involved["namespace"] = .string(objectNamespace) }
        if let uid = object.uid { involved["uid"] = .string(uid) }
        if let version = object.resourceVersion { involved["resourceVersion"] = .string(version) }
        let nanos = UInt64(Date().timeIntervalSince1970 * 1e9)
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(nanos, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": involved, "type": .string(type.rawValue), "reason": .string(reason),
            "message": .string(message), "source": ["component": .string(component)],
            "reportingComponent": .string(component), "firstTimestamp": .string(now), "lastTimestamp": .string(now),
            "count": 1,
        ]
        let api = self.api
        let logger = self.logger
        Task {
            do {
                _ = try await api.create(.events, namespace: namespace, object: event, options: .default)
            } catch {
                logger.debug("could not record event", metadata: ["reason": "\(reason)", "error": "\(error)"])
            }
        }
    }
}
