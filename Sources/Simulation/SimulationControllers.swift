import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The simulated infrastructure of the embedded mode, as controllers on the Kubernetes API:
/// KWOK-style nodes and kubelet, the scheduler, and KubeVirt's VM, VMI, migration, snapshot
/// and restore controllers.
public enum SimulationControllers {
    /// Every simulation controller, sharing the informers of `informers`.
    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: SimulationConfiguration = SimulationConfiguration(),
        logger: Logger = Logger(label: "virtyard.simulation")
    ) -> [any Service] {
        var services: [any Service] = [NodeSimulator(api: api, informers: informers, configuration: configuration, logger: logger)]
        services += podControllers(api: api, informers: informers, configuration: configuration, logger: logger)
        services += kubeVirtControllers(api: api, informers: informers, configuration: configuration, logger: logger)
        services += cdiControllers(api: api, informers: informers, configuration: configuration, logger: logger)
        return services
    }

    /// The scheduler and the kubelet of simulated nodes: what runs pods in a cluster whose
    /// nodes exist already (a lab's virtual cluster).
    public static func podControllers(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: SimulationConfiguration, logger: Logger
    ) -> [any Service] {
        [
            PodSimulator(api: api, informers: informers, logger: logger),
            Scheduler(api: api, informers: informers, configuration: configuration.scheduler, logger: logger),
        ]
    }

    /// CDI's DataVolume import and the CSI snapshot controller, on `configuration.storageDirectory`
    /// (none without one).
    public static func cdiControllers(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: SimulationConfiguration, logger: Logger
    ) -> [any Service] {
        guard let directory = configuration.storageDirectory else { return [] }
        let store = VolumeStore(root: directory)
        let dataVolumes = informers.informer(for: .dataVolumes)
        let claims = informers.informer(for: .persistentVolumeClaims)
        let snapshots = informers.informer(for: .volumeSnapshots)
        let contents = informers.informer(for: .volumeSnapshotContents)
        let classes = informers.informer(for: .volumeSnapshotClasses)
        let importer = Importer(
            store: store, bandwidth: BandwidthLimit(bytesPerSecond: configuration.importBandwidth),
            resume: configuration.importResume, client: Importer.sharedClient)
        let jobs = ImportJobs()
        let dataVolumeController = Controller(
            name: "datavolume",
            reconciler: DataVolumeReconciler(api: api, dataVolumes: dataVolumes, importer: importer, jobs: jobs, logger: logger),
            for: dataVolumes, configuration: ControllerConfiguration(workers: 4), logger: logger)
        jobs.onEnd { [dataVolumeController] key in dataVolumeController.enqueue(key) }
        let snapshotController = Controller(
            name: "volumesnapshot",
            reconciler: VolumeSnapshotReconciler(
                api: api, snapshots: snapshots, contents: contents, classes: classes,
                claims: claims, store: store, logger: logger),
            for: snapshots,
            watches: [
                .mapped(dataVolumes) { dataVolume in
                    snapshots.list(namespace: dataVolume.namespace).filter {
                        let snapshot = VolumeSnapshot($0)
                        return snapshot.persistentVolumeClaimName == dataVolume.name && !snapshot.readyToUse
                    }.compactMap(ObjectKey.init)
                },
                .mapped(classes) { snapshotClass in
                    // Snapshots that waited for this class go on once it exists.
                    snapshots.list(namespace: nil).filter {
                        let snapshot = VolumeSnapshot($0)
                        return snapshot.volumeSnapshotClassName == snapshotClass.name && !snapshot.readyToUse
                    }.compactMap(ObjectKey.init)
                },
            ],
            configuration: ControllerConfiguration(workers: 2), logger: logger)
        return [StopsImports(controller: dataVolumeController, jobs: jobs), snapshotController]
    }

    /// KubeVirt's controllers alone (the part that has to run in any cluster without KubeVirt).
    public static func kubeVirtControllers(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: SimulationConfiguration, logger: Logger
    ) -> [any Service] {
        let vms = informers.informer(for: .virtualMachines)
        let vmis = informers.informer(for: .virtualMachineInstances)
        let pods = informers.informer(for: .pods)
        let migrations = informers.informer(for: .virtualMachineInstanceMigrations)
        let snapshots = informers.informer(for: .virtualMachineSnapshots)
        let contents = informers.informer(for: .virtualMachineSnapshotContents)
        let restores = informers.informer(for: .virtualMachineRestores)
        pods.addIndex(VirtualMachineInstanceReconciler.podsByVMI) { pod in
            pod.labels[KubeVirtLabels.createdBy].map { [$0] } ?? []
        }
        migrations.addIndex(uidIndex) { object in object.uid.map { [$0] } ?? [] }
        let launcher = LauncherPod(cpuAllocationRatio: configuration.cpuAllocationRatio, image: configuration.launcherImage)
        let workers = ControllerConfiguration(workers: 4)

        let vmController = Controller(
            name: "virtualmachine",
            reconciler: VirtualMachineReconciler(api: api, vms: vms, vmis: vmis, guests: configuration.guests, logger: logger),
            for: vms, owns: [vmis], configuration: workers, logger: logger)
        let vmiController = Controller(
            name: "virtualmachineinstance",
            reconciler: VirtualMachineInstanceReconciler(
                api: api, vmis: vmis, pods: pods, launcher: launcher,
                guests: configuration.guests, logger: logger),
            for: vmis, owns: [pods], configuration: workers, logger: logger)
        let migrationController = Controller(
            name: "migration",
            reconciler: MigrationReconciler(
                api: api, migrations: migrations, vmis: vmis, pods: pods, launcher: launcher,
                configuration: configuration, logger: logger),
            for: migrations,
            watches: [
                .mapped(pods) { pod in
                    guard let uid = pod.labels[KubeVirtLabels.migrationJobUID] else { return [] }
                    return migrations.byIndex(uidIndex, uid).compactMap(ObjectKey.init)
                }
            ],
            configuration: workers, logger: logger)
        let snapshotController = Controller(
            name: "vmsnapshot",
            reconciler: SnapshotReconciler(
                api: api, snapshots: snapshots, contents: contents, vms: vms, vmis: vmis,
                configuration: configuration, logger: logger),
            for: snapshots,
            watches: [
                .mapped(vms) { vm in
                    snapshots.list(namespace: vm.namespace).filter {
                        let snapshot = VirtualMachineSnapshot($0)
                        return snapshot.sourceName == vm.name && !snapshot.readyToUse
                    }.compactMap(ObjectKey.init)
                }
            ],
            configuration: workers, logger: logger)
        let restoreController = Controller(
            name: "vmrestore",
            reconciler: RestoreReconciler(
                api: api, restores: restores, snapshots: snapshots, contents: contents, vms: vms,
                vmis: vmis, configuration: configuration, logger: logger),
            for: restores,
            watches: [
                .mapped(vmis) { vmi in pendingRestores(restores, namespace: vmi.namespace) { $0 == vmi.name } },
                .mapped(snapshots) { snapshot in
                    restores.list(namespace: snapshot.namespace).filter {
                        let restore = VirtualMachineRestore($0)
                        return restore.snapshotName == snapshot.name && !restore.complete
                    }.compactMap(ObjectKey.init)
                },
            ],
            configuration: workers, logger: logger)
        return [vmController, vmiController, migrationController, snapshotController, restoreController]
    }

    static let uidIndex = "metadata.uid"

    /// The DataVolume controller, whose imports run beyond a reconcile and stop with it.
    private struct StopsImports: Service {
        let controller: any Service
        let jobs: ImportJobs

        func run() async throws {
            defer { jobs.cancelAll() }
            try await controller.run()
        }
    }

    private static func pendingRestores(_ restores: Informer, namespace: String?, target: (String?) -> Bool) -> [ObjectKey] {
        restores.list(namespace: namespace).filter {
            let restore = VirtualMachineRestore($0)
            return target(restore.targetName) && !restore.complete
        }.compactMap(ObjectKey.init)
    }
}
