import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Moves each VMDiskImage through Queued → Syncing → Ready (or RetryableFailure → Queued …
/// → Failed) under the policy, creating its DataVolume and VolumeSnapshot, and tears them down
/// behind a finalizer once nothing uses the image.
struct ImageSyncReconciler: Reconciler {
    let api: any KubernetesAPI
    let images: Informer
    let dataVolumes: Informer
    let snapshots: Informer
    let virtualMachines: Informer
    let policy: PolicyStore
    let gate: AdmissionGate
    let events: EventRecorder
    let logger: Logger

    typealias Phase = VMDiskImage.Phase
    typealias Reason = VMDiskImage.Reason

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let image = images.get(key) else { return .done }
        if image.deletionTimestamp != nil { return try await finalize(image) }
        if !image.finalizers.contains(VMDiskImage.finalizer) {
            var updated = image
            updated.finalizers = image.finalizers + [VMDiskImage.finalizer]
            _ = try await api.update(.vmDiskImages, namespace: key.namespace, object: updated)
            return .done
        }
        switch VMDiskImage.phase(image) {
        case nil:
            return try await enqueue(image)
        case .queued:
            return try await admit(image)
        case .syncing:
            return try await sync(image)
        case .retryableFailure:
            return try await retryWhenDue(image)
        case .ready, .failed:
            return .done
        }
    }

    // MARK: - Queued

    private func enqueue(_ image: JSONValue) async throws -> ReconcileResult {
        var status = image["status"] ?? [:]
        status["phase"] = .string(Phase.queued.rawValue)
        status["message"] = "Request is waiting for an available worker."
        status["queuePosition"] = .int(Int64(VMDiskImage.queue(images.list() + [withPhase(image, .queued)])
            .firstIndex { $0.uid == image.uid }.map { $0 + 1 } ?? 1))
        setReady(&status, false, Reason.queued, "The sync has been queued for processing.")
        try await write(image, status)
        events.record(image, type: .normal, reason: "Queued", message: "Waiting in the global sync queue")
        return .done
    }

    private func admit(_ image: JSONValue) async throws -> ReconcileResult {
        guard let key = ObjectKey(image) else { return .done }
        let policy = policy.current
        switch gate.decide(key, images: images.list(), concurrency: policy.concurrency) {
        case .wait:
            // The queue reporter keeps `queuePosition` current; a freed slot wakes the head.
            return .done
        case .admit:
            var status = image["status"] ?? [:]
            status["phase"] = .string(Phase.syncing.rawValue)
            status["message"] = "Syncing VM data for the workspace."
            status["queuePosition"] = nil
            if status["startTime"] == nil { status["startTime"] = .string(Timestamp.now()) }
            status["progress"] = "N/A"
            setReady(&status, false, Reason.syncing, "The sync is currently in progress.")
            do {
                try await write(image, status)
            } catch {
                gate.withdraw(key)
                throw error
            }
            events.record(image, type: .normal, reason: "SyncStarted",
                          message: "Sync started (at most \(policy.concurrency) at once)")
            logger.info("image sync started", metadata: ["image": "\(key)"])
            return .done
        }
    }

    // MARK: - Syncing

    private func sync(_ image: JSONValue) async throws -> ReconcileResult {
        let policy = policy.current
        let now = Date()
        let namespace = image.namespace ?? "default"
        let name = image.name ?? ""
        var status = image["status"] ?? [:]
        let started = status["startTime"]?.stringValue.flatMap(Timestamp.date) ?? now
        let attemptStarted = readyCondition(image)?["lastTransitionTime"]?.stringValue.flatMap(Timestamp.date) ?? now
        if now.timeIntervalSince(started) > policy.syncDeadline.timeInterval {
            return try await fail(image, permanently: true, Reason.syncDeadlineExceeded,
                                  "Exceeded overall sync retry window (\(GoDuration.format(policy.syncDeadline))). Failed Permanently")
        }
        if now.timeIntervalSince(attemptStarted) > policy.attemptTimeout.timeInterval {
            return try await fail(image, permanently: false, Reason.syncAttemptDurationExceeded,
                                  "the sync attempt has lasted beyond its max duration (\(GoDuration.format(policy.attemptTimeout)))")
        }
        let timeLeft = min(policy.attemptTimeout.timeInterval - now.timeIntervalSince(attemptStarted),
                           policy.syncDeadline.timeInterval - now.timeIntervalSince(started))
        let recheck = ReconcileResult.requeueAfter(.milliseconds(Int64(max(1, min(timeLeft, 30)) * 1000)))

        guard let dataVolume = dataVolumes.get(namespace: namespace, name: name) else {
            // Creating is the one step a stale cache must not trigger (an image that just failed
            // would get a new DataVolume nobody removes): act only on the image as stored now.
            let stored = try await api.get(.vmDiskImages, namespace: namespace, name: name)
            guard stored.resourceVersion == image.resourceVersion else { return .requeue }
            do {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.dataVolumes, namespace: namespace, object: StorageObjects.dataVolume(for: image))
                }
            } catch {
                return try await fail(image, permanently: false, Reason.resourceCreationFailed,
                                      "Failed while creating resources: \(error)")
            }
            return recheck
        }
        guard StorageObjects.isOwned(dataVolume, by: image) else {
            return try await fail(image, permanently: false, Reason.resourceCreationFailed,
                                  "Failed while creating resources: DataVolume \(namespace)/\(name) exists and belongs to something else")
        }
        guard dataVolume.annotations[StorageObjects.attemptAnnotation] == StorageObjects.attempt(of: image) else {
            // Left over from an earlier attempt: it goes before this attempt creates its own.
            try await tearDown(image)
            return .requeueAfter(.milliseconds(500))
        }
        let dataVolumeStatus = dataVolume["status"] ?? [:]
        // Bound's message names the claim, which may well contain "404"; the transfer's own
        // conditions are the ones that speak about the source.
        let messages = dataVolumeStatus["conditions"]?.arrayValue?
            .filter { $0["type"]?.stringValue != "Bound" }.compactMap { $0["message"]?.stringValue } ?? []
        if let missing = messages.first(where: Self.isMissingSource) {
            return try await fail(image, permanently: true, Reason.missingSourceArtifact,
                                  "the requested artifact does not exist: \(missing)")
        }
        if let unsupported = messages.first(where: { $0.contains("not supported") }) {
            return try await fail(image, permanently: true, Reason.resourceCreationFailed, unsupported)
        }
        let restarts = Int(dataVolumeStatus["restartCount"]?.intValue ?? 0)
        if restarts >= policy.attemptRestartLimit {
            return try await fail(image, permanently: false, Reason.retryLimitExceeded,
                                  "the sync attempt has failed beyond the retry limit (\(restarts) restarts of the transfer)")
        }
        let dataVolumePhase = dataVolumeStatus["phase"]?.stringValue ?? ""
        if dataVolumePhase == "Failed" {
            let cause = Self.runningMessage(dataVolume) ?? "the DataVolume failed"
            return try await fail(image, permanently: false, Reason.unknownSyncFailure, cause)
        }
        if let bytes = dataVolume.annotations["virtyard.io/import-bytes-written"].flatMap(Int64.init) {
            status["bytesTransferred"] = .int(bytes)
        }
        guard dataVolumePhase == "Succeeded" else {
            status["progress"] = dataVolumeStatus["progress"] ?? "N/A"
            status["message"] = .string("Syncing VM data for the workspace: DataVolume \(dataVolumePhase.isEmpty ? "Pending" : dataVolumePhase)"
                + (Self.runningMessage(dataVolume).map { " (\($0))" } ?? ""))
            try await write(image, status)
            return recheck
        }
        status["progress"] = "100.0%"

        guard let snapshot = snapshots.get(namespace: namespace, name: name) else {
            do {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.volumeSnapshots, namespace: namespace, object: StorageObjects.volumeSnapshot(for: image))
                }
            } catch {
                return try await fail(image, permanently: false, Reason.resourceCreationFailed,
                                      "Failed while creating resources: \(error)")
            }
            status["message"] = "Data imported; taking the volume snapshot."
            try await write(image, status)
            return recheck
        }
        guard snapshot[path: ["status", "readyToUse"]]?.boolValue == true else {
            let problem = snapshot[path: ["status", "error", "message"]]?.stringValue
            status["message"] = .string("Data imported; waiting for VolumeSnapshot \(name) to be ready" + (problem.map { ": \($0)" } ?? ""))
            try await write(image, status)
            return recheck
        }
        status["phase"] = .string(Phase.ready.rawValue)
        status["message"] = "The data sync completed successfully."
        status["completionTime"] = .string(Timestamp.now())
        setReady(&status, true, Reason.synced, "The sync finished successfully.")
        try await write(image, status)
        events.record(image, type: .normal, reason: "SyncCompleted", message: "The image is synced and its snapshot is ready")
        logger.info("image ready", metadata: ["image": "\(namespace)/\(name)"])
        return .done
    }

    /// data-sync-operator's test for a missing source ("404" or "not found" in a DataVolume
    /// condition), plus S3's error code.
    static func isMissingSource(_ message: String) -> Bool {
        message.contains("404") || message.lowercased().contains("not found") || message.contains("NoSuchKey")
    }

    static func runningMessage(_ dataVolume: JSONValue) -> String? {
        dataVolume[path: ["status", "conditions"]]?.arrayValue?
            .first { $0["type"]?.stringValue == "Running" }?["message"]?.stringValue
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: - Failures

    /// Records a failed attempt: the storage objects go (a retry starts clean), then either a
    /// retry after the backoff or, for a permanent cause or past the retry limit, Failed.
    private func fail(_ image: JSONValue, permanently: Bool, _ reason: String, _ message: String) async throws -> ReconcileResult {
        let policy = policy.current
        var status = image["status"] ?? [:]
        let failures = Int(status["failureCount"]?.intValue ?? 0) + 1
        status["failureCount"] = .int(Int64(failures))
        status["lastFailureTime"] = .string(Timestamp.now())
        status["progress"] = nil
        let final = permanently || failures > policy.retryLimit
        if final {
            status["phase"] = .string(Phase.failed.rawValue)
            let why = permanently ? "" : " after \(failures) failed attempts (retryLimit \(policy.retryLimit))"
            status["message"] = .string("Sync failed permanently\(why): \(message)")
            setReady(&status, false, permanently ? reason : Reason.retryLimitExceeded, message)
            try await write(image, status)
            await tearDownAfterFailure(image)
            events.record(image, type: .warning, reason: "SyncFailed", message: "\(message)")
            logger.warning("image sync failed permanently", metadata: ["image": "\(ObjectKey(image).map { "\($0)" } ?? "")",
                                                                       "reason": "\(reason)", "error": "\(message)"])
            return .done
        }
        let wait = policy.backoff(afterFailures: failures)
        status["phase"] = .string(Phase.retryableFailure.rawValue)
        status["message"] = .string("An error occurred during reconciliation: \(message); retry \(failures) of "
            + "\(policy.retryLimit) in \(GoDuration.format(wait))")
        setReady(&status, false, reason, message)
        try await write(image, status)
        await tearDownAfterFailure(image)
        events.record(image, type: .warning, reason: "SyncErrorOccurred", message: "\(message); retrying in \(GoDuration.format(wait))")
        logger.notice("image sync attempt failed", metadata: ["image": "\(ObjectKey(image).map { "\($0)" } ?? "")",
                                                              "reason": "\(reason)", "retryIn": "\(GoDuration.format(wait))"])
        return .requeueAfter(wait)
    }

    private func retryWhenDue(_ image: JSONValue) async throws -> ReconcileResult {
        let policy = policy.current
        var status = image["status"] ?? [:]
        let failures = Int(status["failureCount"]?.intValue ?? 1)
        if failures > policy.retryLimit {
            status["phase"] = .string(Phase.failed.rawValue)
            status["message"] = .string("Sync failed permanently after \(failures) failed attempts (retryLimit \(policy.retryLimit))")
            setReady(&status, false, Reason.retryLimitExceeded, "the retry limit was lowered below the failures so far")
            try await write(image, status)
            return .done
        }
        // The stored time has whole seconds (rounded down): one more second makes the retry up to
        // a second late, never early.
        let failedAt = status["lastFailureTime"]?.stringValue.flatMap(Timestamp.date) ?? .distantPast
        let due = failedAt.addingTimeInterval(policy.backoff(afterFailures: failures).timeInterval + 1)
        if due > Date() {
            return .requeueAfter(.milliseconds(Int64(due.timeIntervalSinceNow * 1000) + 1))
        }
        status["phase"] = .string(Phase.queued.rawValue)
        status["message"] = .string("Retry \(failures) of \(policy.retryLimit): waiting for an available worker.")
        setReady(&status, false, Reason.queued, "The sync has been queued for another attempt.")
        try await write(image, status)
        return .done
    }

    // MARK: - Deletion

    private func finalize(_ image: JSONValue) async throws -> ReconcileResult {
        guard image.finalizers.contains(VMDiskImage.finalizer) else { return .done }
        let users = ImageUsage.users(of: image, virtualMachines: virtualMachines, dataVolumes: dataVolumes)
        var status = image["status"] ?? [:]
        if !users.isEmpty {
            if status["usedBy"] != .array(users.map(JSONValue.string)) {
                status["usedBy"] = .array(users.map(JSONValue.string))
                status["message"] = .string("Deletion waits: still used by \(users.joined(separator: ", "))")
                setReady(&status, VMDiskImage.phase(image) == .ready, Reason.inUse, "Deletion waits until no VirtualMachine uses the image")
                try await write(image, status)
                events.record(image, type: .normal, reason: "InUse", message: "Deletion waits for \(users.joined(separator: ", "))")
            }
            return .done
        }
        try await tearDown(image)
        let namespace = image.namespace ?? "default"
        let name = image.name ?? ""
        // The finalizer holds until the objects (and with them the stored data) are gone.
        for resource in [ResourceType.dataVolumes, .volumeSnapshots] {
            let remaining = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.get(resource, namespace: namespace, name: name)
            }
            if let remaining, StorageObjects.isOwned(remaining, by: image) { return .requeueAfter(.milliseconds(500)) }
        }
        var updated = image
        updated.finalizers = image.finalizers.filter { $0 != VMDiskImage.finalizer }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.update(.vmDiskImages, namespace: namespace, object: updated)
        }
        logger.info("image deleted with its storage", metadata: ["image": "\(namespace)/\(name)"])
        return .done
    }

    /// The status is written first, so a reconcile working from a stale cache cannot tear down
    /// twice; what is left here is removed on the next attempt (its attempt number differs) or at
    /// deletion.
    private func tearDownAfterFailure(_ image: JSONValue) async {
        do {
            try await tearDown(image)
        } catch {
            logger.notice("could not remove the storage of a failed attempt yet",
                          metadata: ["image": "\(image.namespace ?? "")/\(image.name ?? "")", "error": "\(error)"])
        }
    }

    /// Deletes the image's DataVolume and VolumeSnapshot (only those it controls).
    private func tearDown(_ image: JSONValue) async throws {
        let namespace = image.namespace ?? "default"
        let name = image.name ?? ""
        for (resource, informer) in [(ResourceType.volumeSnapshots, snapshots), (.dataVolumes, dataVolumes)] {
            guard let object = informer.get(namespace: namespace, name: name), StorageObjects.isOwned(object, by: image),
                  object.deletionTimestamp == nil else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(resource, namespace: namespace, name: name)
            }
        }
    }

    // MARK: - Status

    private func readyCondition(_ image: JSONValue) -> JSONValue? {
        image[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == VMDiskImage.readyCondition }
    }

    /// The Ready condition as metav1.Condition has it (`observedGeneration`, a transition time
    /// that moves when status or reason changes: the attempt timeout counts from it).
    private func setReady(_ status: inout JSONValue, _ ready: Bool, _ reason: String, _ message: String) {
        let value = ready ? "True" : "False"
        var conditions = status["conditions"]?.arrayValue ?? []
        let index = conditions.firstIndex { $0["type"]?.stringValue == VMDiskImage.readyCondition }
        let previous = index.map { conditions[$0] }
        let unchanged = previous?["status"]?.stringValue == value && previous?["reason"]?.stringValue == reason
        let condition: JSONValue = [
            "type": .string(VMDiskImage.readyCondition), "status": .string(value), "reason": .string(reason),
            "message": .string(message),
            "lastTransitionTime": unchanged ? previous?["lastTransitionTime"] ?? .string(Timestamp.now()) : .string(Timestamp.now()),
        ]
        if let index { conditions[index] = condition } else { conditions.append(condition) }
        status["conditions"] = .array(conditions)
    }

    private func withPhase(_ image: JSONValue, _ phase: Phase) -> JSONValue {
        var copy = image
        copy[path: ["status", "phase"]] = .string(phase.rawValue)
        return copy
    }

    private func write(_ image: JSONValue, _ status: JSONValue) async throws {
        var status = status
        // The queue reporter may have written a position just after the image left the queue.
        if status["phase"]?.stringValue != Phase.queued.rawValue { status["queuePosition"] = nil }
        guard status != image["status"] else { return }
        var updated = image
        updated["status"] = status
        _ = try await api.updateStatus(.vmDiskImages, namespace: image.namespace, object: updated)
    }
}
