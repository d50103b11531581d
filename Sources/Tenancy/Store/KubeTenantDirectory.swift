import Foundation
import KubeClient
import KubeModel
import Logging
import Synchronization

/// The tenants as the Kubernetes API holds them: Organization and User objects, and each
/// user's password hash in a Secret of Virtyard's namespace. Nothing is cached, so a change
/// made with kubectl counts at the next request.
public final class KubeTenantDirectory: TenantDirectory, Sendable {
    /// Makes the client; it is shut down by ``close()`` (an HTTP client must not be dropped open).
    public typealias Connect = @Sendable () async throws -> HTTPKubernetesClient

    /// Where the password Secrets live.
    public let namespace: String
    private let connect: Connect
    private let client = Mutex<HTTPKubernetesClient?>(nil)
    private let ready = Mutex(false)
    let logger: Logger

    public init(namespace: String, logger: Logger, connect: @escaping Connect) {
        self.namespace = namespace
        self.logger = logger
        self.connect = connect
    }

    /// True once the provider organisation and its administrator exist (``ProviderBootstrap``).
    public var isReady: Bool { ready.withLock { $0 } }

    func markReady() { ready.withLock { $0 = true } }

    /// The API client, connecting on first use.
    func api() async throws -> any KubernetesAPI {
        if let existing = client.withLock({ $0 }) { return existing }
        let made = try await connect()
        // Two first requests at once may both connect: one client is kept, the other closed.
        let kept = client.withLock { current -> HTTPKubernetesClient in
            if let current { return current }
            current = made
            return made
        }
        if kept !== made { try? await made.shutdown() }
        return kept
    }

    /// Shuts the client down; the directory answers 503 afterwards.
    func close() async {
        ready.withLock { $0 = false }
        let closing = client.withLock { current -> HTTPKubernetesClient? in
            defer { current = nil }
            return current
        }
        try? await closing?.shutdown()
    }

    /// The client for a request: 503 until the provider organisation exists.
    func readyAPI() async throws(VCDError) -> any KubernetesAPI {
        guard isReady else { throw .unavailable("The tenancy store is starting; retry in a moment.") }
        do {
            return try await api()
        } catch {
            logger.error("cannot reach the Kubernetes API", metadata: ["error": "\(error)"])
            throw .unavailable("The tenancy store cannot reach the Kubernetes API.")
        }
    }

    public func authenticate(_ credentials: BasicCredentials) async throws(VCDError) -> Principal? {
        let api = try await readyAPI()
        guard let organizationName = TenancyNames.organization(credentials.organization),
            let userName = TenancyNames.user(credentials.user, organization: credentials.organization),
            let organizationObject = try await object(api, .organizations, nil, organizationName),
            let organization = Self.organizationRecord(organizationObject),
            let user = try await object(api, .tenantUsers, nil, userName),
            let secretName = user["spec"]?["passwordSecret"]?.stringValue,
            let secret = try await object(api, .secrets, namespace, secretName),
            let encoded = secret["data"]?["passwordHash"]?.stringValue,
            let decoded = Data(base64Encoded: encoded), let text = String(data: decoded, encoding: .utf8)
        else {
            PasswordHash.spendVerificationTime(credentials.password)
            return nil
        }
        let hash: PasswordHash
        do {
            hash = try PasswordHash(parsing: text)
        } catch {
            logger.error("unreadable password hash", metadata: ["secret": "\(namespace)/\(secretName)"])
            PasswordHash.spendVerificationTime(credentials.password)
            return nil
        }
        guard hash.verify(credentials.password) else { return nil }
        // Checked after the password, so that a disabled account answers like a wrong password.
        let spec = user["spec"]
        guard organization.enabled, spec?["enabled"]?.boolValue ?? true,
            spec?["organization"]?.stringValue == organizationName,
            let id = spec?["id"]?.stringValue, let roleName = spec?["role"]?.stringValue,
            let role = Role(rawValue: roleName)
        else { return nil }
        // Only the provider organisation has System Administrators, whatever an object says.
        let effectiveRole = role == .systemAdministrator && !organization.isProvider ? .organizationAdministrator : role
        return Principal(
            userID: id, userName: spec?["name"]?.stringValue ?? credentials.user, organization: organization,
            role: effectiveRole)
    }

