import Foundation

/// An organisation's catalog as the APIs show it (a `virtyard.io/v1alpha1` Catalog).
public struct CatalogRecord: Sendable, Equatable {
    /// The UUID of `urn:vcloud:catalog:<id>` and `/api/catalog/<id>`.
    public var id: String
    public var name: String
    public var organizationID: String
    public var description: String
    /// Who created it (a user name), shown as the owner.
    public var ownerName: String
    public var created: String
    /// Cloud Director's catalog sharing: shared with everyone in the organisation, and how.
    public var sharedToEveryone: Bool
    public var everyoneAccessLevel: String

    public var urn: String { "urn:vcloud:catalog:\(id)" }
}

/// A VM of a template or a vApp template, as its Template declares it.
public struct TemplateVM: Sendable, Equatable {
    /// A UUID stable for this Template and position (the VM has no object yet).
    public var id: String
    public var name: String
    public var cpus: Int
    public var memoryMB: Int
}

/// An OpenShift Template that is a catalog item: in namespace `openshift`, labelled
/// `template.kubevirt.io/version`, annotated `template.kubevirt.io/containerdisks` (as ssvirt).
public struct TemplateRecord: Sendable, Equatable {
    /// The Template's `metadata.uid`: the UUID of `/api/vAppTemplate/vappTemplate-<id>`.
    public var id: String
    public var name: String
    public var description: String
    public var created: String
    /// `catalog.virtyard.io/name`: when set, the Template is in the catalogs of that name only.
    public var catalogName: String?
    public var vms: [TemplateVM]

    public var urn: String { "urn:vcloud:vapptemplate:\(id)" }
}

/// A Template as an item of one catalog.
public struct CatalogItemRecord: Sendable, Equatable {
    /// Derived from the catalog's and the Template's UUIDs: the same item every time.
    public var id: String
    public var catalog: CatalogRecord
    public var template: TemplateRecord

    public var name: String { template.name }
    public var urn: String { "urn:vcloud:catalogitem:\(id)" }

    public init(catalog: CatalogRecord, template: TemplateRecord) {
        self.id = VAppIDs.derived(from: "catalogitem/\(catalog.id)/\(template.id)")
        self.catalog = catalog
        self.template = template
    }
}

/// One VirtualMachine of a vApp, as KubeVirt reports it.
public struct VAppVM: Sendable, Equatable {
    /// The VirtualMachine's `metadata.uid`.
    public var id: String
    public var name: String
    /// KubeVirt's `status.printableStatus` (`Running`, `Stopped`, `Starting` …).
    public var printableStatus: String
    public var runStrategy: String
    public var cpus: Int
    public var memoryMB: Int

    public var urn: String { "urn:vcloud:vm:\(id)" }

    /// Cloud Director's numeric status: 4 powered on, 8 powered off, 3 suspended, 0 unresolved.
    public var vcdStatus: Int {
        switch printableStatus {
        case "Running": 4
        case "Stopped": 8
        case "Paused": 3
        default: 0
        }
    }
}

/// A vApp: a VApp object, the TemplateInstance it made and the VMs labelled with its name.
public struct VAppRecord: Sendable, Equatable {
    /// The UUID of `urn:vcloud:vapp:<id>` and `/api/vApp/vapp-<id>`.
    public var id: String
    public var name: String
    /// The VApp's (and TemplateInstance's) object name: the name in lower case.
    public var objectName: String
    public var namespace: String
    public var vdcID: String
    public var organizationID: String
    public var description: String
    public var ownerName: String
    public var ownerID: String
    public var templateID: String
    public var templateName: String
    public var created: String
    public var metadata: [String: String]
    public var vms: [VAppVM]
    /// The TemplateInstance's outcome: nil while it is processed.
    public var instantiation: Instantiation?
    /// Set once a delete has started.
    public var deleting: Bool
    /// Cloud Director's sharing of the vApp with the whole organisation.
    public var sharedToEveryone: Bool
    public var everyoneAccessLevel: String

