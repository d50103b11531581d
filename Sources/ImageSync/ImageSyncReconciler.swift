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
    /// The queue in order, kept by the controller's image handler.
    let queue: ImageQueueCache
    let gate: AdmissionGate
    let events: EventRecorder
    let logger: Logger

    typealias Phase = VMDiskImage.Phase
    typealias Reason = VMDiskImage.Reason

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = images.get(key) else { return .done }
        let image = VMDiskImage(object)
        if image.isDeleting { return try await finalize(image) }
        if try await api.addFinalizer(VMDiskImage.finalizer, to: object, .vmDiskImages) != nil { return .done }
        switch image.phase {
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

    private func enqueue(_ image: VMDiskImage) async throws -> ReconcileResult {
        var updated = image
        updated.phase = .queued
        updated.message = "Request is waiting for an available worker."
        if let key = ObjectKey(image.object) {
            updated.queuePosition = Int64(queue.read { $0.position(ifQueued: updated, key: key) })
        }
        setReady(&updated, false, Reason.queued, "The sync has been queued for processing.")
        try await write(image, updated)
        events.record(image.object, type: .normal, reason: "Queued", message: "Waiting in the global sync queue")
        return .done
    }

    private func admit(_ image: VMDiskImage) async throws -> ReconcileResult {
        guard let key = ObjectKey(image.object) else { return .done }
        let policy = policy.current
        let gate = self.gate
        switch queue.read({ gate.decide(key, queue: $0, concurrency: policy.concurrency) }) {
        case .wait:
            // The queue reporter keeps `queuePosition` current; a freed slot wakes the head.
            return .done
        case .admit:
            var updated = image
            updated.phase = .syncing
            updated.message = "Syncing VM data for the workspace."
            updated.queuePosition = nil
            if updated.startTime == nil { updated.startTime = Date() }
            updated.progress = "N/A"
            setReady(&updated, false, Reason.syncing, "The sync is currently in progress.")
            let written: VMDiskImage?
            do {
                written = try await write(image, updated)
            } catch {
                gate.withdraw(key)
                throw error
            }
            events.record(
                image.object, type: .normal, reason: "SyncStarted",
                message: "Sync started (at most \(policy.concurrency) at once)")
            logger.info("image sync started", metadata: ["image": "\(key)"])
            // Straight on to creating its DataVolume: waiting for the event of our own write
            // would leave the freed slot idle for a round trip through the cache.
            guard let written else { return .done }
            return try await sync(written)
        }
    }

    // MARK: - Syncing

    private func sync(_ image: VMDiskImage) async throws -> ReconcileResult {
        let policy = policy.current
        let now = Date()
        let namespace = image.namespace
        let name = image.name
        var updated = image
        let started = image.startTime ?? now
        let attemptStarted = StatusConditions.find(image.conditions, VMDiskImage.readyCondition)?.transitionDate ?? now
        if now.timeIntervalSince(started) > policy.syncDeadline.timeInterval {
            return try await fail(
                image, permanently: true, Reason.syncDeadlineExceeded,
                "Exceeded overall sync retry window (\(GoDuration.format(policy.syncDeadline))). Failed Permanently")
        }
        if now.timeIntervalSince(attemptStarted) > policy.attemptTimeout.timeInterval {
            return try await fail(
                image, permanently: false, Reason.syncAttemptDurationExceeded,
                "the sync attempt has lasted beyond its max duration (\(GoDuration.format(policy.attemptTimeout)))")
        }
        let timeLeft = min(
            policy.attemptTimeout.timeInterval - now.timeIntervalSince(attemptStarted),
            policy.syncDeadline.timeInterval - now.timeIntervalSince(started))
        let recheck = ReconcileResult.requeueAfter(.milliseconds(Int64(max(1, min(timeLeft, 30)) * 1000)))

        guard let dataVolume = dataVolumes.get(namespace: namespace, name: name).map(DataVolume.init) else {
            // Creating is the one step a stale cache must not trigger (an image that just failed
            // would get a new DataVolume nobody removes): act only on the image as stored now.
            let stored = VMDiskImage(try await api.get(.vmDiskImages, namespace: namespace, name: name))
            guard stored.resourceVersion == image.resourceVersion else { return .requeue }
            do {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.dataVolumes, namespace: namespace, object: StorageObjects.dataVolume(for: image.object))
                }
            } catch {
                return try await fail(
                    image, permanently: false, Reason.resourceCreationFailed,
                    "Failed while creating resources: \(error)")
            }
            return recheck
        }
        guard dataVolume.isControlled(byUID: image.uid) else {
            return try await fail(
                image, permanently: false, Reason.resourceCreationFailed,
                "Failed while creating resources: DataVolume \(namespace)/\(name) exists and belongs to something else")
        }
        guard dataVolume.annotations[StorageObjects.attemptAnnotation] == StorageObjects.attempt(of: image.object) else {
            // Left over from an earlier attempt: it goes before this attempt creates its own.
            try await tearDown(image)
            return .requeueAfter(.milliseconds(500))
        }
        // Bound's message names the claim, which may well contain "404"; the transfer's own
        // conditions are the ones that speak about the source.
        let messages = dataVolume.conditions.compactMap(Condition.init(json:))
            .filter { $0.type != "Bound" }.compactMap(\.message)
        if let missing = messages.first(where: Self.isMissingSource) {
            return try await fail(
                image, permanently: true, Reason.missingSourceArtifact,
                "the requested artifact does not exist: \(missing)")
        }
        if let unsupported = messages.first(where: { $0.contains("not supported") }) {
            return try await fail(image, permanently: true, Reason.resourceCreationFailed, unsupported)
        }
        let restarts = dataVolume.restartCount
        if restarts >= policy.attemptRestartLimit {
            return try await fail(
                image, permanently: false, Reason.retryLimitExceeded,
                "the sync attempt has failed beyond the retry limit (\(restarts) restarts of the transfer)")
        }
        if dataVolume.phase == .failed {
            let cause = Self.runningMessage(dataVolume) ?? "the DataVolume failed"
            return try await fail(image, permanently: false, Reason.unknownSyncFailure, cause)
        }
        if let bytes = dataVolume.annotations[StorageObjects.bytesWrittenAnnotation].flatMap(Int64.init) {
            updated.bytesTransferred = bytes
        }
        guard dataVolume.phase == .succeeded else {
            let phase = dataVolume.phase?.rawValue ?? ""
            updated.progress = dataVolume.progress ?? "N/A"
            updated.message =
                "Syncing VM data for the workspace: DataVolume \(phase.isEmpty ? "Pending" : phase)"
                + (Self.runningMessage(dataVolume).map { " (\($0))" } ?? "")
            try await write(image, updated)
            return recheck
        }
        updated.progress = "100.0%"

        guard let snapshot = snapshots.get(namespace: namespace, name: name).map(VolumeSnapshot.init) else {
            do {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.volumeSnapshots, namespace: namespace, object: StorageObjects.volumeSnapshot(for: image.object))
                }
            } catch {
                return try await fail(
                    image, permanently: false, Reason.resourceCreationFailed,
                    "Failed while creating resources: \(error)")
            }
            updated.message = "Data imported; taking the volume snapshot."
            try await write(image, updated)
            return recheck
        }
        guard snapshot.readyToUse else {
            updated.message =
                "Data imported; waiting for VolumeSnapshot \(name) to be ready"
                + (snapshot.errorMessage.map { ": \($0)" } ?? "")
            try await write(image, updated)
            return recheck
        }
        updated.phase = .ready
        updated.message = "The data sync completed successfully."
        updated.completionTime = Date()
        setReady(&updated, true, Reason.synced, "The sync finished successfully.")
        try await write(image, updated)
        events.record(image.object, type: .normal, reason: "SyncCompleted", message: "The image is synced and its snapshot is ready")
        logger.info("image ready", metadata: ["image": "\(namespace)/\(name)"])
        return .done
    }

    /// data-sync-operator's test for a missing source ("404" or "not found" in a DataVolume
    /// condition), plus S3's error code.
    static func isMissingSource(_ message: String) -> Bool {
        message.contains("404") || message.lowercased().contains("not found") || message.contains("NoSuchKey")
    }

    static func runningMessage(_ dataVolume: DataVolume) -> String? {
        StatusConditions.find(dataVolume.conditions, "Running")?.message.flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: - Failures

    /// Records a failed attempt: the storage objects go (a retry starts clean), then either a
    /// retry after the backoff or, for a permanent cause or past the retry limit, Failed.
    private func fail(_ image: VMDiskImage, permanently: Bool, _ reason: String, _ message: String) async throws -> ReconcileResult {
        let policy = policy.current
        var updated = image
        let failures = (image.failureCount ?? 0) + 1
        updated.failureCount = failures
        updated.lastFailureTime = Date()
        updated.progress = nil
        let final = permanently || failures > policy.retryLimit
        if final {
            updated.phase = .failed
            let why = permanently ? "" : " after \(failures) failed attempts (retryLimit \(policy.retryLimit))"
            updated.message = "Sync failed permanently\(why): \(message)"
            setReady(&updated, false, permanently ? reason : Reason.retryLimitExceeded, message)
            try await write(image, updated)
            await tearDownAfterFailure(image)
            events.record(image.object, type: .warning, reason: "SyncFailed", message: "\(message)")
            logger.warning(
                "image sync failed permanently",
                metadata: [
                    "image": "\(image.namespace)/\(image.name)",
                    "reason": "\(reason)", "error": "\(message)",
                ])
            return .done
        }
        let wait = policy.backoff(afterFailures: failures)
        updated.phase = .retryableFailure
        updated.message =
            "An error occurred during reconciliation: \(message); retry \(failures) of "
            + "\(policy.retryLimit) in \(GoDuration.format(wait))"
        setReady(&updated, false, reason, message)
        try await write(image, updated)
        await tearDownAfterFailure(image)
        events.record(
            image.object, type: .warning, reason: "SyncErrorOccurred",
            message: "\(message); retrying in \(GoDuration.format(wait))")
        logger.notice(
            "image sync attempt failed",
            metadata: [
                "image": "\(image.namespace)/\(image.name)",
                "reason": "\(reason)", "retryIn": "\(GoDuration.format(wait))",
            ])
        return .requeueAfter(wait)
    }

    private func retryWhenDue(_ image: VMDiskImage) async throws -> ReconcileResult {
        let policy = policy.current
        var updated = image
        let failures = image.failureCount ?? 1
        if failures > policy.retryLimit {
            updated.phase = .failed
            updated.message = "Sync failed permanently after \(failures) failed attempts (retryLimit \(policy.retryLimit))"
            setReady(&updated, false, Reason.retryLimitExceeded, "the retry limit was lowered below the failures so far")
            try await write(image, updated)
            return .done
        }
        // The stored time has whole seconds (rounded down): one more second makes the retry up to
        // a second late, never early.
        let failedAt = image.lastFailureTime ?? .distantPast
        let due = failedAt.addingTimeInterval(policy.backoff(afterFailures: failures).timeInterval + 1)
        if due > Date() {
            return .requeueAfter(.milliseconds(Int64(due.timeIntervalSinceNow * 1000) + 1))
        }
        updated.phase = .queued
        updated.message = "Retry \(failures) of \(policy.retryLimit): waiting for an available worker."
        setReady(&updated, false, Reason.queued, "The sync has been queued for another attempt.")
        try await write(image, updated)
        return .done
    }

    // MARK: - Deletion

    private func finalize(_ image: VMDiskImage) async throws -> ReconcileResult {
        guard image.finalizers.contains(VMDiskImage.finalizer) else { return .done }
        let users = ImageUsage.users(of: image.object, virtualMachines: virtualMachines, dataVolumes: dataVolumes)
        if !users.isEmpty {
            if image.usedBy != users {
                var updated = image
                updated.usedBy = users
                updated.message = "Deletion waits: still used by \(users.joined(separator: ", "))"
                setReady(&updated, image.phase == .ready, Reason.inUse, "Deletion waits until no VirtualMachine uses the image")
                try await write(image, updated)
                events.record(image.object, type: .normal, reason: "InUse", message: "Deletion waits for \(users.joined(separator: ", "))")
            }
            return .done
        }
        try await tearDown(image)
        let namespace = image.namespace
        let name = image.name
        // The finalizer holds until the objects (and with them the stored data) are gone.
        for resource in [ResourceType.dataVolumes, .volumeSnapshots] {
            let remaining = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.get(resource, namespace: namespace, name: name)
            }
            if let remaining, StorageObjects.isOwned(remaining, by: image.object) { return .requeueAfter(.milliseconds(500)) }
        }
        try await api.removeFinalizer(VMDiskImage.finalizer, from: image.object, .vmDiskImages)
        logger.info("image deleted with its storage", metadata: ["image": "\(namespace)/\(name)"])
        return .done
    }

    /// The status is written first, so a reconcile working from a stale cache cannot tear down
    /// twice; what is left here is removed on the next attempt (its attempt number differs) or at
    /// deletion.
    private func tearDownAfterFailure(_ image: VMDiskImage) async {
        do {
            try await tearDown(image)
        } catch {
            logger.notice(
                "could not remove the storage of a failed attempt yet",
                metadata: ["image": "\(image.namespace)/\(image.name)", "error": "\(error)"])
        }
    }

    /// Deletes the image's DataVolume and VolumeSnapshot (only those it controls).
    private func tearDown(_ image: VMDiskImage) async throws {
        let namespace = image.namespace
        let name = image.name
        for (resource, informer) in [(ResourceType.volumeSnapshots, snapshots), (.dataVolumes, dataVolumes)] {
            guard let object = informer.get(namespace: namespace, name: name), StorageObjects.isOwned(object, by: image.object),
                object.deletionTimestamp == nil
            else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(resource, namespace: namespace, name: name)
            }
        }
    }

    // MARK: - Status

    /// The Ready condition as metav1.Condition has it. Its transition time moves when status
    /// or reason changes: the attempt timeout counts from it, and Queued → Syncing keeps
    /// `Ready=False`. (`observedGeneration` is not written: data-sync-operator does not.)
    private func setReady(_ image: inout VMDiskImage, _ ready: Bool, _ reason: String, _ message: String) {
        let condition = Condition(
            type: VMDiskImage.readyCondition, status: Condition.Status(ready), reason: reason,
            message: message)
        StatusConditions.set(&image.conditions, condition, transition: .statusOrReasonChange)
    }

    /// Writes `updated`'s status when it differs from `image`'s.
    /// Returns the image as written, or nil when nothing changed.
    @discardableResult
    private func write(_ image: VMDiskImage, _ updated: VMDiskImage) async throws -> VMDiskImage? {
        var updated = updated
        // The queue reporter may have written a position just after the image left the queue.
        if updated.phase != .queued { updated.queuePosition = nil }
        return try await api.updateStatusIfChanged(.vmDiskImages, current: image.object, updated: updated.object)
            .map(VMDiskImage.init)
    }
}
