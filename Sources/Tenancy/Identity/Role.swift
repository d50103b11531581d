/// The roles Virtyard knows, by their Cloud Director names (as ssvirt has them).
public enum Role: String, Sendable, CaseIterable, Codable {
    /// The provider's administrator: every organisation, creates organisations and VDCs.
    case systemAdministrator = "System Administrator"
    /// Manages the users and catalogs of one organisation.
    case organizationAdministrator = "Organization Administrator"
    /// Sees and acts on the vApps of one organisation.
    case vAppUser = "vApp User"
}
