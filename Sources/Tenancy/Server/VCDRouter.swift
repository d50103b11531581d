import Hummingbird
import Logging

/// The Cloud Director API's routes behind their middleware, ready for an ``Application``
/// (``TenancyServer``) or a test client.
public enum VCDRouter {
    public static func make(
        directory: any TenantDirectory, sessions: SessionStore, address: PublicAddress, logger: Logger
    ) -> Router<VCDRequestContext> {
        let router = Router(context: VCDRequestContext.self)
        router.add(middleware: VCDErrorMiddleware(logger: logger))
        router.add(middleware: VCDSessionMiddleware(sessions: sessions, directory: directory))
        VersionRoutes(address: address).register(on: router)
        SessionRoutes(directory: directory, sessions: sessions, address: address, logger: logger).register(on: router)
        OrgRoutes(directory: directory, address: address).register(on: router)
        CloudAPIRoutes(directory: directory).register(on: router)
        return router
    }
}
