import Hummingbird
import Logging

/// The Cloud Director API's routes behind their middleware, ready for an ``Application``
/// (``TenancyServer``) or a test client.
public enum VCDRouter {
    /// `queries`: the `/api/query` types of other parts of the module (vApps, catalogs …),
    /// answered next to the tenancy's own (``TenancyQueries``). `vdcEntities`: the vApps a
    /// VDC lists under `ResourceEntities` in `GET /api/vdc/{id}`.
    public static func make(
        directory: any TenantDirectory, sessions: SessionStore, address: PublicAddress, logger: Logger,
        queries: [any RecordQuery] = [], vdcEntities: @escaping VDCEntities = { _ in [] },
        vApps: (any VAppBackend)? = nil
    ) -> Router<VCDRequestContext> {
        // Catalogs, vApps and tasks live where the directory keeps tenants (or in `vApps`, for tests).
        let vAppAccess = (vApps ?? directory as? any VAppBackend).map { backend in
            VAppAccess(store: VAppStore(directory: directory, backend: backend, logger: logger))
        }
        let router = Router(context: VCDRequestContext.self)
        router.add(middleware: VCDErrorMiddleware(logger: logger))
        router.add(middleware: VCDSessionMiddleware(sessions: sessions, directory: directory))
        VersionRoutes(address: address).register(on: router)
        SessionRoutes(directory: directory, sessions: sessions, address: address, logger: logger).register(on: router)
        OrgRoutes(directory: directory, address: address).register(on: router)
        CloudAPIRoutes(directory: directory).register(on: router)
        let admin = AdminRoutes(directory: directory, sessions: sessions, address: address)
        admin.register(on: router)
        CloudAPIAdminRoutes(directory: directory, admin: admin).register(on: router)
        VDCRoutes(directory: directory, address: address, entities: vAppAccess?.vdcEntities(address: address) ?? vdcEntities)
            .register(on: router)
        if let vAppAccess { VAppAccess.registerRoutes(vAppAccess, on: router, address: address) }
        let vAppQueries = vAppAccess.map { VAppQueries.all(access: $0, address: address) } ?? []
        QueryRoutes(queries: TenancyQueries.all(directory: directory, address: address) + queries + vAppQueries, address: address)
            .register(on: router)
        return router
    }
}
