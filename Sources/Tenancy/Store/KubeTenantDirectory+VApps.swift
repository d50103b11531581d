import KubeClient

/// The tenant directory keeps catalogs, vApps and tasks in the same Kubernetes API.
extension KubeTenantDirectory: VAppBackend {
    public func vAppAPI() async throws(VCDError) -> any KubernetesAPI {
        guard isReady else { throw .unavailable("The tenancy store is starting; retry in a moment.") }
        do {
            return try await api()
        } catch {
            logger.error("cannot reach the Kubernetes API", metadata: ["error": "\(error)"])
            throw .unavailable("The tenancy store cannot reach the Kubernetes API.")
        }
    }
}
