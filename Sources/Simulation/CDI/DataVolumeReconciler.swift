import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import Synchronization

/// CDI's DataVolume controller and importer for the embedded mode: binds a PersistentVolumeClaim
/// of the same name, then fills the volume from `spec.source` (http, s3, blank, or a clone of a
/// PVC or snapshot) into the `VolumeStore`, reporting CDI's phases (ImportScheduled,
/// ImportInProgress, Succeeded, Failed), `progress` and `restartCount`.
///
/// Unlike CDI's importer pod, which retries forever, an import that keeps failing ends in
/// phase Failed with the cause in the `Running` condition; whoever owns the DataVolume decides
/// whether to try again (the image sync controller does, under its policy).
struct DataVolumeReconciler: Reconciler {
    let api: any KubernetesAPI
    let dataVolumes: Informer
    let importer: Importer
    let jobs: ImportJobs
    let logger: Logger

    /// Annotations carrying what CDI's status has no field for.
    enum Annotation {
        static let checksum = "virtyard.io/checksum"
        static let bytesReceived = "virtyard.io/import-bytes-received"
        static let bytesWritten = "virtyard.io/import-bytes-written"
        static let resumes = "virtyard.io/import-resumes"
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let dataVolume = dataVolumes.get(key), let uid = dataVolume.uid else {
            // Gone: its data goes with it (snapshots keep their own link).
            jobs.cancel(key)
            importer.store.removeVolume(namespace: key.namespace ?? "default", claim: key.name)
            return .done
        }
        guard dataVolume.deletionTimestamp == nil else {
            jobs.cancel(key)
            return .done
        }
        let namespace = key.namespace ?? "default"
        var status = DataVolume(dataVolume).status ?? [:]
        let phase = status["phase"]?.stringValue ?? ""
        if phase == "Succeeded" || phase == "Failed" {
            jobs.forget(key, uid: uid)
            return .done
        }
        try await ensureClaim(for: dataVolume)
        let local = Self.isClone(dataVolume)

        if let job = jobs.job(key, uid: uid) {
            let progress = job.progress.withLock { $0 }
            if let outcome = job.outcome {
                // The finished job stays registered until the cache shows the final phase: a
                // reconcile reading the cache before then must not start the import again.
                try await writeProgressAnnotations(dataVolume, progress)
                switch outcome {
                case .success:
                    setPhase(
                        &status, "Succeeded", running: false, runningReason: "Completed",
                        runningMessage: local ? "Clone Complete" : "Import Complete", ready: true)
                    status["progress"] = "100.0%"
                    logger.info(
                        "datavolume populated",
                        metadata: [
                            "datavolume": "\(key)",
                            "bytes": "\(progress.bytesWritten)",
                        ])
                case .failure(let failure):
                    setPhase(
                        &status, "Failed", running: false, runningReason: failure.reason,
                        runningMessage: failure.description, ready: false)
                    logger.warning("datavolume import failed", metadata: ["datavolume": "\(key)", "error": "\(failure)"])
                }
                status["restartCount"] = .int(Int64(progress.restarts))
                try await writeStatus(dataVolume, status)
                return .done
            }
            setPhase(
                &status, local ? "CloneInProgress" : "ImportInProgress", running: true, runningReason: "Pod is running",
                runningMessage: "", ready: false)
            status["progress"] = .string(progress.fraction.map { String(format: "%.2f%%", $0 * 100) } ?? "N/A")
            status["restartCount"] = .int(Int64(progress.restarts))
            try await writeStatus(dataVolume, status)
            try await writeProgressAnnotations(dataVolume, progress)
            return .requeueAfter(.milliseconds(500))
        }

        switch try await request(for: dataVolume, namespace: namespace) {
        case .waiting(let reason):
            setPhase(
                &status, local ? "CloneScheduled" : "ImportScheduled", running: false, runningReason: "Pending",
                runningMessage: reason, ready: false)
            try await writeStatus(dataVolume, status)
            return .requeueAfter(.seconds(2))
        case .ready(let request):
            let restarts = Int(status["restartCount"]?.intValue ?? 0)
            jobs.start(key, uid: uid, restarts: restarts) { progress async throws(ImportFailure) in
                try await importer.run(request, progress: progress)
            }
            setPhase(
                &status, local ? "CloneScheduled" : "ImportScheduled", running: false, runningReason: "Pending",
                runningMessage: "", ready: false)
            status["progress"] = status["progress"] ?? "N/A"
            try await writeStatus(dataVolume, status)
            return .requeueAfter(.milliseconds(100))
        }
    }

