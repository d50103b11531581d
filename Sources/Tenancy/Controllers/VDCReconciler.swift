import ControllerKit
import KubeClient
import KubeModel

/// Keeps a VDC's namespace, quota and network policy as its `VDC` object says, whenever the
/// VDC, its organisation or one of those objects changes: a namespace, quota or policy
/// deleted or edited by hand comes back, and a VDC made with kubectl gets its namespace.
/// Reads come from the informers' caches; only differences are written.
struct VDCReconciler: Reconciler {
    let directory: KubeTenantDirectory
    let api: any KubernetesAPI
    let vdcs: Informer
    let organizations: Informer
    let owned: CachedVDCObjects

    /// The index of VDCs by the namespace they own.
    static let namespaceIndex = "vdc-namespace"

    /// `vdc-<organisation>-<vdc>`, from the VDC object alone: the organisation's object name
    /// is its name in lower case, which is what ``TenancyNames/vdcNamespace(organization:vdc:)``
    /// uses.
    static func ownedNamespace(_ vdc: JSONValue) -> [String] {
        guard let organization = vdc["spec"]?["organization"]?.stringValue, let name = vdc["spec"]?["name"]?.stringValue,
            let namespace = TenancyNames.vdcNamespace(organization: organization, vdc: name)
        else { return [] }
        return [namespace]
    }

    /// The VDCs that own `namespace`.
    static func vdcs(owning namespace: String?, in vdcs: Informer) -> [ObjectKey] {
        guard let namespace else { return [] }
        return vdcs.byIndex(namespaceIndex, namespace).compactMap { ObjectKey($0) }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        // Gone (its namespace went with it through the API), or its organisation is: nothing to keep.
        guard let object = vdcs.get(key), object["metadata"]?["deletionTimestamp"] == nil,
            let owner = object["spec"]?["organization"]?.stringValue,
            let organizationObject = organizations.get(namespace: nil, name: owner),
            let organization = KubeTenantDirectory.organizationRecord(organizationObject),
            let vdc = KubeTenantDirectory.vdcRecord(object, organization: organization)
        else { return .done }
        try await directory.ensureNamespaceObjects(of: vdc, in: organization, api: api, reader: owned)
        return .done
    }
}

/// What a VDC owns, read from informers: every namespace, and the quotas and policies named
/// as a VDC's are (field-selected, so the caches hold only those).
struct CachedVDCObjects: VDCObjectReader {
    let namespaces: Informer
    let quotas: Informer
    let policies: Informer
    let vdcs: Informer

    func current(_ resource: ResourceType, _ namespace: String?, _ name: String) async throws(KubeClientError) -> JSONValue? {
        switch resource {
        case .namespaces: namespaces.get(namespace: nil, name: name)
        case .resourceQuotas: quotas.get(namespace: namespace, name: name)
        case .networkPolicies: policies.get(namespace: namespace, name: name)
        case .vdcs: vdcs.get(namespace: nil, name: name)
        default: nil
        }
    }
}
