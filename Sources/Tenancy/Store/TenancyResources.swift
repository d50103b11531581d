import KubeClient

/// The tenancy kinds' resources (`Sources/Tenancy/CRDs/`).
extension ResourceType {
    public static let organizations = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "organizations", kind: "Organization", namespaced: false)
    public static let tenantUsers = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "users", kind: "User", namespaced: false)
    public static let vdcs = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "vdcs", kind: "VDC", namespaced: false)
}