    public enum Instantiation: Sendable, Equatable {
        case ready
        case failed(String)
    }

    public var urn: String { "urn:vcloud:vapp:\(id)" }

    /// Cloud Director's numeric status of the whole vApp: -1 failed creation, 0 unresolved
    /// (being made, or a VM between states), 4 all on, 8 all off, 10 mixed.
    public var vcdStatus: Int {
        if case .failed = instantiation { return -1 }
        if vms.isEmpty { return instantiation == .ready ? 8 : 0 }
        let statuses = Set(vms.map(\.vcdStatus))
        if statuses.contains(0) { return 0 }
        if statuses.count == 1, let only = statuses.first { return only }
        return 10
    }

    /// The status word of the cloudapi (ssvirt's and Cloud Director's names).
    public var statusName: String {
        if deleting { return "DELETING" }
        switch vcdStatus {
        case -1: return "FAILED_CREATION"
        case 4: return "POWERED_ON"
        case 8: return "POWERED_OFF"
        case 10: return "MIXED"
        case 3: return "SUSPENDED"
        default: return instantiation == nil ? "INSTANTIATING" : "UNRESOLVED"
        }
    }
}

/// What a task does.
public enum TaskOperation: String, Sendable, CaseIterable {
    case instantiate = "vdcInstantiateVapp"
    case powerOn = "vappDeployAndPowerOn"
    case powerOff = "vappPowerOff"
    case delete = "vdcDeleteVapp"
    case createCatalog = "catalogCreateCatalog"
    case updateMetadata = "metadataUpdate"

    /// Cloud Director's `operation` sentence, shown by vcd-cli.
    func sentence(_ name: String) -> String {
        switch self {
        case .instantiate: "Creating Virtual Application \(name)"
        case .powerOn: "Starting Virtual Application \(name)"
        case .powerOff: "Stopping Virtual Application \(name)"
        case .delete: "Deleting Virtual Application \(name)"
        case .createCatalog: "Creating Catalog \(name)"
        case .updateMetadata: "Updating metadata of \(name)"
        }
    }
}

/// The states of a Cloud Director task.
public enum TaskStatus: String, Sendable {
    case queued, running, success, error

    public var isFinal: Bool { self == .success || self == .error }
}

/// A task as stored (a `virtyard.io/v1alpha1` Task) and shown.
public struct TaskRecord: Sendable, Equatable {
    /// The UUID of `urn:vcloud:task:<id>` and `/api/task/<id>`.
    public var id: String
    public var operation: TaskOperation
    public var organizationID: String
    public var userID: String
    public var userName: String
    /// What it acts on: a vApp (or a catalog).
    public var targetID: String
    public var targetName: String
    /// The namespace and object name of the vApp it acts on (empty for a catalog).
    public var targetNamespace: String
    public var targetObject: String
    public var status: TaskStatus
    public var message: String
    public var started: String
    public var ended: String?
    /// An instantiation is done once this many VMs exist (the Template's VirtualMachines) …
    public var expectedVMs: Int
    /// … and, when the client asked to power the vApp on, are running.
    public var waitForRunning: Bool

    public var urn: String { "urn:vcloud:task:\(id)" }
}

/// Identifiers: fresh UUIDs, and UUIDs derived from a stable text (a Template's catalog item
/// in one catalog, a Template's n-th VM), so that the same thing always has the same id.
public enum VAppIDs {
    public static func fresh() -> String { UUID().uuidString.lowercased() }

    public static func derived(from text: String) -> String {
        var bytes = Array(SHA256Digest(text).bytes.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50 // version 5 (name-based)
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
    }

    /// The UUID in a URN of this type (`urn:vcloud:vapp:<uuid>`), or a bare UUID; nil otherwise.
    public static func uuid(in text: String, type: String) -> String? {
        let prefix = "urn:vcloud:\(type):"
        let candidate = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        return TenancyNames.isUUID(candidate) ? candidate : nil
    }

    /// Now, as Cloud Director writes dates.
    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
