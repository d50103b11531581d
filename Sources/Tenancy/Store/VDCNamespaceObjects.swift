import KubeModel

/// What a VDC owns on Kubernetes, built from the VDC alone (so the reconciler and the
/// create path agree): its namespace with the `ssvirt.io/*` labels, the ResourceQuota
/// `vdc-quota` from its compute capacity, and the NetworkPolicy `vdc-isolation` that admits
/// traffic from its own namespace only.
struct VDCNamespaceObjects {
    let vdc: VDCRecord
    let organization: OrganizationRecord

    static let quotaName = "vdc-quota"
    static let policyName = "vdc-isolation"

    var labels: [String: JSONValue] {
        [
            "ssvirt.io/organization": .string(TenancyNames.organization(organization.name) ?? organization.id),
            "ssvirt.io/organization-id": .string(organization.id),
            "ssvirt.io/vdc": .string(vdc.name.lowercased()),
            "ssvirt.io/vdc-id": .string(vdc.id),
            "app.kubernetes.io/managed-by": .string(TenancyNames.managedBy),
        ]
    }

    var namespace: JSONValue {
        [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": [
                "name": .string(vdc.namespace), "labels": .object(labels),
                "annotations": ["ssvirt.io/vdc-name": .string(vdc.name), "ssvirt.io/organization-name": .string(organization.name)],
            ],
        ]
    }

    /// `limits.*` from the limits, `requests.*` from the allocations (or the limits when
    /// nothing is allocated), as ssvirt does; a limit of 0 means none.
    var quotaHard: [String: JSONValue] {
        var hard: [String: JSONValue] = [:]
        if let cpu = Self.cpuQuantity(vdc.settings.cpu.limit, units: vdc.settings.cpu.units) {
            hard["limits.cpu"] = .string(cpu)
            hard["requests.cpu"] = .string(
                Self.cpuQuantity(vdc.settings.cpu.allocated, units: vdc.settings.cpu.units).flatMap {
                    vdc.settings.cpu.allocated <= vdc.settings.cpu.limit ? $0 : nil
                } ?? cpu)
        }
        if let memory = Self.memoryQuantity(vdc.settings.memory.limit, units: vdc.settings.memory.units) {
            hard["limits.memory"] = .string(memory)
            hard["requests.memory"] = .string(
                Self.memoryQuantity(vdc.settings.memory.allocated, units: vdc.settings.memory.units).flatMap {
                    vdc.settings.memory.allocated <= vdc.settings.memory.limit ? $0 : nil
                } ?? memory)
        }
        return hard
    }

    var quota: JSONValue {
        [
            "apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": ["name": .string(Self.quotaName), "namespace": .string(vdc.namespace), "labels": .object(labels)],
            "spec": ["hard": .object(quotaHard)],
        ]
    }

    /// Every pod of the namespace admits ingress from pods of the same namespace only.
    var networkPolicy: JSONValue {
        [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": ["name": .string(Self.policyName), "namespace": .string(vdc.namespace), "labels": .object(labels)],
            "spec": [
                "podSelector": [:], "policyTypes": ["Ingress"],
                "ingress": [["from": [["podSelector": [:]]]]],
            ],
        ]
    }

    /// 1 MHz counts as a millicore (a 1 GHz vCPU = 1 core), Cloud Director's usual ratio.
    static func cpuQuantity(_ amount: Int64, units: String) -> String? {
        guard amount > 0 else { return nil }
        switch units {
        case "GHz", "cores": return String(amount)
        default: return "\(amount)m"
        }
    }

    static func memoryQuantity(_ amount: Int64, units: String) -> String? {
        guard amount > 0 else { return nil }
        return units == "GB" ? "\(amount)Gi" : "\(amount)Mi"
    }
}
