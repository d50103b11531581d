import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The provisioner's controllers: each ClusterDefinition gets its Secrets, services and VMs,
/// scaled, upgraded, repaired and finally decommissioned, and its ClusterOperations report
/// how that goes.
public enum ProvisioningControllers {
    public struct Configuration: Sendable {
        /// How the provisioned clusters are reached; nil reads readiness from the VMs alone.
        public var access: (any ProvisionedClusterAccess)?
        /// Where the audit log lives (the REST API's namespace).
        public var auditNamespace: String
        /// Clusters reconciled at once.
        public var workers: Int
        /// How often operations no request will ever finish are looked for (``OrphanedOperationSweep``).
        public var orphanSweepPeriod: Duration

        public init(
            access: (any ProvisionedClusterAccess)? = nil, auditNamespace: String = ProvisioningObjects.defaultNamespace,
            workers: Int = 8, orphanSweepPeriod: Duration = .seconds(10)
        ) {
            self.access = access
            self.auditNamespace = auditNamespace
            self.workers = workers
            self.orphanSweepPeriod = orphanSweepPeriod
        }
    }

    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.provisioning")
    ) -> [any Service] {
        let definitions = informers.informer(for: .clusterDefinitions)
        let operations = informers.informer(for: .clusterOperations)
        let vms = informers.informer(for: .virtualMachines)
        let vmis = informers.informer(for: .virtualMachineInstances)
        // Everything the provisioner makes carries the cluster's name: map it back.
        let clusterOf: @Sendable (JSONValue) -> [ObjectKey] = { object in
            guard let cluster = object.labels[ProvisioningLabels.cluster], let namespace = object.namespace else { return [] }
            return [ObjectKey(namespace: namespace, name: cluster)]
        }
        let operationCluster: @Sendable (JSONValue) -> [ObjectKey] = { object in
            guard let cluster = ClusterOperationObject(object).clusterName, let namespace = object.namespace else { return [] }
            return [ObjectKey(namespace: namespace, name: cluster)]
        }
        let reconciler = ClusterDefinitionReconciler(
            api: api, vms: vms, vmis: vmis, access: configuration.access,
            audit: ProvisioningAuditLog(api: api, namespace: configuration.auditNamespace), logger: logger)
        var services: [any Service] = [
            OrphanedOperationSweep(api: api, operations: operations, period: configuration.orphanSweepPeriod, logger: logger)
        ]
        if let lifecycle = configuration.access?.lifecycle { services.append(lifecycle) }
        return services + [
            Controller(
                name: "clusterdefinition", reconciler: reconciler, for: definitions,
                watches: [.mapped(operations, operationCluster), .mapped(vms, clusterOf), .mapped(vmis, clusterOf)],
                configuration: ControllerConfiguration(workers: configuration.workers), logger: logger)
        ]
    }
}
