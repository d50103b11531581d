import Capacity
import ControllerKit
import Foundation
import Hummingbird
import ImageSync
import KubeClient
import LabPool
import Logging
import PlatformHTTP
import Provisioning
import Synchronization

/// What the console's pages read and act through: the platform's own services (so the
/// console and the API share one set of rules) and, on the leader, the cluster's API and
/// shared informers.
public struct ConsoleServices: Sendable {
    public var lab: LabService?
    public var capacity: CapacityService?
    public var provisioning: ProvisioningService?
    /// Browser terminals for lab sessions; nil when `serve` runs without them.
    public var terminals: (any ConsoleTerminals)?
    /// Where the image-sync controller reads its policy ConfigMap (the images page edits it).
    public var imagePolicyNamespace: String
    /// The cluster, once the controller runtime has attached the console (the leader).
    public let connection: LeaderAttachment<ConsoleConnection>

    public init(
        lab: LabService? = nil, capacity: CapacityService? = nil, provisioning: ProvisioningService? = nil,
        terminals: (any ConsoleTerminals)? = nil, imagePolicyNamespace: String = ImageSyncControllers.Configuration().namespace
    ) {
        self.lab = lab
        self.capacity = capacity
        self.provisioning = provisioning
        self.terminals = terminals
        self.imagePolicyNamespace = imagePolicyNamespace
        connection = LeaderAttachment(
            unavailable: "The console is not connected to the cluster yet, or this replica is on standby; try the leader.")
    }
}

/// The cluster as the console reads it.
public struct ConsoleConnection: Sendable {
    public let api: any KubernetesAPI
    public let informers: SharedInformerFactory
}

/// The web console on the platform address, under `/ui/`: server-rendered pages, enhanced
/// with htmx, kept live over Server-Sent Events. See `docs/console.md`.
public final class WebConsole: Sendable {
    public let services: ConsoleServices
    public let sessions: ConsoleSessionStore
    let logger: Logger
    /// Set `Secure` on the cookie (the platform address serves TLS).
    let secureCookies: Bool
    /// The live hub once the routes exist, and the informers once attached: whichever comes
    /// second connects the two.
    /// Every section's pages, in navigation order. Each lives in `Pages/<Section>/`.
    let pageModules: [any ConsolePageModule]
    private let wiring = Mutex<(hub: ConsoleLiveHub?, informers: SharedInformerFactory?)>((nil, nil))

    public init(
        services: ConsoleServices, adminToken: String?, secureCookies: Bool = false,
        sessionLimits: ConsoleSessionLimits = ConsoleSessionLimits(), logger: Logger = Logger(label: "virtyard.console")
    ) {
        self.services = services
        self.sessions = ConsoleSessionStore(adminToken: adminToken, lookup: services.lab, limits: sessionLimits)
        self.secureCookies = secureCookies
        self.logger = logger
        pageModules = [OverviewPages(), LabPages(), ImagePages(), CapacityPages(), TenancyPages(), ClusterPages()]
    }

    /// Connects the console to the cluster (on the leader, once per term).
    public func attach(api: any KubernetesAPI, informers: SharedInformerFactory) {
        services.connection.attach(ConsoleConnection(api: api, informers: informers))
        let hub = wiring.withLock { wiring in
            wiring.informers = informers
            return wiring.hub
        }
        hub?.attach(informers: informers)
        for module in pageModules { module.attach(ConsoleConnection(api: api, informers: informers)) }
    }

    /// Adds the console's routes to the platform router: `/` redirects to `/ui/`.
    public func register(on router: Router<PlatformRequestContext>) async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let live = ConsoleLiveHub(renderer: renderer, logger: logger)
        router.get("/") { _, _ in Response(status: .found, headers: [.location: "/ui/"]) }
        router.get("/favicon.ico") { _, _ in renderer.assets.favicon() }
        let group = router.group("/ui", context: ConsoleRequestContext.self)
            .add(middleware: ConsoleHeadersMiddleware<ConsoleRequestContext>())
            .add(middleware: ConsoleFailureMiddleware(renderer: renderer, logger: logger))
            .add(middleware: ConsoleSessionMiddleware(sessions: sessions))
        group.get("/assets/:hash/**") { request, context in
            let hash = context.parameters.get("hash") ?? ""
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return renderer.assets.response(hash: hash, path: path, ifNoneMatch: request.headers[.ifNoneMatch])
        }
        let pages = ConsolePageRouter(
            group: group, renderer: renderer, services: services, live: live, sessions: sessions, logger: logger)
        SignInPages(sessions: sessions, secureCookies: secureCookies).register(on: pages)
        LiveEventsRoute(hub: live, sessions: sessions).register(on: group)
        for module in pageModules { module.register(on: pages) }
        let informers = wiring.withLock { wiring in
            wiring.hub = live
            return wiring.informers
        }
        if let informers { live.attach(informers: informers) }
    }

}

/// A console section's pages, fragments, actions and live topics.
public protocol ConsolePageModule: Sendable {
    func register(on router: ConsolePageRouter)
    /// Called on the leader once per term, after the console is connected (a module that
    /// keeps history, such as the capacity charts, starts sampling here).
    func attach(_ connection: ConsoleConnection)
}

extension ConsolePageModule {
    public func attach(_ connection: ConsoleConnection) {}
}