    static func isClone(_ dataVolume: JSONValue) -> Bool {
        let source = DataVolume(dataVolume).source
        return source?.json["pvc"] != nil || source?.json["snapshot"] != nil
    }

    /// The requested size (`spec.storage` or `spec.pvc`).
    static func requestedSize(_ dataVolume: JSONValue) -> Quantity? {
        let storage = DataVolume(dataVolume).requestedStorage
        return storage?.stringValue.flatMap { try? Quantity(parsing: $0) } ?? storage?.intValue.map { Quantity($0) }
    }

    enum Resolution {
        case ready(ImportRequest)
        case waiting(String)
    }

    private func request(for dataVolume: JSONValue, namespace: String) async throws -> Resolution {
        let claim = dataVolume.name ?? ""
        let source = DataVolume(dataVolume).source?.json ?? [:]
        let size = Self.requestedSize(dataVolume)?.value ?? 0
        var request = ImportRequest(namespace: namespace, claim: claim, source: .blank, size: size)
        request.checksum = source[field: DataVolume.ClaimField.httpChecksum]?.stringValue ?? dataVolume.annotations[Annotation.checksum]
        if let http = source["http"] {
            guard let url = http["url"]?.stringValue.flatMap(URL.init(string:)), url.host != nil else {
                return .ready(
                    ImportRequest(
                        namespace: namespace, claim: claim,
                        source: .unsupported("source.http.url is not a valid URL"), size: size))
            }
            request.source = .http(url)
            if let certificates = try await trustedCertificates(http, namespace: namespace) {
                request.trustedCertificates = certificates
            } else {
                return .waiting("waiting for ConfigMap \(http["certConfigMap"]?.stringValue ?? "")")
            }
        } else if let s3 = source["s3"] {
            guard let url = s3["url"]?.stringValue.flatMap(URL.init(string:)), url.host != nil else {
                return .ready(
                    ImportRequest(
                        namespace: namespace, claim: claim,
                        source: .unsupported("source.s3.url is not a valid URL"), size: size))
            }
            var credentials: S3Credentials?
            if let secretName = s3["secretRef"]?.stringValue, !secretName.isEmpty {
                guard
                    let secret = try await optional({ () async throws(KubeClientError) in
                        try await api.get(.secrets, namespace: namespace, name: secretName)
                    })
                else { return .waiting("waiting for Secret \(secretName)") }
                let data = secret["data"]
                guard let id = Self.decoded(data?["accessKeyId"]), let key = Self.decoded(data?["secretKey"]) else {
                    return .ready(
                        ImportRequest(
                            namespace: namespace, claim: claim,
                            source: .unsupported(
                                "Secret \(secretName) needs the keys accessKeyId and secretKey"), size: size))
                }
                credentials = S3Credentials(accessKeyID: id, secretKey: key)
            }
            request.source = .s3(url, credentials)
            if let certificates = try await trustedCertificates(s3, namespace: namespace) {
                request.trustedCertificates = certificates
            } else {
                return .waiting("waiting for ConfigMap \(s3["certConfigMap"]?.stringValue ?? "")")
            }
        } else if source["blank"] != nil {
            request.source = .blank
        } else if let pvc = source["pvc"], let name = pvc["name"]?.stringValue {
            let sourceNamespace = pvc["namespace"]?.stringValue ?? namespace
            let file = importer.store.volume(namespace: sourceNamespace, claim: name)
            guard VolumeStore.exists(file) else { return .waiting("waiting for PVC \(sourceNamespace)/\(name) to hold data") }
            request.source = .local(file, description: "PVC \(sourceNamespace)/\(name)")
        } else if let snapshot = source["snapshot"], let name = snapshot["name"]?.stringValue {
            let sourceNamespace = snapshot["namespace"]?.stringValue ?? namespace
            let file = importer.store.snapshot(namespace: sourceNamespace, name: name)
            guard VolumeStore.exists(file) else {
                return .waiting("waiting for VolumeSnapshot \(sourceNamespace)/\(name) to be ready")
            }
            request.source = .local(file, description: "VolumeSnapshot \(sourceNamespace)/\(name)")
        } else if source["registry"] != nil {
            request.source = .unsupported(
                "registry imports are not supported by Virtyard's embedded CDI: "
                    + "use an http or s3 source here, or a cluster running CDI")
        } else {
            let kinds = source.objectValue?.keys.sorted().joined(separator: ", ") ?? "none"
            request.source = .unsupported("source \(kinds) is not supported by Virtyard's embedded CDI")
        }
        return .ready(request)
    }

