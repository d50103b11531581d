import Hummingbird

/// `GET /api/versions`: no authentication, the versions clients negotiate from.
struct VersionRoutes: Sendable {
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/versions") { _, _ in
            XMLResponse.make(APIVersions.document(base: address.url), mediaType: MediaType.versions, version: nil)
        }
    }
}
