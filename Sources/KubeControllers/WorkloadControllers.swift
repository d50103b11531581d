import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// kube-controller-manager's workload controllers on ControllerKit: Deployment → ReplicaSet
/// → Pod, ReplicationController → Pod, StatefulSet → Pods and claims, DaemonSet → a Pod per
/// node, Job → Pod, CronJob → Job; PodDisruptionBudget status; HorizontalPodAutoscaler →
/// scale. In embedded mode the simulated scheduler and kubelet then run the pods; against a
/// real cluster, the cluster's own controllers do this job and these are not started.
public enum WorkloadControllers {
    public struct Configuration: Sendable {
        /// Workers per controller: keys of different objects are reconciled at once.
        public var workers: Int
        /// How often an HPA looks at its pods' metrics even when nothing changed
        /// (`--horizontal-pod-autoscaler-sync-period`).
        public var autoscalerSyncPeriod: Duration

        public init(workers: Int = 4, autoscalerSyncPeriod: Duration = .seconds(15)) {
            self.workers = workers
            self.autoscalerSyncPeriod = autoscalerSyncPeriod
        }
    }

    /// The controllers, sharing `informers` (the workload kinds, pods, nodes, claims'
    /// revisions, budgets, autoscalers); run them in the group that runs the factory.
    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.workloads")
    ) -> [any Service] {
        services(api: api, informers: informers, configuration: configuration, logger: logger, now: { Date() })
    }

    /// The same with a clock of the test's choosing for CronJob schedules.
    static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory, configuration: Configuration,
        logger: Logger, now: @escaping @Sendable () -> Date
    ) -> [any Service] {
        let deployments = informers.informer(for: WorkloadResources.deployments)
        let replicaSets = informers.informer(for: WorkloadResources.replicaSets)
        let replicationControllers = informers.informer(for: WorkloadResources.replicationControllers)
        let statefulSets = informers.informer(for: WorkloadResources.statefulSets)
        let daemonSets = informers.informer(for: WorkloadResources.daemonSets)
        let revisions = informers.informer(for: WorkloadResources.controllerRevisions)
        let jobs = informers.informer(for: WorkloadResources.jobs)
        let cronJobs = informers.informer(for: WorkloadResources.cronJobs)
        let budgets = informers.informer(for: WorkloadResources.podDisruptionBudgets)
        let autoscalers = informers.informer(for: WorkloadResources.horizontalPodAutoscalers)
        let pods = informers.informer(for: .pods)
        let nodes = informers.informer(for: .nodes)
        for informer in [jobs, replicaSets, pods, revisions] { informer.indexByControllerUID() }
        let settings = ControllerConfiguration(workers: configuration.workers)
        func events(_ component: String) -> EventRecorder { EventRecorder(api: api, component: component, logger: logger) }
        let history = RevisionHistory(api: api, revisions: revisions)
        let everyDaemonSet: @Sendable (JSONValue) -> [ObjectKey] = { _ in daemonSets.list().compactMap(ObjectKey.init) }
        let budgetsOfNamespace: @Sendable (JSONValue) -> [ObjectKey] = { object in
            budgets.list(namespace: object.namespace).compactMap(ObjectKey.init)
        }
        let scaleSources: [String: Informer] = [
            "ReplicaSet": replicaSets, "Deployment": deployments, "StatefulSet": statefulSets,
            "ReplicationController": replicationControllers,
        ]
        let budgetSources: [KeySource] = [pods, deployments, replicaSets, statefulSets, replicationControllers].map {
            KeySource.mapped($0, budgetsOfNamespace)
        }
        var services: [any Service] = []
        services.append(
            Controller(
                name: "deployment",
                reconciler: DeploymentReconciler(
                    api: api, deployments: deployments, replicaSets: replicaSets,
                    events: events("deployment-controller"), logger: logger),
                for: deployments, owns: [replicaSets], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "replicaset",
                reconciler: ReplicaSetReconciler(
                    api: api, resource: WorkloadResources.replicaSets, replicaSets: replicaSets, pods: pods,
                    expectations: PodExpectations(), events: events("replicaset-controller"), logger: logger),
                for: replicaSets, owns: [pods], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "replicationcontroller",
                reconciler: ReplicaSetReconciler(
                    api: api, resource: WorkloadResources.replicationControllers, replicaSets: replicationControllers,
                    pods: pods, expectations: PodExpectations(), events: events("replication-controller"),
                    logger: logger),
                for: replicationControllers, owns: [pods], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "statefulset",
                reconciler: StatefulSetReconciler(
                    api: api, statefulSets: statefulSets, pods: pods, history: history,
                    events: events("statefulset-controller"), logger: logger),
                for: statefulSets, owns: [pods, revisions], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "daemonset",
                reconciler: DaemonSetReconciler(
                    api: api, daemonSets: daemonSets, pods: pods, nodes: nodes, history: history,
                    expectations: DaemonPodExpectations(), events: events("daemonset-controller"), logger: logger),
                for: daemonSets, owns: [pods, revisions], watches: [.mapped(nodes, everyDaemonSet)],
                configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "job",
                reconciler: JobReconciler(
                    api: api, jobs: jobs, pods: pods, expectations: PodExpectations(),
                    events: events("job-controller"), logger: logger),
                for: jobs, owns: [pods], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "cronjob",
                reconciler: CronJobReconciler(
                    api: api, cronJobs: cronJobs, jobs: jobs,
                    events: events("cronjob-controller"), logger: logger, now: now),
                for: cronJobs, owns: [jobs], configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "disruption",
                reconciler: DisruptionBudgetReconciler(
                    api: api, budgets: budgets, pods: pods,
                    controllers: scaleSources, logger: logger),
                for: budgets,
                watches: budgetSources,
                configuration: settings, logger: logger))
        services.append(
            Controller(
                name: "horizontalpodautoscaling",
                reconciler: HorizontalPodAutoscalerReconciler(
                    api: api, autoscalers: autoscalers, pods: pods, history: RecommendationHistory(),
                    gate: SyncGate(period: configuration.autoscalerSyncPeriod), events: events("horizontal-pod-autoscaler"),
                    logger: logger),
                for: autoscalers, configuration: settings,
                logger: logger))
        return services
    }
}
