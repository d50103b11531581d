import KubeClient

/// The tenant directory keeps catalogs, vApps and tasks in the same Kubernetes API.
extension KubeTenantDirectory: VAppBackend {
    public func vAppAPI() async throws(VCDError) -> any KubernetesAPI {
        try await readyAPI()
    }
}