    /// The PEM certificates of the source's `certConfigMap`: [] without one, nil while it is missing.
    private func trustedCertificates(_ source: JSONValue, namespace: String) async throws -> [String]? {
        guard let name = source["certConfigMap"]?.stringValue, !name.isEmpty else { return [] }
        guard
            let configMap = try await optional({ () async throws(KubeClientError) in
                try await api.get(.configMaps, namespace: namespace, name: name)
            })
        else { return nil }
        return configMap["data"]?.objectValue?.values.compactMap(\.stringValue).filter { $0.contains("BEGIN CERTIFICATE") } ?? []
    }

    private func optional(_ call: () async throws(KubeClientError) -> JSONValue) async throws -> JSONValue? {
        try await tolerating(KubeClientError.notFound, call)
    }

    static func decoded(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, let data = Data(base64Encoded: text) else { return nil }
        return String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The claim CDI creates for a DataVolume: same name, owned by it, bound at once (the
    /// embedded storage provisions immediately).
    private func ensureClaim(for dataVolume: JSONValue) async throws {
        guard let name = dataVolume.name, dataVolume.uid != nil,
            DataVolume(dataVolume).claimName != name
        else { return }
        let spec = DataVolume(dataVolume).claimSpec ?? [:]
        let size = Self.requestedSize(dataVolume) ?? Quantity(1 << 30)
        var claimSpec: JSONValue = [
            "accessModes": spec["accessModes"] ?? ["ReadWriteOnce"],
            "resources": ["requests": ["storage": .string(size.description)]],
            "volumeMode": spec["volumeMode"] ?? "Filesystem",
        ]
        if let storageClass = spec["storageClassName"] { claimSpec["storageClassName"] = storageClass }
        var claim: JSONValue = [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": [
                "name": .string(name), "namespace": .string(dataVolume.namespace ?? "default"),
                "labels": [
                    "app": "containerized-data-importer", "app.kubernetes.io/component": "storage",
                    "app.kubernetes.io/managed-by": "cdi-controller",
                ],
            ],
            "spec": claimSpec,
        ]
        try OwnerReferences.setController(dataVolume, .dataVolumes, on: &claim)
        var created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.persistentVolumeClaims, namespace: dataVolume.namespace, object: claim)
        }
        if created == nil {
            created = try await api.get(.persistentVolumeClaims, namespace: dataVolume.namespace, name: name)
        }
        if let created, PersistentVolumeClaim(created).phase != "Bound" {
            var bound = PersistentVolumeClaim(created)
            bound.status = [
                "phase": "Bound", "accessModes": claimSpec["accessModes"] ?? [],
                "capacity": ["storage": .string(size.description)],
            ]
            _ = try await api.updateStatus(.persistentVolumeClaims, namespace: dataVolume.namespace, object: bound.object)
        }
    }

    private func setPhase(
        _ status: inout JSONValue, _ phase: String, running: Bool, runningReason: String,
        runningMessage: String, ready: Bool
    ) {
        let now = Timestamp.now()
        status["phase"] = .string(phase)
        status["claimName"] = status["claimName"] ?? .null
        var conditions = status["conditions"]?.arrayValue ?? []
        Conditions.set(
            &conditions, type: "Bound", status: true, reason: "Bound",
            message: "PVC \(status["claimName"]?.stringValue ?? "") Bound", now: now, probeTime: false)
        Conditions.set(
            &conditions, type: "Ready", status: ready, reason: ready ? "" : "TransferRunning", now: now,
            probeTime: false)
        Conditions.set(
            &conditions, type: "Running", status: running, reason: runningReason, message: runningMessage,
            now: now, probeTime: false)
        status["conditions"] = .array(
            conditions.map { condition in
                var condition = condition
                condition["lastHeartbeatTime"] = .string(now)
                return condition
            })
    }

    private func writeStatus(_ dataVolume: JSONValue, _ status: JSONValue) async throws {
        var status = status
        status["claimName"] = .string(dataVolume.name ?? "")
        if let conditions = status["conditions"]?.arrayValue {
            status["conditions"] = .array(
                conditions.map { condition in
                    guard condition["type"]?.stringValue == "Bound" else { return condition }
                    var condition = condition
                    condition["message"] = .string("PVC \(dataVolume.name ?? "") Bound")
                    return condition
                })
        }
        guard Self.withoutHeartbeats(status) != Self.withoutHeartbeats(DataVolume(dataVolume).status) else { return }
        var updated = DataVolume(dataVolume)
        updated.status = status
        _ = try await api.updateStatus(.dataVolumes, namespace: dataVolume.namespace, object: updated.object)
    }

    /// Status compared without heartbeat times: a heartbeat alone is not worth a write.
    static func withoutHeartbeats(_ status: JSONValue?) -> JSONValue? {
        guard var status else { return nil }
        status["conditions"] = status["conditions"]?.arrayValue.map { conditions in
            .array(
                conditions.map { condition in
                    var condition = condition
                    condition["lastHeartbeatTime"] = nil
                    return condition
                })
        }
        return status
    }

    private func writeProgressAnnotations(_ dataVolume: JSONValue, _ progress: ImportProgress) async throws {
        let wanted = [
            Annotation.bytesReceived: String(progress.bytesReceived), Annotation.bytesWritten: String(progress.bytesWritten),
            Annotation.resumes: String(progress.resumes),
        ]
        guard wanted.contains(where: { dataVolume.annotations[$0.key] != $0.value }), let name = dataVolume.name else { return }
        _ = try await api.patch(
            .dataVolumes, namespace: dataVolume.namespace, name: name,
            patch: ["metadata": ["annotations": .object(wanted.mapValues(JSONValue.string))]],
            type: .merge, subresource: nil, options: .default)
    }
}

