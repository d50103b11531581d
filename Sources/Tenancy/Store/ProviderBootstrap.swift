import Foundation
import KubeClient
import KubeModel
import Logging

/// Makes sure the provider organisation `System` and its `administrator` exist, with the
/// password of ``AdminPasswordFile``; retried until the API and the CRDs are there.
struct ProviderBootstrap: Sendable {
    let directory: KubeTenantDirectory
    let adminPassword: AdminPasswordFile

    /// Runs until the provider exists (then marks the directory ready) or the task is cancelled.
    func run() async throws {
        var delay = 0.1
        var attempts = 0
        while true {
            do {
                try await ensureProvider(api: try await directory.api())
                directory.markReady()
                directory.logger.info("tenancy ready: organisation System and its administrator exist")
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                attempts += 1
                // The CRDs arrive with the leader's first term: a few misses are expected.
                let level: Logger.Level = attempts % 20 == 0 ? .warning : .debug
                directory.logger.log(level: level, "tenancy not ready yet", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, 2)
        }
    }

    func ensureProvider(api: any KubernetesAPI) async throws {
        let namespace = directory.namespace
        try await createIfMissing(
            api, .namespaces, nil,
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        for role in Role.allCases {
            try await createIfMissing(
                api, .tenantRoles, nil,
                [
                    "apiVersion": "virtyard.io/v1alpha1", "kind": "VCDRole",
                    "metadata": ["name": .string(Self.objectName(of: role)), "labels": Self.labels],
                    "spec": [
                        "id": .string(UUID().uuidString.lowercased()), "name": .string(role.rawValue),
                        "description": .string(Self.description(of: role)), "readOnly": true,
                    ],
                ])
        }
        guard let organizationName = TenancyNames.organization(TenancyNames.providerOrganization),
            let userName = TenancyNames.user(TenancyNames.administrator, organization: TenancyNames.providerOrganization)
        else { return }
        try await createIfMissing(
            api, .organizations, nil,
            [
                "apiVersion": "virtyard.io/v1alpha1", "kind": "Organization",
                "metadata": ["name": .string(organizationName), "labels": Self.labels],
                "spec": [
                    "id": .string(UUID().uuidString.lowercased()), "name": .string(TenancyNames.providerOrganization),
                    "fullName": "Provider", "description": "The provider organisation", "enabled": true, "provider": true,
                ],
            ])
        let secretName = TenancyNames.passwordSecret(user: userName)
        try await createIfMissing(
            api, .tenantUsers, nil,
            [
                "apiVersion": "virtyard.io/v1alpha1", "kind": "User",
                "metadata": ["name": .string(userName), "labels": Self.labels],
                "spec": [
                    "id": .string(UUID().uuidString.lowercased()), "name": .string(TenancyNames.administrator),
                    "organization": .string(organizationName), "role": .string(Role.systemAdministrator.rawValue),
                    "fullName": "System administrator", "enabled": true, "passwordSecret": .string(secretName),
                ],
            ])
        let hash = try PasswordHash(hashing: adminPassword.password)
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "virtyard.io/password-hash",
            "metadata": ["name": .string(secretName), "namespace": .string(namespace), "labels": Self.labels],
            "data": ["passwordHash": .string(Data(hash.description.utf8).base64EncodedString())],
        ]
        let created = try await createIfMissing(api, .secrets, namespace, secret)
        if !created, try await storedHashMustFollow(api, namespace: namespace, secretName: secretName) {
            // A new password file (first start on an old cluster, or the operator deleted it):
            // the stored hash follows it.
            _ = try await api.patch(
                .secrets, namespace: namespace, name: secretName,
                patch: ["data": ["passwordHash": .string(Data(hash.description.utf8).base64EncodedString())]])
            directory.logger.notice("the System administrator's password was reset from \(adminPassword.path)")
        }
    }

    /// Whether the stored hash must be replaced by the password file's: a file generated at
    /// this start, or an operator's file whose password the stored hash does not verify (the
    /// Secret was rotated). Comparing first keeps replicas that share the file from rewriting
    /// the hash (a new salt) at every start.
    private func storedHashMustFollow(_ api: any KubernetesAPI, namespace: String, secretName: String) async throws -> Bool {
        if adminPassword.generated { return true }
        guard adminPassword.providedByOperator else { return false }
        let stored = try await api.get(.secrets, namespace: namespace, name: secretName)
        guard let encoded = stored["data"]?["passwordHash"]?.stringValue, let data = Data(base64Encoded: encoded),
            let hash = try? PasswordHash(parsing: String(decoding: data, as: UTF8.self))
        else { return true }
        return !hash.verify(adminPassword.password)
    }

    /// `system-administrator`, `organization-administrator`, `vapp-user`.
    static func objectName(of role: Role) -> String {
        role.rawValue.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    static func description(of role: Role) -> String {
        switch role {
        case .systemAdministrator: "Administers the whole installation: organisations, VDCs, every tenant."
        case .organizationAdministrator: "Administers one organisation: its users and catalogs, and everything in it."
        case .vAppUser: "Uses one organisation: its catalogs, and creates and operates vApps."
        }
    }

    static let labels: JSONValue = ["app.kubernetes.io/managed-by": .string(TenancyNames.managedBy)]

    /// True when this call created the object.
    @discardableResult
    private func createIfMissing(_ api: any KubernetesAPI, _ resource: ResourceType, _ namespace: String?, _ object: JSONValue)
        async throws -> Bool
    {
        do {
            _ = try await api.create(resource, namespace: namespace, object: object)
            return true
        } catch {
            if error.isAlreadyExists { return false }
            throw error
        }
    }
}
