import KubeClient

/// The kinds behind catalogs, vApps and tasks: Virtyard's own (`Sources/Tenancy/CRDs/`) and
/// OpenShift's templates, which the catalog items and vApps are made of.
extension ResourceType {
    /// An organisation's catalog, named `<organisation>.<catalog>` in lower case.
    public static let catalogs = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "catalogs", kind: "Catalog", namespaced: false)
    /// A vApp, in its VDC's namespace, named after the vApp in lower case.
    public static let vApps = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "vapps", kind: "VApp", namespaced: true)
    /// A Cloud Director task (instantiate, power on/off, delete), named `task-<uuid>`.
    public static let vcdTasks = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "tasks", kind: "Task", namespaced: false)
    /// `template.openshift.io/v1` Templates: the catalog items (in namespace `openshift`).
    public static let openShiftTemplates = ResourceType(
        group: "template.openshift.io", version: "v1", resource: "templates", kind: "Template", namespaced: true)
    /// `template.openshift.io/v1` TemplateInstances: one per vApp, processed by the Templates module.
    public static let openShiftTemplateInstances = ResourceType(
        group: "template.openshift.io", version: "v1", resource: "templateinstances", kind: "TemplateInstance", namespaced: true)
}
