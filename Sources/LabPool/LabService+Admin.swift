import Foundation
import KubeClient
import KubeModel
import PlatformHTTP

/// cks-backend's admin reads and its snapshot call (`/api/v1/admin/…`, the admin token
/// only).
extension LabService {
    /// `GET /api/v1/admin/clusters`: cks-backend's `ClusterPoolStats` with every cluster in
    /// `detailedClusters`, and Virtyard's list (as `GET /api/v1/pool`) under `clusters`.
    func adminClusters() throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let members = cluster.clusters.list().map(LabClusterObject.init).sorted { ($0.pool ?? "", $0.index) < ($1.pool ?? "", $1.index) }
        let rendered = members.map(Self.renderCluster)
        var byStatus: [String: JSONValue] = [:]
        var detailed: [String: JSONValue] = [:]
        var counts: [String: Int] = [:]
        for (member, json) in zip(members, rendered) {
            let status = json["status"]?.stringValue ?? "creating"
            byStatus[member.name] = .string(status)
            counts[status, default: 0] += 1
            var detail = json
            detail["createdAt"] = member.object[path: ["metadata", "creationTimestamp"]] ?? .null
            detailed[member.name] = detail
        }
        let count = { (status: Lab.Phase) in JSONValue.int(Int64(counts[status.rawValue.lowercased()] ?? 0)) }
        return [
            "totalClusters": .int(Int64(members.count)),
            "availableClusters": count(.available), "lockedClusters": count(.locked),
            "resettingClusters": count(.resetting), "errorClusters": count(.error), "creatingClusters": count(.creating),
            "statusByCluster": .object(byStatus), "detailedClusters": .object(detailed),
            "clusters": .array(rendered),
        ]
    }

    /// `GET /api/v1/admin/sessions`: every session (as `GET /api/v1/sessions` shows them to
    /// the admin) and cks-backend's counts.
    func adminSessions() throws(LabAPIError) -> JSONValue {
        let sessions = try allSessions()
        let count = { (status: Lab.SessionPhase) in
            JSONValue.int(Int64(sessions.filter { $0["status"]?.stringValue == status.rawValue.lowercased() }.count))
        }
        return [
            "sessions": .array(sessions),
            "stats": [
                "totalSessions": .int(Int64(sessions.count)), "runningSessions": count(.running),
                "provisioningSessions": count(.provisioning), "pendingSessions": count(.pending),
            ],
        ]
    }

    /// `POST /api/v1/admin/create-snapshots`: makes sure every Available cluster has both
    /// baseline snapshots (`cp-<id>-snapshot`, `wk-<id>-snapshot`), creating the ones that
    /// are missing; existing ones are kept (they are the baseline resets restore from).
    /// Bootstrap takes them already, so this repairs a snapshot deleted by hand. Clusters that
    /// are not Available are left alone and reported: a Locked one holds a session's work, a
    /// Resetting one is restoring from the snapshots. Answers at once with each snapshot's
    /// readiness, without waiting for new ones.
    func createSnapshots() async throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        var results: [String: JSONValue] = [:]
        for member in cluster.clusters.list().map(LabClusterObject.init) {
            let id = member.name
            let namespace = member.object.namespace ?? id
            guard member.phase == .available else {
                let phase = (member.phase ?? .creating).rawValue.lowercased()
                results[id] = [
                    "success": false, "namespace": .string(namespace),
                    "error": .string("the cluster is \(phase): only available clusters are snapshotted"),
                ]
                continue
            }
            var created: [JSONValue] = []
            var ready = true
            var failure: String?
            for vm in [Lab.controlPlaneVM(id), Lab.workerVM(id)] {
                do {
                    let existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                        try await cluster.api.get(.virtualMachineSnapshots, namespace: namespace, name: Lab.snapshotName(ofVM: vm))
                    }
                    if let existing {
                        if !VirtualMachineSnapshot(existing).readyToUse { ready = false }
                        continue
                    }
                    _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                        try await cluster.api.create(
                            .virtualMachineSnapshots, namespace: namespace, object: ClusterTemplate.snapshot(of: vm, namespace: namespace))
                    }
                    created.append(.string(Lab.snapshotName(ofVM: vm)))
                    ready = false
                } catch {
                    failure = "could not snapshot \(vm): \(error)"
                    break
                }
            }
            if let failure {
                results[id] = ["success": false, "namespace": .string(namespace), "error": .string(failure)]
                continue
            }
            results[id] = [
                "success": true, "namespace": .string(namespace),
                "snapshots": [
                    "controlPlane": .string(Lab.snapshotName(ofVM: Lab.controlPlaneVM(id))),
                    "worker": .string(Lab.snapshotName(ofVM: Lab.workerVM(id))),
                ],
                "created": .array(created), "readyToUse": .bool(ready),
            ]
        }
        return ["message": "Snapshot creation completed", "results": .object(results)]
    }
}
