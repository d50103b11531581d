import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Ends the live sessions of users and organisations disabled or deleted behind the API's
/// back (with kubectl), with their kept session Secrets, and sweeps expired sessions out of
/// memory. Woken by every change to a user or an organisation, and by a timer at the earliest
/// expiry; writes through the API end sessions at once themselves.
///
/// One key for the whole store: a burst of changes folds into one pass, which reads the
/// caches (no list of every user per pass).
struct SessionSweepReconciler: Reconciler {
    static let key = ObjectKey(namespace: nil, name: "sessions")

    let directory: KubeTenantDirectory
    let sessions: SessionStore
    let api: any KubernetesAPI
    let organizations: Informer
    let users: Informer

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let now = Date()
        let (expired, nextExpiry) = sessions.removeExpired(now: now)
        // An expired session must not come back from its kept copy.
        for digest in expired { await directory.deleteSession(digest: digest) }
        if !expired.isEmpty { directory.logger.debug("expired sessions swept", metadata: ["count": "\(expired.count)"]) }
        let allowed = Self.usersWhoMayLogIn(organizations: organizations.list(), users: users.list())
        for principal in sessions.principals where !allowed.contains(principal.userID) {
            // The caches may lag a write (a user made a moment ago): the API has the last word,
            // and when it cannot answer the sessions are kept (the pass is retried).
            if try await directory.mayKeepSessions(of: principal, api: api) { continue }
            sessions.revokeAll(userID: principal.userID)
            await directory.deleteKeptSessions(userID: principal.userID)
            directory.logger.info("sessions ended: the user or organisation is disabled or gone", metadata: ["user": "\(principal.userID)"])
        }
        let wait = max(1, min(nextExpiry.timeIntervalSince(now), sessions.idleTimeout))
        return .requeueAfter(.milliseconds(Int64(wait * 1000)))
    }

    /// The ids of the users that are enabled in an enabled organisation.
    static func usersWhoMayLogIn(organizations: [JSONValue], users: [JSONValue]) -> Set<String> {
        var enabledOrganizations: [String: OrganizationRecord] = [:]
        for object in organizations {
            guard let name = object["metadata"]?["name"]?.stringValue, let organization = KubeTenantDirectory.organizationRecord(object),
                organization.enabled
            else { continue }
            enabledOrganizations[name] = organization
        }
        var allowed: Set<String> = []
        for object in users {
            guard let spec = object["spec"], let owner = spec["organization"]?.stringValue,
                let organization = enabledOrganizations[owner],
                let user = KubeTenantDirectory.userRecord(spec, organization: organization), user.enabled
            else { continue }
            allowed.insert(user.id)
        }
        return allowed
    }
}
