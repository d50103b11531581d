import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// kube-controller-manager's workload controllers on ControllerKit: Deployment → ReplicaSet
/// → Pod, Job → Pod, and CronJob → Job. In embedded mode the simulated scheduler and kubelet then run the
/// pods; against a real cluster, the cluster's own controllers do this job and these are not
/// started.
public enum WorkloadControllers {
    public struct Configuration: Sendable {
        /// Workers per controller: keys of different objects are reconciled at once.
        public var workers: Int

        public init(workers: Int = 4) {
            self.workers = workers
        }
    }

    /// The controllers, sharing `informers` (deployments, replica sets, jobs, pods); run them in
    /// the group that runs the factory.
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
        let jobs = informers.informer(for: WorkloadResources.jobs)
        let cronJobs = informers.informer(for: WorkloadResources.cronJobs)
        jobs.indexByControllerUID()
        let pods = informers.informer(for: .pods)
        replicaSets.indexByControllerUID()
        pods.indexByControllerUID()
        let settings = ControllerConfiguration(workers: configuration.workers)
        func events(_ component: String) -> EventRecorder { EventRecorder(api: api, component: component, logger: logger) }
        return [
            Controller(
                name: "deployment",
                reconciler: DeploymentReconciler(
                    api: api, deployments: deployments, replicaSets: replicaSets,
                    events: events("deployment-controller"), logger: logger),
                for: deployments, owns: [replicaSets], configuration: settings, logger: logger),
            Controller(
                name: "replicaset",
                reconciler: ReplicaSetReconciler(
                    api: api, replicaSets: replicaSets, pods: pods,
                    expectations: PodExpectations(),
                    events: events("replicaset-controller"), logger: logger),
                for: replicaSets, owns: [pods], configuration: settings, logger: logger),
            Controller(
                name: "job",
                reconciler: JobReconciler(
                    api: api, jobs: jobs, pods: pods, expectations: PodExpectations(),
                    events: events("job-controller"), logger: logger),
                for: jobs, owns: [pods], configuration: settings, logger: logger),
            Controller(
                name: "cronjob",
                reconciler: CronJobReconciler(
                    api: api, cronJobs: cronJobs, jobs: jobs,
                    events: events("cronjob-controller"), logger: logger, now: now),
                for: cronJobs, owns: [jobs], configuration: settings, logger: logger),
        ]
    }
}
