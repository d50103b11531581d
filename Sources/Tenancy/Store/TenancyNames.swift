import Foundation

/// How Cloud Director names map to Kubernetes object names.
///
/// Cloud Director names keep their case (`System`) but are unique regardless of it, so the
/// object is named after the lower-cased name and the spelling lives in `spec.name`. A name
/// that cannot be a DNS label once lower-cased is refused (it could not name a namespace).
public enum TenancyNames {
    /// The provider organisation.
    public static let providerOrganization = "System"
    public static let administrator = "administrator"
    public static let managedBy = "virtyard"

    /// `metadata.name` of an Organization; nil when `name` cannot be one.
    public static func organization(_ name: String) -> String? {
        let lowered = name.lowercased()
        return isDNSLabel(lowered) ? lowered : nil
    }

    /// `metadata.name` of a User: `<organisation>.<user>`.
    public static func user(_ name: String, organization: String) -> String? {
        guard let organization = self.organization(organization) else { return nil }
        let lowered = name.lowercased()
        guard isDNSLabel(lowered) else { return nil }
        return "\(organization).\(lowered)"
    }

    /// The namespace of a VDC's workloads: `vdc-<organisation>-<vdc>` in lower case (as
    /// ssvirt names it); nil when that is not a DNS label (too long, or a bad character).
    public static func vdcNamespace(organization: String, vdc: String) -> String? {
        let name = "vdc-\(organization.lowercased())-\(vdc.lowercased())"
        return isDNSLabel(name) ? name : nil
    }

    /// The Secret that holds a user's password hash (in Virtyard's namespace).
    public static func passwordSecret(user objectName: String) -> String {
        "vcd-user-\(objectName)"
    }

    public static func isDNSLabel(_ text: String) -> Bool {
        guard (1...63).contains(text.utf8.count), let first = text.utf8.first, let last = text.utf8.last else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return alphanumeric(first) && alphanumeric(last) && text.utf8.allSatisfy { alphanumeric($0) || $0 == 0x2D }
    }

    public static func isUUID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil && text == text.lowercased()
    }
}
