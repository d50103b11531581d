import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Makes every ClusterDefinition real, level-triggered from the API's state alone (a
/// controller started after `kill -9` resumes where the last one stopped):
///
/// finalizer → the ClusterOperation of the latest change → validation → cluster Secrets (made
/// once, read back) → the plan → the API Service → supporting services in start order, each
/// Ready before the next → per node its user data Secret, then its VM → scale down, removal of
/// temporary nodes, a rolling upgrade one node at a time → drift repair → status of the
/// cluster and of its operation. Failures and cancels roll back per the specification's
/// strategy (`+Rollback`), deletion decommissions (`+Decommission`).
struct ClusterDefinitionReconciler: Reconciler {
    /// How soon to look again while anything is in flight (nested readiness has no watch).
    static let inFlight: Duration = .seconds(1)
    /// How often a finished cluster's nodes are read again from its API.
    static let steadyPoll: Duration = .seconds(10)

    enum ConditionType {
        static let ready = "Ready"
        static let drifted = "Drifted"
        /// The temporary groups (OKD's bootstrap node) were removed once the control plane was up.
        static let temporaryNodesRemoved = "TemporaryNodesRemoved"
        /// On an operation: a node was removed although pods were still draining from it.
        static let drainTimedOut = "DrainTimedOut"
    }

