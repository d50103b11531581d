/// The rules every write checks before touching the store, whichever API it came by: names
/// that can name Kubernetes objects, passwords within bounds, roles that fit the organisation.
enum TenancyValidation {
    static let minimumPasswordLength = 6
    /// scrypt hashes any length, but a megabyte password is an attack, not a password.
    static let maximumPasswordLength = 256
    static let maximumUsersPerOrganization = 1000
    static let maximumOrganizations = 1000
    static let maximumTextLength = 256
    static let maximumDescriptionLength = 4096

    static func organizationObjectName(_ name: String) throws(VCDError) -> String {
        guard let objectName = TenancyNames.organization(name) else {
            throw .badRequest(
                "\"\(name.prefix(80))\" is not a valid organisation name: 1 to 63 letters, digits or '-', starting and ending with a letter or digit."
            )
        }
        return objectName
    }

    static func userObjectName(_ name: String, organization: String) throws(VCDError) -> String {
        guard let objectName = TenancyNames.user(name, organization: organization) else {
            throw .badRequest(
                "\"\(name.prefix(80))\" is not a valid user name: 1 to 63 letters, digits or '-', starting and ending with a letter or digit."
            )
        }
        return objectName
    }

    /// The VDC's namespace `vdc-<org>-<vdc>`; a 400 naming the 63-character limit when too long.
    static func vdcNamespace(_ name: String, organization: String) throws(VCDError) -> String {
        guard TenancyNames.isDNSLabel(name.lowercased()) else {
            throw .badRequest(
                "\"\(name.prefix(80))\" is not a valid VDC name: letters, digits or '-', starting and ending with a letter or digit.")
        }
        guard let namespace = TenancyNames.vdcNamespace(organization: organization, vdc: name) else {
            let length = "vdc-\(organization)-\(name)".utf8.count
            throw .badRequest(
                "The VDC's namespace vdc-\(organization.lowercased())-\(name.lowercased().prefix(80)) would be \(length) characters; the limit is 63 (a DNS label). Choose a shorter name."
            )
        }
        return namespace
    }

    static func password(_ password: String) throws(VCDError) {
        let count = password.count
        guard count >= minimumPasswordLength, password.utf8.count <= maximumPasswordLength else {
            throw .badRequest(
                "A password must have \(minimumPasswordLength) to \(maximumPasswordLength) characters.")
        }
    }

    /// System Administrators exist only in the provider organisation, tenant roles only in
    /// tenant organisations.
    static func role(_ role: Role, in organization: OrganizationRecord) throws(VCDError) {
        guard (role == .systemAdministrator) == organization.isProvider else {
            throw .badRequest("The role \(role.rawValue) does not exist in organisation \(organization.name).")
        }
    }

    static func text(_ value: String, _ field: String, maximum: Int = maximumTextLength) throws(VCDError) {
        guard value.count <= maximum else { throw .badRequest("\(field) is longer than \(maximum) characters.") }
    }
}
