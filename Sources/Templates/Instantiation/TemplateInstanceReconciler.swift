import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Instantiates TemplateInstances as OpenShift's template instance controller does
/// (openshift-controller-manager `templateinstance_controller.go` and
/// `templateinstance_finalizer.go`):
///
/// 1. An instance that is Ready or failed is left alone.
/// 2. Until `status.objects` has one entry per template object: the finalizer
///    `template.openshift.io/finalizer` goes on the instance; the parameters come from
///    `spec.secret`; the template is processed (``TemplateProcessor``); every object is
///    mapped to its resource and checked (``PlacementPolicy``) before any is created, so a
///    bad object creates nothing; each object gets the label
///    `template.openshift.io/template-instance-owner: <instance uid>` and an owner reference
///    to the instance, and is created. An object that already exists with that label is the
///    instance's own (an earlier pass made it) and counts as created. Any error sets
///    `InstantiateFailure=True` (reason `Failed`), which is final.
/// 3. Readiness: objects annotated `template.alpha.openshift.io/wait-for-ready: "true"` of a
///    kind ``Readiness`` can judge must report ready; until then `Ready=False` (`Waiting`)
///    and the instance is looked at again every few seconds; after an hour, or if one
///    fails, `InstantiateFailure=True`. Otherwise `Ready=True` (`Created`).
/// 4. A deleted instance's objects are deleted (foreground) before its finalizer is removed.
public struct TemplateInstanceReconciler: Reconciler {
    let api: any KubernetesAPI
    let instances: Informer
    let resolver: any ResourceResolver
    let processor: TemplateProcessor
    let logger: Logger
    let now: @Sendable () -> Date

    /// OpenShift's `readinessTimeout`.
    static let readinessTimeout: TimeInterval = 3600
    /// How soon an instance waiting for its objects is looked at again (OpenShift's fast rate).
    static let readinessPoll: Duration = .seconds(5)

    public init(
        api: any KubernetesAPI, instances: Informer, resolver: (any ResourceResolver)? = nil,
        processor: TemplateProcessor = TemplateProcessor(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.instances = instances
        self.resolver = resolver ?? ClusterResourceResolver(api: api)
        self.processor = processor
        self.logger = logger
        self.now = now
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = instances.get(key) else { return .done }
        var instance = TemplateInstanceView(object)
        if instance.isDeleting { return try await finalize(instance) }
        if instance.hasCondition(TemplateNames.readyCondition, status: .true)
            || instance.hasCondition(TemplateNames.instantiateFailureCondition, status: .true)
        {
            return .done
        }
        if !instance.object.finalizers.contains(TemplateNames.finalizer) {
            // Before any object exists: a deleted instance must always take its objects along.
            var updated = instance.object
            updated.finalizers.append(TemplateNames.finalizer)
            instance = TemplateInstanceView(try await api.update(.templateInstances, namespace: instance.namespace, object: updated))
        }
        let current = instance.object

        if instance.objectRefs.count != instance.templateObjectCount {
            let outcome = await instantiate(instance)
            // The API faltered: try again later rather than fail the instance for good (what
            // was created carries the owner label and is taken up by the next pass).
            if let transient = outcome.transient { throw transient }
            instance.objectRefs = outcome.refs
            if !outcome.errors.isEmpty {
                setCondition(&instance, TemplateNames.instantiateFailureCondition, .true, "Failed", Self.message(outcome.errors))
                logger.info(
                    "template instance failed",
                    metadata: ["instance": "\(key)", "errors": "\(outcome.errors.joined(separator: "; "))"])
            }
        }

        var waiting = false
        if !instance.hasCondition(TemplateNames.instantiateFailureCondition, status: .true) {
            switch await readiness(of: instance) {
            case .ready:
                setCondition(&instance, TemplateNames.readyCondition, .true, "Created", "")
            case .waiting:
                waiting = true
                setCondition(&instance, TemplateNames.readyCondition, .false, "Waiting", "Waiting for instantiated objects to report ready")
            case .retry(let error):
                throw error
            case .failed(let message):
                setCondition(&instance, TemplateNames.instantiateFailureCondition, .true, "Failed", message)
                setCondition(
                    &instance, TemplateNames.readyCondition, .false, "Failed", "See InstantiateFailure condition for error message")
            }
        }
        try await api.updateStatusIfChanged(.templateInstances, current: current, updated: instance.object)
        return waiting ? .requeueAfter(Self.readinessPoll) : .done
    }

    // MARK: - Instantiation

    struct Outcome {
        var refs: [ObjectRef] = []
        var errors: [String] = []
        /// A transient API error met on the way; the pass is retried.
        var transient: (any Error)?
    }

    /// Errors that say nothing about the template — the API was unreachable, overloaded or
    /// failing — and are retried instead of failing the instance. OpenShift retries only
    /// timeouts; a tenant's vApp should not fail for good because the API blinked.
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? KubeClientError { return error.code == 0 || error.code == 429 || error.code >= 500 }
        if let error = error as? ResolveError, case .lookupFailed = error { return true }
        return false
    }

