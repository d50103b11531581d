import Hummingbird

/// The `ControlAccessParams` body of `…/action/controlAccess` (pyvcloud's `share_with_org_members`
/// and `unshare_from_org_members`, for catalogs and vApps alike): shared with everyone, at
/// which level. Per-user access entries are not kept.
struct ControlAccessParams {
    static let levels = ["ReadOnly", "Change", "FullControl"]

    var sharedToEveryone: Bool
    var everyoneAccessLevel: String

    /// Reads the request's body; 400 without `<IsSharedToEveryone>` or with an unknown level.
    static func read(_ request: Request, context: VCDRequestContext) async throws -> ControlAccessParams {
        let body = try await XMLBody.read(request, context: context, expecting: "ControlAccessParams")
        guard let shared = try body.bool(of: "IsSharedToEveryone") else {
            throw VCDError.badRequest("<ControlAccessParams> needs <IsSharedToEveryone>.")
        }
        let level = body.text(of: "EveryoneAccessLevel") ?? "ReadOnly"
        guard levels.contains(level) else {
            throw VCDError.badRequest("<EveryoneAccessLevel> must be ReadOnly, Change or FullControl.")
        }
        return ControlAccessParams(sharedToEveryone: shared, everyoneAccessLevel: level)
    }
}
