import Foundation
import Logging

/// Keeps every VDC's namespace, quota and network policy as its `VDC` object says: a
/// level-triggered pass over all VDCs every `interval`, so a namespace, quota or policy
/// deleted or edited by hand comes back (and a VDC made with kubectl gets its namespace).
struct VDCReconciler: Sendable {
    let directory: KubeTenantDirectory
    var interval: Duration = .seconds(5)

    func run() async throws {
        while true {
            if directory.isReady { await pass() }
            try await Task.sleep(for: interval)
        }
    }

    /// One pass; failures are logged and retried at the next.
    func pass() async {
        do {
            for organization in try await directory.organizations() {
                for vdc in try await directory.vdcs(of: organization) {
                    do {
                        try await directory.ensureNamespaceObjects(of: vdc, in: organization)
                    } catch {
                        directory.logger.warning(
                            "cannot reconcile a VDC's namespace", metadata: ["vdc": "\(vdc.name)", "error": "\(error)"])
                    }
                }
            }
        } catch {
            directory.logger.debug("VDC reconcile pass skipped", metadata: ["error": "\(error)"])
        }
    }
}
