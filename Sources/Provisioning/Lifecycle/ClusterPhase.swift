import Foundation

/// moxxie's `ClusterStatus`: the phase of a ClusterDefinition and the status of a
/// ClusterOperation (the CRDs' enumerations).
public enum ClusterPhase: String, Codable, Hashable, Sendable, CaseIterable {
    case pending = "PENDING"
    case validating = "VALIDATING"
    case provisioning = "PROVISIONING"
    case configuringNetwork = "CONFIGURING_NETWORK"
    case postProvisioning = "POST_PROVISIONING"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case rollingBack = "ROLLING_BACK"
    case rolledBack = "ROLLED_BACK"
    case cancelled = "CANCELLED"

    /// An operation in one of these phases is over: cancelling it is a 409.
    public var isFinished: Bool {
        switch self {
        case .completed, .failed, .rolledBack, .cancelled: return true
        default: return false
        }
    }
}

/// moxxie's per-node `NodeStatus` in an operation's `nodeStates`.
public enum NodeProvisioningStatus: String, Codable, Hashable, Sendable, CaseIterable {
    case pending = "PENDING"
    case allocatingResources = "ALLOCATING_RESOURCES"
    case creatingVM = "CREATING_VM"
    case configuring = "CONFIGURING"
    case migrating = "MIGRATING"
    case starting = "STARTING"
    case ready = "READY"
    case failed = "FAILED"
    case deleting = "DELETING"
    case deleted = "DELETED"
}

/// What a ClusterOperation does.
public enum ClusterOperationType: String, Codable, Hashable, Sendable, CaseIterable {
    case provision = "PROVISION"
    case scale = "SCALE"
    case upgrade = "UPGRADE"
    case decommission = "DECOMMISSION"
}

/// Operation identifiers, `op-<8 hex>` (also the ClusterOperation's name).
public enum ClusterOperationID {
    public static func make(_ random: inout some RandomNumberGenerator) -> String {
        "op-" + random.bytes(4).map { String(format: "%02x", $0) }.joined()
    }

    public static func isValid(_ text: String) -> Bool {
        text.count == 11 && text.hasPrefix("op-")
            && text.dropFirst(3).allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) }
    }
}