    /// Creates the template's objects; `refs` are those that exist (even when others failed,
    /// so that deleting the instance still finds them).
    func instantiate(_ instance: TemplateInstanceView) async -> Outcome {
        var values: [String: String] = [:]
        if let secretName = instance.secretName {
            do {
                let secret = Secret(try await api.get(.secrets, namespace: instance.namespace, name: secretName))
                values = secret.data.mapValues { String(decoding: $0, as: UTF8.self) }
            } catch {
                if Self.isTransient(error) { return Outcome(transient: error) }
                return Outcome(errors: ["unable to retrieve TemplateInstance Secret: \(error)"])
            }
        }
        let processed: ProcessedTemplate
        do {
            var random = SystemRandomNumberGenerator()
            processed = try processor.process(
                instance.template, parameterValues: values, namespace: instance.namespace, using: &random)
        } catch {
            return Outcome(errors: ["unable to process Template objects: \(error)"])
        }

        // First every object's resource and placement, so that a bad one creates nothing.
        var planned: [(object: JSONValue, resource: ResourceType)] = []
        var errors: [String] = []
        // One lookup per kind: a template of a thousand objects of an unknown kind must not
        // list the cluster's CRDs a thousand times.
        var mappings: [String: Result<ResourceType, ResolveError>] = [:]
        for var object in processed.objects {
            let apiVersion = object.apiVersion ?? ""
            let kind = object.kind ?? ""
            let mapping: Result<ResourceType, ResolveError>
            if let known = mappings["\(apiVersion)/\(kind)"] {
                mapping = known
            } else {
                do {
                    mapping = .success(try await resolver.resource(apiVersion: apiVersion, kind: kind))
                } catch {
                    if Self.isTransient(error) { return Outcome(transient: error) }
                    mapping = .failure(error)
                }
                mappings["\(apiVersion)/\(kind)"] = mapping
            }
            let resource: ResourceType
            switch mapping {
            case .success(let found):
                resource = found
            case .failure(let error):
                errors.append("unable to identify the resource mapping for \(object.apiVersion ?? ""), Kind=\(object.kind ?? ""): \(error)")
                continue
            }
            if let refusal = PlacementPolicy.refusal(for: object, resource: resource, instanceNamespace: instance.namespace) {
                errors.append(refusal)
                continue
            }
            object.labels[TemplateNames.instanceOwnerLabel] = instance.uid
            do {
                try OwnerReferences.set(instance.object, .templateInstances, on: &object)
            } catch {
                errors.append("\(resource.kind) \(object.name ?? ""): \(error)")
                continue
            }
            planned.append((object, resource))
        }
        guard errors.isEmpty else { return Outcome(errors: errors) }

        // The instance's own objects from an interrupted earlier pass: by name first, then
        // (for names generated anew) any left of the same resource.
        var leftovers = await Leftovers.find(planned.map(\.resource), api: api, instance: instance)
        var existing = planned.map { entry in entry.object.name.flatMap { leftovers.claim(entry.resource, name: $0) } }
        for index in planned.indices where existing[index] == nil {
            existing[index] = leftovers.claimAny(planned[index].resource)
        }
        var outcome = Outcome()
        for (index, (object, resource)) in planned.enumerated() {
            do {
                let stored: JSONValue
                if let taken = existing[index] {
                    stored = taken
                } else {
                    stored = try await create(object, resource: resource, instance: instance)
                }
                outcome.refs.append(
                    ObjectRef(
                        apiVersion: resource.apiVersion, kind: resource.kind, namespace: instance.namespace,
                        name: stored.name ?? "", uid: stored.uid ?? ""))
            } catch {
                if Self.isTransient(error) { return Outcome(transient: error) }
                outcome.errors.append("unable to create \(resource), Name=\(object.name ?? ""): \(error)")
            }
        }
        return outcome
    }