    let api: any KubernetesAPI
    let vms: Informer
    let vmis: Informer
    let access: (any ProvisionedClusterAccess)?
    let audit: ProvisioningAuditLog
    let logger: Logger
    /// VMs this process deleted to replace them: missing, they are not drift. (After a
    /// restart a replacement in flight may show as Drifted for one pass; nothing else changes.)
    let replacing = NodeNames()

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let fetched = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.clusterDefinitions, namespace: key.namespace, name: key.name)
        }
        guard var stored = fetched else { return .done }
        if stored.deletionTimestamp != nil {
            guard stored.finalizers.contains(ProvisioningObjects.finalizer) else { return .done }
            return try await decommission(ClusterDefinitionObject(stored))
        }
        if let updated = try await api.addFinalizer(ProvisioningObjects.finalizer, to: stored, .clusterDefinitions) {
            stored = updated
        }
        let (cluster, current) = try await currentOperation(of: ClusterDefinitionObject(stored))
        var operation = current
        if operation.type == .decommission, !operation.isFinished {
            // REST names the decommission before it deletes the cluster: the delete is coming,
            // unless the REST process died in between. Waited for a while, then given up.
            guard Self.decommissionOverdue(operation, now: Date()) else { return .requeueAfter(Self.inFlight) }
            operation = try await abandonDecommission(cluster, operation)
        }
        let validated: ValidatedClusterSpec
        switch Self.validate(cluster) {
        case .success(let spec): validated = spec
        case .failure(let refusal):
            return try await refuse(cluster, operation, reason: "InvalidSpec", message: refusal.message)
        }
        if operation.isFinished, operation.state != .completed, operation.type != .decommission {
            // Failed, cancelled or rolled back: stays as it was left until the next change. (A
            // decommission that failed because the cluster was never deleted leaves it running.)
            return .done
        }
        if !operation.isFinished {
            if operation.cancelRequested || operation.state == .rollingBack {
                return try await rollBack(cluster, operation, strategy: validated.rollbackStrategy)
            }
            if let running = cluster.runningVersion, let target = validated.version, running != target.text,
                case .success(let current) = ClusterVersion.parse(running, for: validated.type),
                let refusal = current.upgradeRefusal(to: target)
            {
                return try await refuse(cluster, operation, reason: "UpgradeRefused", message: refusal)
            }
        }
        return try await converge(cluster, operation, validated)
    }

    /// Why a specification cannot be provisioned: every violation, in one line.
    struct SpecRefusal: Error {
        var message: String
    }

    static func validate(_ cluster: ClusterDefinitionObject) -> Result<ValidatedClusterSpec, SpecRefusal> {
        switch cluster.spec {
        case .failure(let malformed): return .failure(SpecRefusal(message: malformed.description))
        case .success(let spec):
            // Everything made is named and labelled after spec.name; lookups use the object's.
            if let name = spec.name, name != cluster.name {
                return .failure(
                    SpecRefusal(message: "name: must be the ClusterDefinition's name \(cluster.name) (found \(name.prefix(64)))"))
            }
            do throws(ClusterSpecInvalid) {
                return .success(try ClusterSpecValidation.validate(spec))
            } catch {
                return .failure(SpecRefusal(message: error.violations.map { "\($0.field): \($0.message)" }.joined(separator: "; ")))
            }
        }
    }

    // MARK: - Converging

    /// One pass towards the plan; writes both statuses. A Secret in the way that the
    /// provisioner did not make fails the operation with nothing overwritten.
    func converge(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject, _ spec: ValidatedClusterSpec
    ) async throws -> ReconcileResult {
        do {
            return try await convergeOnce(cluster, operation, spec)
        } catch let foreign as ForeignSecret {
            return try await refuse(cluster, operation, reason: "ForeignSecret", message: foreign.description)
        }
    }

    private func convergeOnce(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject, _ spec: ValidatedClusterSpec
    ) async throws -> ReconcileResult {
        let namespace = cluster.namespace
        let owner = PlanOwner(name: cluster.name, uid: cluster.uid ?? "")
        let secrets = try await clusterSecrets(cluster, spec, owner: owner)
        var random = SystemRandomNumberGenerator()
        let plan: ProvisioningPlan
        do {
            plan = try ProvisioningPlanner.plan(spec, namespace: namespace, secrets: secrets, owner: owner, now: Date(), random: &random)
        } catch {
            return try await refuse(cluster, operation, reason: "PlanFailed", message: error.description)
        }
        if let kubeconfig = plan.clusterSecrets.last { try await createUnlessPresent(.secrets, kubeconfig) }

        var pass = ConvergencePass(cluster: cluster, operation: operation, spec: spec)
        let services = ClusterServiceObjects(cluster: spec, namespace: namespace, owner: owner)
        var apiAddress: String?
        if spec.type != .generic {
            let stored = try await createOrGet(.provisioningServices, services.apiService())
            apiAddress = stored[path: ["spec", "clusterIP"]]?.stringValue
            pass.endpoint = plan.endpoint
        }
        for service in spec.services {
            var ready = true
            for (resource, object) in services.objects(for: service, apiAddress: apiAddress) {
                switch resource {
                case .virtualMachines:
                    // The user may halt or start it: created once, never patched.
                    try await createUnlessPresent(resource, object)
                    ready = isRunning(namespace: namespace, name: object.name ?? "")
                case .provisioningServices:
                    // The server fills in node ports and addresses: created once.
                    _ = try await createOrGet(resource, object)
                default:
                    _ = try await api.createOrPatch(resource, object)
                }
            }
            guard ready else {
                pass.waitingForService = service.name
                break
            }
            pass.readyServices += 1
        }
        if pass.waitingForService == nil {
            try await convergeNodes(&pass, plan: plan)
        }
        return try await finishPass(pass)
    }

    /// Nodes: create missing ones (Secret first), repair drift, remove extras, remove the
    /// temporary groups once the control plane is up, replace outdated nodes one at a time.
    private func convergeNodes(_ pass: inout ConvergencePass, plan: ProvisioningPlan) async throws {
        let namespace = pass.cluster.namespace
        let name = pass.cluster.name
        let spec = pass.spec
        let temporaryGroups = Set(spec.nodeGroups.filter(\.temporary).map(\.name))
        let temporaryRemoved = StatusConditions.isTrue(pass.cluster.conditions, ConditionType.temporaryNodesRemoved)
        let desired = plan.nodes.filter { !(temporaryRemoved && temporaryGroups.contains($0.group)) }
        let managed = managedNodeVMs(namespace: namespace, cluster: name)
        let byName = Dictionary(managed.map { ($0.name ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let useAccess = spec.type != .generic ? access : nil
        let failures = await useAccess?.bootFailures(namespace: namespace, cluster: name) ?? [:]
        let nodes = await useAccess?.nodes(namespace: namespace, cluster: name)
        let target = spec.version?.text ?? ""
        let steady = pass.operation.state == .completed
        let drainTimeout = Self.drainTimeout(of: pass.operation)

        for node in desired {
            let vm = byName[node.name]
            // nil: readiness from the VM (no cluster API, or a role that registers no Node).
            let seen = useAccess == nil || !NodeObservation.registersNode(node.role) ? nil : (nodes ?? [])
            var observation = NodeObservation.observe(
                name: node.name, group: node.group, vm: vm, vmiPhase: vmiPhase(namespace: namespace, name: node.name),
                nodes: seen, target: target, spec: spec, bootFailure: failures[node.name])
            if vm == nil, observation.status == .pending { observation.status = .creatingVM }
            pass.nodes.append(observation)
            if let vm {
                if vm.deletionTimestamp == nil, VMDrift.hasDrifted(vm, planned: node.virtualMachine) {
                    pass.drifted.append(node.name)
                    _ = try await api.patch(
                        .virtualMachines, namespace: namespace, name: node.name, patch: VMDrift.repairPatch(planned: node.virtualMachine))
                }
                if steady, let nodes = seen, observation.status == .configuring, !nodes.contains(where: { $0.name == node.name }) {
                    pass.missingNodes.append(node.name)
                    try await restartIfLongRunning(namespace: namespace, vm: node.name)
                }
            } else {
                if steady, !replacing.remove(node.name) { pass.drifted.append(node.name) }
                try await upsertOwnedSecret(node.userDataSecret, cluster: name)
                var machine = node.virtualMachine
                machine.annotations[ProvisionedVMAnnotations.version] = target
                machine.annotations[ProvisionedVMAnnotations.operation] = pass.operation.name
                try await createUnlessPresent(.virtualMachines, machine)
            }
        }

        // Nodes no longer planned: scale down (highest indexes are the ones not planned) and
        // the temporary groups once removed. The cluster forgets the Node first.
        let desiredNames = Set(desired.map(\.name))
        for vm in managed where !desiredNames.contains(vm.name ?? "") {
            let vmName = vm.name ?? ""
            pass.removing.append(
                NodeObservation(
                    name: vmName, group: vm.labels[ProvisioningLabels.nodeGroup] ?? "", status: .deleting, ready: false,
                    updated: false, exists: true, deleting: true))
            guard vm.deletionTimestamp == nil else { continue }
            let removal = try await removeNode(
                namespace: namespace, cluster: name, vm: vm, useAccess: useAccess, drainTimeout: drainTimeout)
            Self.note(removal, of: vmName, drainTimeout: drainTimeout, in: &pass)
        }

        // Rolling back, a node still on the abandoned version is replaced, not a failure.
        let abandoned = Set(pass.nodes.filter { !$0.updated }.map(\.name))
        let failing = desired.filter { failures[$0.name] != nil && !(pass.rollingBack && abandoned.contains($0.name)) }
        if !failing.isEmpty {
            pass.bootFailure = failing.compactMap { node in failures[node.name].map { "\(node.name): \($0)" } }.joined(separator: "; ")
        }

        // A node its user halted is not waited for; its replacement waits until it runs again.
        let everyoneReady = pass.nodes.allSatisfy { $0.exists && !$0.deleting && ($0.ready || $0.halted) } && pass.removing.isEmpty
        if !temporaryRemoved, !temporaryGroups.isEmpty {
            let controlPlanes = pass.nodes.filter { node in spec.nodeGroups.first { $0.name == node.group }?.role == .controlPlane }
            if !controlPlanes.isEmpty, controlPlanes.allSatisfy(\.ready) {
                pass.removeTemporaryNodes = true
            }
        }
        // Rolling back an upgrade, nodes on the abandoned version need not be Ready to go (the
        // failed ones go first); nodes already back on the running version must be.
        let mayReplace =
            pass.rollingBack
            ? pass.removing.isEmpty && pass.nodes.allSatisfy { $0.exists && !$0.deleting && ($0.ready || $0.halted || !$0.updated) }
            : everyoneReady
        let candidates = pass.nodes.filter { !$0.updated && !$0.halted }
        let next = pass.rollingBack ? (candidates.first { !$0.ready } ?? candidates.first) : candidates.first
        if mayReplace, !pass.removeTemporaryNodes, let outdated = next, let vm = byName[outdated.name] {
            pass.replacing = outdated.name
            let removal = try await removeNode(
                namespace: namespace, cluster: name, vm: vm, useAccess: useAccess, drainTimeout: drainTimeout)
            // Only a VM actually deleted is a replacement in flight (not drift when missing).
            if case .draining = removal {} else { replacing.insert(outdated.name) }
            Self.note(removal, of: outdated.name, drainTimeout: drainTimeout, in: &pass)
        }
    }

    // MARK: - Reading the world

    /// The node VMs of `cluster` the provisioner made (supporting-service VMs have no group).
    func managedNodeVMs(namespace: String, cluster: String) -> [JSONValue] {
        managedVMs(namespace: namespace, cluster: cluster).filter { $0.labels[ProvisioningLabels.nodeGroup] != nil }
    }

    /// Every VM labelled `managed-by=provisioning` and `cluster=<cluster>`: never one without
    /// the managed-by label, whatever else it carries.
    func managedVMs(namespace: String, cluster: String) -> [JSONValue] {
        vms.list(
            namespace: namespace,
            matching: LabelSelector(matchLabels: [
                ProvisioningLabels.cluster: cluster, ProvisioningLabels.managedBy: ProvisioningLabels.managedByValue,
            ])
        ).filter {
            $0.labels[ProvisioningLabels.managedBy] == ProvisioningLabels.managedByValue && $0.labels[ProvisioningLabels.cluster] == cluster
        }
    }

    func vmiPhase(namespace: String, name: String) -> String? {
        vmis.get(namespace: namespace, name: name)?[path: ["status", "phase"]]?.stringValue
    }

    /// A VM counts as running when KubeVirt says it is ready or its instance runs.
    func isRunning(namespace: String, name: String) -> Bool {
        let ready = vms.get(namespace: namespace, name: name)?[path: ["status", "ready"]]?.boolValue == true
        return ready || vmiPhase(namespace: namespace, name: name) == "Running"
    }

    /// How long a running VM may go without its Node before it is restarted (a guest joins
    /// at boot; a Node deleted from a finished cluster comes back when its VM restarts).
    static let nodeJoinGrace: TimeInterval = 60

    /// Restarts `vm` by deleting its instance (its run strategy starts a new one), when that
    /// instance has run longer than ``nodeJoinGrace``: a node still booting is left alone.
    func restartIfLongRunning(namespace: String, vm: String) async throws {
        guard let instance = vmis.get(namespace: namespace, name: vm),
            let created = instance[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date),
            Date().timeIntervalSince(created) > Self.nodeJoinGrace, instance.deletionTimestamp == nil
        else { return }
        logger.notice("node missing from its cluster; restarting its VM", metadata: ["vm": "\(namespace)/\(vm)"])
        try await deleteIfPresent(.virtualMachineInstances, namespace: namespace, name: vm)
    }
}
