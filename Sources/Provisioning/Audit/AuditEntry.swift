import Foundation

/// One line of the provisioning audit log: a cluster operation (provision, scale, upgrade,
/// decommission, cancel) or a safe-mode decision, who asked and how it ended.
public struct AuditEntry: Hashable, Sendable {
    public enum Result: String, Hashable, Sendable, CaseIterable {
        /// Accepted and started (an operation's first entry).
        case accepted = "ACCEPTED"
        case completed = "COMPLETED"
        case failed = "FAILED"
        case cancelled = "CANCELLED"
        case rolledBack = "ROLLED_BACK"
        /// Safe mode refused a delete.
        case blocked = "BLOCKED"
        /// Safe mode allowed a delete (a VM the provisioner made).
        case allowed = "ALLOWED"
        /// A delete safe mode would refuse, forced (`?force=true`).
        case overridden = "OVERRIDDEN"
    }

    public var timestamp: Date
    /// Who asked: `admin`, a session, or `controller` for the controller's own work.
    public var user: String
    /// PROVISION, SCALE, UPGRADE, DECOMMISSION, CANCEL, DELETE_VM.
    public var action: String
    /// What it was done to: `<namespace>/<cluster>` or `vm/<namespace>/<name>`.
    public var resource: String
    public var result: Result
    public var message: String?
    public var operationID: String?

    public init(
        timestamp: Date, user: String, action: String, resource: String, result: Result, message: String? = nil,
        operationID: String? = nil
    ) {
        self.timestamp = timestamp
        self.user = user
        self.action = action
        self.resource = resource
        self.result = result
        self.message = message
        self.operationID = operationID
    }
}