/// The imports running in this process, by DataVolume. An import outlives reconciles: the
/// reconciler starts it, then reads its progress until it ends.
final class ImportJobs: Sendable {
    final class Job: Sendable {
        let uid: String
        let progress: ImportProgressBox
        private let result = Mutex<Result<Void, ImportFailure>?>(nil)
        let task = Mutex<Task<Void, Never>?>(nil)

        init(uid: String, restarts: Int) {
            self.uid = uid
            progress = ImportProgressBox(ImportProgress(restarts: restarts))
        }

        var outcome: Result<Void, ImportFailure>? { result.withLock { $0 } }

        func finish(_ outcome: Result<Void, ImportFailure>) {
            result.withLock { $0 = outcome }
        }
    }

    private let jobs = Mutex<[ObjectKey: Job]>([:])
    /// Told the DataVolume's key when its import ends, so the end is written at once rather
    /// than at the next progress poll.
    private let endings = Mutex<(@Sendable (ObjectKey) -> Void)?>(nil)

    func onEnd(_ report: @escaping @Sendable (ObjectKey) -> Void) {
        endings.withLock { $0 = report }
    }

    func job(_ key: ObjectKey, uid: String) -> Job? {
        jobs.withLock { $0[key] }.flatMap { $0.uid == uid ? $0 : nil }
    }

    /// Starts `work` for the DataVolume unless it already runs.
    func start(
        _ key: ObjectKey, uid: String, restarts: Int,
        work: @escaping @Sendable (ImportProgressBox) async throws(ImportFailure) -> Void
    ) {
        let job = Job(uid: uid, restarts: restarts)
        let existing: Job? = jobs.withLock { jobs in
            if let current = jobs[key], current.uid == uid { return current }
            jobs[key]?.task.withLock { $0?.cancel() }
            jobs[key] = job
            return nil
        }
        guard existing == nil else { return }
        let task = Task {
            do throws(ImportFailure) {
                try await work(job.progress)
                job.finish(.success(()))
            } catch {
                job.finish(.failure(error))
            }
            endings.withLock { $0 }?(key)
        }
        job.task.withLock { $0 = task }
    }

    func cancel(_ key: ObjectKey) {
        let job = jobs.withLock { $0.removeValue(forKey: key) }
        job?.task.withLock { $0?.cancel() }
    }

    func forget(_ key: ObjectKey, uid: String) {
        jobs.withLock { jobs in
            if jobs[key]?.uid == uid { jobs[key] = nil }
        }
    }

    /// Cancels every import (the controller is stopping).
    func cancelAll() {
        let all = jobs.withLock { jobs in
            defer { jobs.removeAll() }
            return Array(jobs.values)
        }
        for job in all { job.task.withLock { $0?.cancel() } }
    }
}
