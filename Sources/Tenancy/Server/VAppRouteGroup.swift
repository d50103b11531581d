import Hummingbird

/// The route groups of catalogs and vApps (legacy XML and cloudapi JSON): each reads through
/// the same ``VAppAccess`` (permission checks) and writes hrefs with the same address.
protocol VAppRouteGroup: Sendable {
    var access: VAppAccess { get }
    var address: PublicAddress { get }

    func register(on router: Router<VCDRequestContext>)
}

extension VAppRouteGroup {
    var store: VAppStore { access.store }

    /// The `ControlAccessParams` document of a catalog or vApp (`path`: its href's path).
    func accessDocument(sharedToEveryone: Bool, level: String, of path: String, _ context: VCDRequestContext) -> Response {
        XMLResponse.make(
            VAppDocuments.controlAccess(sharedToEveryone: sharedToEveryone, level: level, href: address.href(path + "/controlAccess/")),
            mediaType: MediaType.controlAccess, version: context.apiVersion)
    }
}
