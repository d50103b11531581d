import KubeClient

/// Where catalogs, vApps and tasks are kept: the Kubernetes API.
///
/// ``KubeTenantDirectory`` is one (`KubeTenantDirectory+VApps.swift`); the tests give an
/// in-memory API. ``VCDRouter`` serves the catalog, vApp and task routes when the directory
/// (or the `vApps` argument) is one.
public protocol VAppBackend: Sendable {
    /// The API client; 503 while the store starts or cannot reach the API.
    func vAppAPI() async throws(VCDError) -> any KubernetesAPI
}
