import ControllerKit
import KubeClient
import KubeModel
import Tenancy

/// Every object the tenancy page shows, read once per render: from the shared informers when
/// they have synced (no API call per browser), else from the API (the first render after the
/// console attached).
struct TenancyObjects {
    var organizations: [JSONValue] = []
    var vdcs: [JSONValue] = []
    var vApps: [JSONValue] = []
    var virtualMachines: [JSONValue] = []
    var templateInstances: [JSONValue] = []
    var claims: [JSONValue] = []
    var quotas: [JSONValue] = []

    /// What the live topic follows: a change to any of these re-renders the page's region.
    static let resources: [ResourceType] = [
        .organizations, .vdcs, .vApps, .virtualMachines, .openShiftTemplateInstances, .persistentVolumeClaims,
        .vdcResourceQuotas,
    ]

    static func read(_ connection: ConsoleConnection) async throws -> TenancyObjects {
        func objects(_ resource: ResourceType) async throws -> [JSONValue] {
            let informer = connection.informers.informer(for: resource)
            if informer.hasSynced { return informer.list() }
            do {
                return try await connection.api.list(resource).items
            } catch  where error.isNotFound {
                // The kind is not served (tenancy CRDs not installed yet): nothing to show.
                return []
            }
        }
        return TenancyObjects(
            organizations: try await objects(.organizations), vdcs: try await objects(.vdcs), vApps: try await objects(.vApps),
            virtualMachines: try await objects(.virtualMachines),
            templateInstances: try await objects(.openShiftTemplateInstances),
            claims: try await objects(.persistentVolumeClaims), quotas: try await objects(.vdcResourceQuotas))
    }
}

extension ResourceType {
    /// ResourceQuotas: a VDC's `vdc-quota` may carry a storage limit set by its operator.
    static let vdcResourceQuotas = ResourceType(
        group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true)
}
