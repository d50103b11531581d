import KubeClient
import KubeModel

/// Internal: the Tenancy module names the same resources for itself, and two public names
/// would be ambiguous in a file that imports both modules.
extension ResourceType {
    /// OpenShift's Template: the catalog items of the tenancy API live in namespace `openshift`.
    static let templates = ResourceType(
        group: "template.openshift.io", version: "v1", resource: "templates", kind: "Template", namespaced: true)
    /// A request to instantiate a Template, processed by ``TemplateInstanceReconciler``.
    static let templateInstances = ResourceType(
        group: "template.openshift.io", version: "v1", resource: "templateinstances", kind: "TemplateInstance",
        namespaced: true)
    static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)
}

/// The names OpenShift's template controller gives things.
public enum TemplateNames {
    /// On every object an instance created: the instance's uid. An existing object with this
    /// label is the instance's own, so creating it again is not an error.
    public static let instanceOwnerLabel = "template.openshift.io/template-instance-owner"
    /// On the instance: its objects are deleted before it goes.
    public static let finalizer = "template.openshift.io/finalizer"
    /// On an object, `"true"`: the instance is Ready only once the object reports ready.
    public static let waitForReadyAnnotation = "template.alpha.openshift.io/wait-for-ready"
    public static let readyCondition = "Ready"
    public static let instantiateFailureCondition = "InstantiateFailure"
}