    public func organizations() async throws(VCDError) -> [OrganizationRecord] {
        let api = try await readyAPI()
        do {
            let list = try await api.list(.organizations)
            return list.items.compactMap(Self.organizationRecord).sorted { $0.name.lowercased() < $1.name.lowercased() }
        } catch {
            logger.error("cannot list organisations", metadata: ["error": "\(error)"])
            throw .unavailable("The tenancy store cannot list organisations.")
        }
    }

    public func organization(id: String) async throws(VCDError) -> OrganizationRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        return try await organizations().first { $0.id == id }
    }

    public func vdcs(of organization: OrganizationRecord) async throws(VCDError) -> [VDCRecord] {
        try await allVDCs().filter { $0.organizationID == organization.id }
    }

    public func vdc(id: String) async throws(VCDError) -> VDCRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        return try await allVDCs().first { $0.id == id }
    }

    /// Every VDC whose organisation exists, in name order.
    func allVDCs() async throws(VCDError) -> [VDCRecord] {
        let organizations = try await self.organizations()
        let byObjectName = Dictionary(
            organizations.compactMap { organization in TenancyNames.organization(organization.name).map { ($0, organization) } },
            uniquingKeysWith: { first, _ in first })
        let api = try await readyAPI()
        do {
            let list = try await api.list(.vdcs)
            return list.items.compactMap { object -> VDCRecord? in
                guard let owner = object["spec"]?["organization"]?.stringValue, let organization = byObjectName[owner] else {
                    return nil
                }
                return Self.vdcRecord(object, organization: organization)
            }.sorted { $0.name.lowercased() < $1.name.lowercased() }
        } catch {
            logger.error("cannot list VDCs", metadata: ["error": "\(error)"])
            throw .unavailable("The tenancy store cannot list VDCs.")
        }
    }

    /// One object, nil when absent; other failures are 503s.
    func object(_ api: any KubernetesAPI, _ resource: ResourceType, _ namespace: String?, _ name: String)
        async throws(VCDError) -> JSONValue?
    {
        do {
            return try await api.get(resource, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return nil }
            logger.error("cannot read \(resource)", metadata: ["name": "\(name)", "error": "\(error)"])
            throw .unavailable("The tenancy store cannot read \(resource.resource).")
        }
    }

    /// A `VDC` object of `organization` as a record; nil when it lacks its id or name, or
    /// they cannot name a namespace.
    static func vdcRecord(_ object: JSONValue, organization: OrganizationRecord) -> VDCRecord? {
        guard let spec = object["spec"], let id = spec["id"]?.stringValue, let name = spec["name"]?.stringValue,
            let namespace = TenancyNames.vdcNamespace(organization: organization.name, vdc: name)
        else { return nil }
        return VDCRecord(
            id: id, name: name, organizationID: organization.id, namespace: namespace,
            description: spec["description"]?.stringValue ?? "", enabled: spec["enabled"]?.boolValue ?? true,
            settings: VDCSpec.settings(spec))
    }

    static func organizationRecord(_ object: JSONValue) -> OrganizationRecord? {
        guard let spec = object["spec"], let id = spec["id"]?.stringValue, let name = spec["name"]?.stringValue else {
            return nil
        }
        return OrganizationRecord(
            id: id, name: name, fullName: spec["fullName"]?.stringValue ?? name,
            description: spec["description"]?.stringValue ?? "", enabled: spec["enabled"]?.boolValue ?? true,
            // Only the object named after System is the provider, whatever a spec claims.
            isProvider: object["metadata"]?["name"]?.stringValue == TenancyNames.organization(TenancyNames.providerOrganization))
    }
}
