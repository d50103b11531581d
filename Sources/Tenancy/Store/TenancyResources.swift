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

/// The tenancy's Role kind, and the built-in kinds a VDC's namespace holds (OpenShift's are
/// in VAppResources.swift).
extension ResourceType {
    public static let tenantRoles = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "vcdroles", kind: "VCDRole", namespaced: false)
    static let resourceQuotas = ResourceType(group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true)
    static let networkPolicies = ResourceType(
        group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true)
}
