import Foundation

/// Ends the live sessions of users and organisations disabled or deleted behind the API's
/// back (with kubectl): every `interval` it reads who may still log in and revokes the rest,
/// with their kept session Secrets. Writes through the API end sessions at once themselves.
struct SessionSweeper: Sendable {
    let directory: KubeTenantDirectory
    let sessions: SessionStore
    var interval: Duration = .seconds(5)

    func run() async throws {
        while true {
            try await Task.sleep(for: interval)
            if directory.isReady, sessions.count > 0 { await pass() }
        }
    }

    func pass() async {
        do {
            let enabledOrganizations = Set(try await directory.organizations().filter(\.enabled).map(\.id))
            let enabledUsers = Set(
                try await directory.users(organizationID: nil).filter { $0.enabled && enabledOrganizations.contains($0.organizationID) }
                    .map(\.id))
            let ended = sessions.revokeAll { !enabledUsers.contains($0.userID) }
            for userID in ended {
                await directory.deleteKeptSessions(userID: userID)
                directory.logger.info("sessions ended: the user or organisation is disabled or gone", metadata: ["user": "\(userID)"])
            }
        } catch {
            // The store is unreachable: keep the sessions rather than log everyone out.
            directory.logger.debug("session sweep skipped", metadata: ["error": "\(error)"])
        }
    }
}
