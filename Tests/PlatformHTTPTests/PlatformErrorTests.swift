import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import PlatformHTTP
import Testing

/// Every platform error is `{"error": CODE, "message": …}` with its status, however a route
/// lets it out.
@Suite struct PlatformErrorTests {
    @Test func aThrownErrorIsRenderedWithItsStatusCodeAndHeaders() async throws {
        let router = Router()
        router.get("/conflict") { _, _ -> Response in
            throw PlatformError(.conflict, "the session is not running")
        }
        router.get("/challenge") { _, _ -> Response in
            throw PlatformError(.unauthorized, "a bearer token is required", headers: [.wwwAuthenticate: "Bearer"])
        }
        try await Application(router: router).test(.router) { client in
            let conflict = try await client.execute(uri: "/conflict", method: .get)
            #expect(conflict.status == .conflict)
            #expect(conflict.headers[.contentType] == "application/json")
            let body = String(decoding: conflict.body.readableBytesView, as: UTF8.self)
            #expect(body == #"{"error":"Conflict","message":"the session is not running"}"#)
            let challenge = try await client.execute(uri: "/challenge", method: .get)
            #expect(challenge.status == .unauthorized && challenge.headers[.wwwAuthenticate] == "Bearer")
            #expect(TestPlatform.error(challenge)?.code == "Unauthorized")
        }
    }

    /// Each code keeps the status it had before the platform had one error type.
    @Test func everyKindHasItsStatus() {
        let expected: [PlatformError.Kind: (Int, String)] = [
            .badRequest: (400, "BadRequest"), .unauthorized: (401, "Unauthorized"), .forbidden: (403, "Forbidden"),
            .notFound: (404, "NotFound"), .conflict: (409, "Conflict"), .tooLarge: (413, "RequestEntityTooLarge"),
            .unsupportedMediaType: (415, "UnsupportedMediaType"), .unavailable: (503, "ServiceUnavailable"),
            .failed: (500, "InternalError"),
        ]
        #expect(expected.count == PlatformError.Kind.allCases.count)
        for (kind, (status, code)) in expected {
            let error = PlatformError(kind, "m")
            #expect(error.status.code == status && error.kind.rawValue == code, "\(kind)")
            #expect(error.body == ["error": .string(code), "message": "m"])
        }
    }
}
