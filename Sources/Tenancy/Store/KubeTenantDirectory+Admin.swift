import Foundation
import KubeClient
import KubeModel

/// Organisations, users and roles written through the Kubernetes API. Every write is one
/// object, or a sequence undone on failure, so a failed request leaves nothing half-made.
extension KubeTenantDirectory {
    static let labels: JSONValue = ["app.kubernetes.io/managed-by": .string(TenancyNames.managedBy)]

    /// A store failure as the client sees it: 503, the details in the log only.
    func failure(_ what: String, _ error: KubeClientError) -> VCDError {
        logger.error("tenancy store: cannot \(what)", metadata: ["error": "\(error)"])
        return .unavailable("The tenancy store cannot \(what).")
    }

    // MARK: Roles

    public func roles() async throws(VCDError) -> [RoleRecord] {
        let api = try await readyAPI()
        do {
            return try await api.list(.tenantRoles).items.compactMap { object -> RoleRecord? in
                guard let spec = object["spec"], let id = spec["id"]?.stringValue,
                    let role = spec["name"]?.stringValue.flatMap(Role.init(rawValue:))
                else { return nil }
                return RoleRecord(id: id, role: role, description: spec["description"]?.stringValue ?? "")
            }.sorted { $0.name < $1.name }
        } catch {
            throw failure("list roles", error)
        }
    }

    // MARK: Organisations

