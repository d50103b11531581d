import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The template controllers: TemplateInstances are processed as OpenShift's template
/// instance controller processes them (docs/templates.md).
public enum TemplateControllers {
    /// The services to run beside `informers` (which the caller runs).
    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        logger: Logger = Logger(label: "virtyard.templates")
    ) -> [any Service] {
        let instances = informers.informer(for: .templateInstances)
        let controller = Controller(
            name: "templateinstance",
            reconciler: TemplateInstanceReconciler(api: api, instances: instances, logger: logger),
            for: instances,
            configuration: ControllerConfiguration(workers: 4), logger: logger)
        return [controller]
    }
}
