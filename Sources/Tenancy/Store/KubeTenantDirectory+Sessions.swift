import Foundation
import KubeClient
import KubeModel

/// Sessions kept as Secrets `vcd-session-<sha256 of the token>` in Virtyard's namespace, so
/// that tokens outlive a restart (even `kill -9`). The token itself is never stored; a
/// restored session takes its user's current role, and dies with a disabled user.
extension KubeTenantDirectory {
    static let sessionLabel = "virtyard.io/vcd-session"
    /// The user's and organisation's UUIDs, so that disabling or deleting them can find
    /// their kept sessions.
    static let sessionUserLabel = "virtyard.io/vcd-session-user-id"
    static let sessionOrganizationLabel = "virtyard.io/vcd-session-org-id"

    static func sessionSecretName(_ digest: String) -> String { "vcd-session-\(digest)" }

    public func saveSession(_ session: SessionStore.Session, digest: String) async {
        let principal = session.principal
        guard let user = TenancyNames.user(principal.userName, organization: principal.organization.name) else { return }
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "virtyard.io/vcd-session",
            "metadata": [
                "name": .string(Self.sessionSecretName(digest)), "namespace": .string(namespace),
                "labels": .object([
                    Self.sessionLabel: "true", "app.kubernetes.io/managed-by": "virtyard",
                    Self.sessionUserLabel: .string(principal.userID), Self.sessionOrganizationLabel: .string(principal.organization.id),
                ]),
            ],
            "stringData": [
                "user": .string(user), "session": .string(session.id),
                "created": .string(String(Int64(session.created.timeIntervalSince1970))),
            ],
        ]
        do {
            _ = try await api().create(.secrets, namespace: namespace, object: secret)
        } catch {
            // The session still works until a restart.
            logger.warning("cannot keep a session across restarts", metadata: ["error": "\(error)"])
        }
    }

    public func restoreSession(digest: String) async -> SessionStore.Session? {
        guard isReady, digest.utf8.count == 64, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let api = try? await api(),
            let secret = try? await api.get(.secrets, namespace: namespace, name: Self.sessionSecretName(digest)),
            let user = Self.decoded(secret, "user"), let id = Self.decoded(secret, "session"),
            let createdText = Self.decoded(secret, "created"), let created = Int64(createdText),
            let principal = await currentPrincipal(userObject: user)
        else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(created))
        return SessionStore.Session(id: id, principal: principal, created: date, lastUsed: Date())
    }

    public func deleteSession(digest: String) async {
        guard let api = try? await api() else { return }
        do {
            _ = try await api.delete(.secrets, namespace: namespace, name: Self.sessionSecretName(digest))
        } catch {
            if !error.isNotFound { logger.warning("cannot delete a kept session", metadata: ["error": "\(error)"]) }
        }
    }

    /// The user of this object name as stored now; nil when gone or disabled.
    func currentPrincipal(userObject name: String) async -> Principal? {
        guard let api = try? await api(), let user = try? await api.get(.tenantUsers, name: name),
            let spec = user["spec"], spec["enabled"]?.boolValue ?? true,
            let organizationName = spec["organization"]?.stringValue,
            let organizationObject = try? await api.get(.organizations, name: organizationName),
            let organization = Self.organizationRecord(organizationObject), organization.enabled,
            let id = spec["id"]?.stringValue, let userName = spec["name"]?.stringValue,
            let role = spec["role"]?.stringValue.flatMap(Role.init(rawValue:))
        else { return nil }
        let effectiveRole = role == .systemAdministrator && !organization.isProvider ? .organizationAdministrator : role
        return Principal(userID: id, userName: userName, organization: organization, role: effectiveRole)
    }

    /// Whether `principal` may still hold sessions, asked of the API: false when the user or
    /// its organisation is gone, disabled, or made again under a new id. Throws when the API
    /// cannot tell (the sessions are then kept, rather than everyone logged out).
    func mayKeepSessions(of principal: Principal, api: any KubernetesAPI) async throws(KubeClientError) -> Bool {
        guard let userName = TenancyNames.user(principal.userName, organization: principal.organization.name),
            let organizationName = TenancyNames.organization(principal.organization.name)
        else { return false }
        let reader = APIObjectReader(api: api)
        guard let user = try await reader.current(.tenantUsers, nil, userName), let spec = user["spec"],
            spec["organization"]?.stringValue == organizationName,
            let organizationObject = try await reader.current(.organizations, nil, organizationName),
            let organization = Self.organizationRecord(organizationObject),
            organization.enabled, organization.id == principal.organization.id,
            let record = Self.userRecord(spec, organization: organization)
        else { return false }
        return record.enabled && record.id == principal.userID
    }

    static func decoded(_ secret: JSONValue, _ key: String) -> String? {
        guard let encoded = secret["data"]?[key]?.stringValue, let data = Data(base64Encoded: encoded) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