    public func createOrganization(_ draft: OrganizationRecord) async throws(VCDError) -> OrganizationRecord {
        let objectName = try TenancyValidation.organizationObjectName(draft.name)
        let count = try await organizations().count
        guard count < TenancyValidation.maximumOrganizations else {
            throw .badRequest("There are \(count) organisations, the most allowed.")
        }
        let api = try await readyAPI()
        var record = draft
        record.id = UUID().uuidString.lowercased()
        record.isProvider = false
        let object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "Organization",
            "metadata": ["name": .string(objectName), "labels": Self.labels],
            "spec": [
                "id": .string(record.id), "name": .string(record.name), "fullName": .string(record.fullName),
                "description": .string(record.description), "enabled": .bool(record.enabled),
            ],
        ]
        do {
            _ = try await api.create(.organizations, object: object)
        } catch {
            if error.isAlreadyExists { throw .duplicateName("An organisation named \(draft.name) already exists.") }
            throw failure("create the organisation", error)
        }
        logger.info("organisation created", metadata: ["org": "\(record.name)"])
        return record
    }

    public func updateOrganization(_ organization: OrganizationRecord) async throws(VCDError) -> OrganizationRecord {
        guard let objectName = TenancyNames.organization(organization.name) else {
            throw .notFound("No organisation \(organization.id).")
        }
        let api = try await readyAPI()
        do {
            _ = try await api.patch(
                .organizations, name: objectName,
                patch: [
                    "spec": [
                        "fullName": .string(organization.fullName), "description": .string(organization.description),
                        "enabled": .bool(organization.enabled),
                    ]
                ])
        } catch {
            if error.isNotFound { throw .notFound("No organisation \(organization.id).") }
            throw failure("update the organisation", error)
        }
        if !organization.enabled { await deleteKeptSessions(organizationID: organization.id) }
        return organization
    }

    public func deleteOrganization(id: String, force: Bool) async throws(VCDError) {
        guard let organization = try await self.organization(id: id), let objectName = TenancyNames.organization(organization.name)
        else { throw .notFound("No organisation \(id.prefix(64)).") }
        let vdcs = try await vdcs(of: organization)
        let users = try await users(organizationID: id)
        if !force, !vdcs.isEmpty || !users.isEmpty {
            throw .conflict(
                "Organisation \(organization.name) still has \(vdcs.count) VDC(s) and \(users.count) user(s): delete them first, or use force=true."
            )
        }
        for vdc in vdcs { try await deleteVDC(id: vdc.id, force: true) }
        for user in users { try await deleteUser(id: user.id) }
        let api = try await readyAPI()
        do {
            _ = try await api.delete(.organizations, name: objectName)
        } catch {
            if !error.isNotFound { throw failure("delete the organisation", error) }
        }
        logger.info("organisation deleted", metadata: ["org": "\(organization.name)"])
    }

    // MARK: Users

    public func users(organizationID: String?) async throws(VCDError) -> [UserRecord] {
        let organizations = try await self.organizations()
        let byObjectName = Dictionary(
            organizations.compactMap { organization in TenancyNames.organization(organization.name).map { ($0, organization) } },
            uniquingKeysWith: { first, _ in first })
        let api = try await readyAPI()
        let list: ObjectList
        do {
            list = try await api.list(.tenantUsers)
        } catch {
            throw failure("list users", error)
        }
        return list.items.compactMap { object -> UserRecord? in
            guard let spec = object["spec"], let owner = spec["organization"]?.stringValue, let organization = byObjectName[owner],
                organizationID == nil || organization.id == organizationID
            else { return nil }
            return Self.userRecord(spec, organization: organization)
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func user(id: String) async throws(VCDError) -> UserRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        return try await users(organizationID: nil).first { $0.id == id }
    }

    static func userRecord(_ spec: JSONValue, organization: OrganizationRecord) -> UserRecord? {
        guard let id = spec["id"]?.stringValue, let name = spec["name"]?.stringValue,
            let role = spec["role"]?.stringValue.flatMap(Role.init(rawValue:))
        else { return nil }
        return UserRecord(
            id: id, name: name, organizationID: organization.id,
            role: role == .systemAdministrator && !organization.isProvider ? .organizationAdministrator : role,
            fullName: spec["fullName"]?.stringValue ?? "", email: spec["email"]?.stringValue ?? "",
            description: spec["description"]?.stringValue ?? "", enabled: spec["enabled"]?.boolValue ?? true)
    }

    public func createUser(_ draft: UserRecord, password: String) async throws(VCDError) -> UserRecord {
        try TenancyValidation.password(password)
        guard let organization = try await organization(id: draft.organizationID) else {
            throw .notFound("No organisation \(draft.organizationID.prefix(64)).")
        }
        let objectName = try TenancyValidation.userObjectName(draft.name, organization: organization.name)
        try TenancyValidation.role(draft.role, in: organization)
        let count = try await users(organizationID: organization.id).count
        guard count < TenancyValidation.maximumUsersPerOrganization else {
            throw .badRequest("Organisation \(organization.name) has \(count) users, the most allowed.")
        }
        let api = try await readyAPI()
        var record = draft
        record.id = UUID().uuidString.lowercased()
        let secretName = TenancyNames.passwordSecret(user: objectName)
        let hash: PasswordHash
        do {
            hash = try PasswordHash(hashing: password)
        } catch {
            logger.error("cannot hash a password", metadata: ["error": "\(error)"])
            throw .internalFailure
        }
        let user: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "User",
            "metadata": ["name": .string(objectName), "labels": Self.labels],
            "spec": Self.userSpec(record, organizationObject: TenancyNames.organization(organization.name) ?? "", secret: secretName),
        ]
        let created: JSONValue
        do {
            created = try await api.create(.tenantUsers, object: user)
        } catch {
            if error.isAlreadyExists { throw .duplicateName("A user named \(draft.name) already exists in \(organization.name).") }
            throw failure("create the user", error)
        }
        do {
            try await writePasswordSecret(api, name: secretName, hash: hash, owner: created)
        } catch {
            // No half-made user: one that cannot log in would block the name.
            _ = try? await api.delete(.tenantUsers, name: objectName)
            throw failure("store the password", error)
        }
        logger.info("user created", metadata: ["user": "\(record.name)", "org": "\(organization.name)"])
        return record
    }

    public func updateUser(_ user: UserRecord, password: String?) async throws(VCDError) -> UserRecord {
        if let password { try TenancyValidation.password(password) }
        guard let organization = try await organization(id: user.organizationID),
            let objectName = TenancyNames.user(user.name, organization: organization.name)
        else { throw .notFound("No user \(user.id.prefix(64)).") }
        try TenancyValidation.role(user.role, in: organization)
        let previous = try await self.user(id: user.id)
        let api = try await readyAPI()
        let updated: JSONValue
        do {
            updated = try await api.patch(
                .tenantUsers, name: objectName,
                patch: [
                    "spec": [
                        "role": .string(user.role.rawValue), "fullName": .string(user.fullName), "email": .string(user.email),
                        "description": .string(user.description), "enabled": .bool(user.enabled),
                    ]
                ])
        } catch {
            if error.isNotFound { throw .notFound("No user \(user.id.prefix(64)).") }
            throw failure("update the user", error)
        }
        if let password {
            let hash: PasswordHash
            do {
                hash = try PasswordHash(hashing: password)
            } catch {
                throw .internalFailure
            }
            do {
                try await writePasswordSecret(api, name: TenancyNames.passwordSecret(user: objectName), hash: hash, owner: updated)
            } catch {
                throw failure("store the password", error)
            }
        }
        // The sessions kept across restarts end too; the caller ends the live ones.
        if !user.enabled || password != nil || previous?.role != user.role { await deleteKeptSessions(userID: user.id) }
        return user
    }

    public func deleteUser(id: String) async throws(VCDError) {
        guard let user = try await user(id: id), let organization = try await organization(id: user.organizationID),
            let objectName = TenancyNames.user(user.name, organization: organization.name)
        else { throw .notFound("No user \(id.prefix(64)).") }
        if organization.isProvider, user.name.lowercased() == TenancyNames.administrator {
            throw .forbidden("The System administrator cannot be deleted.")
        }
        let api = try await readyAPI()
        do {
            _ = try await api.delete(.tenantUsers, name: objectName)
        } catch {
            if !error.isNotFound { throw failure("delete the user", error) }
        }
        _ = try? await api.delete(.secrets, namespace: namespace, name: TenancyNames.passwordSecret(user: objectName))
        await deleteKeptSessions(userID: user.id)
        logger.info("user deleted", metadata: ["user": "\(user.name)", "org": "\(organization.name)"])
    }

    static func userSpec(_ user: UserRecord, organizationObject: String, secret: String) -> JSONValue {
        [
            "id": .string(user.id), "name": .string(user.name), "organization": .string(organizationObject),
            "role": .string(user.role.rawValue), "fullName": .string(user.fullName), "email": .string(user.email),
            "description": .string(user.description), "enabled": .bool(user.enabled), "passwordSecret": .string(secret),
        ]
    }

    /// Creates or replaces the password Secret, owned by the User object so that deleting the
    /// user with kubectl takes the hash with it.
    private func writePasswordSecret(_ api: any KubernetesAPI, name: String, hash: PasswordHash, owner: JSONValue)
        async throws(KubeClientError)
    {
        var metadata: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace), "labels": Self.labels]
        if let uid = owner["metadata"]?["uid"]?.stringValue, let ownerName = owner["metadata"]?["name"]?.stringValue {
            metadata["ownerReferences"] = [
                ["apiVersion": "virtyard.io/v1alpha1", "kind": "User", "name": .string(ownerName), "uid": .string(uid)]
            ]
        }
        let data: JSONValue = ["passwordHash": .string(Data(hash.description.utf8).base64EncodedString())]
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "virtyard.io/password-hash", "metadata": .object(metadata), "data": data,
        ]
        do {
            _ = try await api.create(.secrets, namespace: namespace, object: secret)
        } catch {
            guard error.isAlreadyExists else { throw error }
            // A stale Secret of a user deleted earlier, or a new password: replace its data.
            _ = try await api.patch(
                .secrets, namespace: namespace, name: name,
                patch: ["metadata": ["ownerReferences": metadata["ownerReferences"] ?? .null], "data": data])
        }
    }

    // MARK: Kept sessions

    /// Deletes the session Secrets of one user, so their tokens die across restarts too.
    func deleteKeptSessions(userID: String) async {
        await deleteKeptSessions(selector: "\(Self.sessionUserLabel)=\(userID)")
    }

    func deleteKeptSessions(organizationID: String) async {
        await deleteKeptSessions(selector: "\(Self.sessionOrganizationLabel)=\(organizationID)")
    }

    private func deleteKeptSessions(selector: String) async {
        guard let api = try? await api() else { return }
        do {
            let kept = try await api.list(.secrets, namespace: namespace, options: ListOptions(labelSelector: selector))
            for secret in kept.items {
                guard let name = secret["metadata"]?["name"]?.stringValue else { continue }
                _ = try? await api.delete(.secrets, namespace: namespace, name: name)
            }
        } catch {
            logger.warning("cannot delete kept sessions", metadata: ["error": "\(error)"])
        }
    }
}
