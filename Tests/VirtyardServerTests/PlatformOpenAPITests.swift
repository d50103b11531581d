import Foundation
import KubeModel
import Testing

@testable import VirtyardServer

/// The platform's OpenAPI document ships in the bundle and names the routes the 405s come from.
@Suite struct PlatformOpenAPITests {
    @Test func theBundledDocumentIsOpenAPI3WithEveryLabRoute() throws {
        let openAPI = try PlatformOpenAPI.bundled()
        let document = try JSONValue(parsing: openAPI.document)
        #expect(document["openapi"]?.stringValue?.hasPrefix("3.") == true)
        let paths = try #require(document["paths"]?.objectValue)
        for path in [
            "/api/v1/sessions", "/api/v1/sessions/{id}", "/api/v1/sessions/{id}/extend", "/api/v1/pool",
            "/api/v1/admin/bootstrap-pool", "/refresh", "/api/v1/capacity/feedback", "/openapi.json",
        ] {
            #expect(paths[path] != nil, "\(path) is not documented")
        }
        #expect(document[path: ["components", "securitySchemes", "bearerAuth", "scheme"]] == "bearer")
    }

    @Test func methodsAreFoundByPathTemplate() throws {
        let openAPI = try PlatformOpenAPI.bundled()
        #expect(openAPI.methods(forPath: "/api/v1/sessions/session-1") == ["GET", "DELETE"])
        #expect(openAPI.methods(forPath: "/api/v1/sessions") == ["GET", "POST"])
        #expect(openAPI.methods(forPath: "/api/v1/sessions/s/tasks/t1/validate") == ["POST"])
        #expect(openAPI.methods(forPath: "/api/v1/nothing").isEmpty)
        #expect(openAPI.methods(forPath: "/").isEmpty)
    }
}