    /// Creates one object; one that exists already is fine when it carries the instance's
    /// owner label (OpenShift's rule).
    private func create(
        _ object: JSONValue, resource: ResourceType, instance: TemplateInstanceView
    ) async throws(KubeClientError) -> JSONValue {
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(resource, namespace: instance.namespace, object: object, options: .default)
        }
        if let created { return created }
        let existing = try await api.get(resource, namespace: instance.namespace, name: object.name ?? "")
        guard existing.labels[TemplateNames.instanceOwnerLabel] == instance.uid else {
            throw KubeClientError(
                code: 409, reason: "AlreadyExists",
                message: "\(resource.kind) \(object.name ?? "") already exists and was not created by this TemplateInstance",
                request: "POST \(resource)")
        }
        return existing
    }

    // MARK: - Readiness

    enum ReadinessOutcome {
        case ready
        case waiting
        case failed(String)
        /// A transient API error: look again later.
        case retry(any Error)
    }

    func readiness(of instance: TemplateInstanceView) async -> ReadinessOutcome {
        if let created = instance.creationDate, now().timeIntervalSince(created) > Self.readinessTimeout {
            return .failed("timeout while waiting for template instance to be ready")
        }
        for ref in instance.objectRefs where Readiness.canCheck(group: ref.group, kind: ref.kind) {
            let object: JSONValue
            do {
                let resource = try await resolver.resource(apiVersion: ref.apiVersion, kind: ref.kind)
                object = try await api.get(resource, namespace: ref.namespace, name: ref.name)
            } catch {
                if Self.isTransient(error) { return .retry(error) }
                return .failed("\(error)")
            }
            guard object.uid == ref.uid else { return .failed("\(ref.kind) \(ref.namespace)/\(ref.name) not found") }
            guard Readiness.isWaitedFor(object) else { continue }
            let outcome = Readiness.check(object, group: ref.group, kind: ref.kind)
            if outcome.failed { return .failed("readiness failed on \(ref.kind) \(ref.namespace)/\(ref.name)") }
            if !outcome.ready { return .waiting }
        }
        return .ready
    }

    // MARK: - Deletion

    /// Deletes the objects an instance created, then lets it go.
    func finalize(_ instance: TemplateInstanceView) async throws -> ReconcileResult {
        guard instance.object.finalizers.contains(TemplateNames.finalizer) else { return .done }
        var failures: [String] = []
        for ref in instance.objectRefs {
            do {
                let resource = try await resolver.resource(apiVersion: ref.apiVersion, kind: ref.kind)
                let options = DeleteOptions(propagationPolicy: .foreground, preconditionUID: ref.uid.isEmpty ? nil : ref.uid)
                // Gone already, or replaced by another object of that name: nothing of ours to delete.
                _ = try await tolerating({ $0.isNotFound || $0.code == 409 }) { () async throws(KubeClientError) in
                    try await api.delete(resource, namespace: ref.namespace, name: ref.name, options: options)
                }
            } catch {
                failures.append("\(ref.kind) \(ref.namespace)/\(ref.name): \(error)")
            }
        }
        guard failures.isEmpty else { throw TemplateInstanceDeletionError(instance: instance.name, failures: failures) }
        var updated = instance.object
        updated.finalizers.removeAll { $0 == TemplateNames.finalizer }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.update(.templateInstances, namespace: instance.namespace, object: updated)
        }
        return .done
    }

    /// The errors one per line (OpenShift's `formatError`), each once, and no more than 20 of
    /// them: a condition is read by people, and a template of a thousand bad objects says
    /// the same thing a thousand times.
    static func message(_ errors: [String]) -> String {
        var seen = Set<String>()
        let unique = errors.filter { seen.insert($0).inserted }
        let shown = unique.prefix(20).joined(separator: "\n")
        return unique.count > 20 ? shown + "\n… and \(unique.count - 20) more" : shown
    }

    private func setCondition(
        _ instance: inout TemplateInstanceView, _ type: String, _ status: Condition.Status, _ reason: String, _ message: String
    ) {
        var conditions = instance.conditions
        // The message counts too, as in OpenShift's templateInstanceSetCondition; every field
        // is written, as the API's TemplateInstanceCondition requires them all.
        let changed = conditions.condition(type).map { $0.status != status || $0.reason != reason || $0.message != message } ?? true
        guard changed else { return }
        conditions.removeAll { $0["type"]?.stringValue == type }
        conditions.append(
            Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: Timestamp.string(now())).json)
        instance.conditions = conditions
    }
}

/// The objects of some instance's objects could not be deleted; the deletion is retried.
struct TemplateInstanceDeletionError: Error, CustomStringConvertible {
    var instance: String
    var failures: [String]
    var description: String { "cannot delete the objects of TemplateInstance \(instance): \(failures.joined(separator: "; "))" }
}
