import Foundation
import KubeClient
import KubeModel

extension ResourceType {
    /// `auditentries.virtyard.io`: one object per line of the provisioning audit log.
    public static let auditEntries = ResourceType(
        group: ProvisioningObjects.group, version: ProvisioningObjects.version, resource: "auditentries",
        kind: "AuditEntry", namespaced: true)
}

extension AuditEntry {
    /// The object name: `audit-<UTC time to the millisecond>-<8 hex>`, so that names sort in
    /// time order (the log lists and prunes by name) and two entries of one millisecond differ.
    static func objectName(for timestamp: Date, random: inout some RandomNumberGenerator) -> String {
        let milliseconds = Int64((timestamp.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds / 1000
        // "2026-12-05T07:08:17Z" → "20261205t070817".
        let text = Timestamp.string(Date(timeIntervalSince1970: Double(seconds)))
        let compact = text.filter { $0.isNumber || $0 == "T" }.lowercased()
        let fraction = String(format: "%03d", milliseconds % 1000)
        let suffix = random.bytes(4).map { String(format: "%02x", $0) }.joined()
        return "audit-\(compact)\(fraction)-\(suffix)"
    }

    /// The AuditEntry object of this entry.
    func object(name: String, namespace: String) -> JSONValue {
        var spec: JSONValue = [
            "timestamp": .string(Self.microTime(timestamp)), "user": .string(Self.bounded(user)),
            "action": .string(Self.bounded(action)), "resource": .string(Self.bounded(resource)),
            "result": .string(result.rawValue),
        ]
        if let message { spec["message"] = .string(Self.bounded(message, to: 2048)) }
        if let operationID { spec["operationId"] = .string(Self.bounded(operationID)) }
        return [
            "apiVersion": .string(ResourceType.auditEntries.apiVersion), "kind": "AuditEntry",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
        ]
    }

    /// The entry an AuditEntry object holds; nil for one that is not an entry (edited by hand).
    init?(object: JSONValue) {
        guard let spec = object["spec"], let time = spec["timestamp"]?.stringValue, let timestamp = Timestamp.date(time),
            let result = spec["result"]?.stringValue.flatMap(Result.init(rawValue:))
        else { return nil }
        self.init(
            timestamp: timestamp, user: spec["user"]?.stringValue ?? "", action: spec["action"]?.stringValue ?? "",
            resource: spec["resource"]?.stringValue ?? "", result: result, message: spec["message"]?.stringValue,
            operationID: spec["operationId"]?.stringValue)
    }

    /// moxxie's `AuditEntryResponse` (`timestamp`, `operation`, `decision`, `reason`, `vmName`,
    /// `user`), with the resource and the operation id the entry is about.
    public var json: JSONValue {
        var json: JSONValue = [
            "timestamp": .string(Self.microTime(timestamp)), "operation": .string(action),
            "decision": .string(result.rawValue), "user": .string(user), "resource": .string(resource),
        ]
        if let message { json["reason"] = .string(message) }
        if let operationID { json["operationId"] = .string(operationID) }
        if resource.hasPrefix("vm/") { json["vmName"] = .string(String(resource.split(separator: "/").last ?? "")) }
        return json
    }

    /// `metav1.MicroTime` text rounded to the nearest microsecond, so that a time read back
    /// from its text is written as the same text (flooring a `Double` may lose one).
    static func microTime(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let nanoseconds = (microseconds - seconds * 1_000_000) * 1000
        return RFC3339Timestamp.format(seconds: seconds, nanoseconds: nanoseconds, microseconds: true) ?? "1970-01-01T00:00:00.000000Z"
    }

    /// Values written into the log are bounded: an entry never grows past a few KiB.
    static func bounded(_ text: String, to limit: Int = 256) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
