import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import PlatformHTTP

/// A router with the platform's pieces and one route per kind of access, served in-process.
enum TestPlatform {
    static let adminToken = "admin-0123456789"
    /// Session tokens of two live sessions.
    static let sessions = ["token-alice": "session-alice", "token-bob": "session-bob"]

    struct Sessions: SessionTokenLookup {
        func session(forToken token: String) -> String? { TestPlatform.sessions[token] }
    }

    /// A strict body with one optional field.
    struct Greeting: Decodable {
        var name: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
        }

        init(from decoder: any Decoder) throws {
            name = try StrictFields<CodingKeys>(decoder).string(.name, length: 1...20)
        }
    }

    static func application(
        adminToken: String? = Self.adminToken,
        attachment: LeaderAttachment<String> = LeaderAttachment(unavailable: "not attached yet")
    )
        -> some ApplicationProtocol
    {
        let router = Router(context: PlatformRequestContext.self)
        router.add(middleware: AuthenticationMiddleware(adminToken: adminToken, sessions: Sessions()))
        router.get("/open") { _, context in
            try context.require(.anonymous)
            return JSONResponse(["caller": .string(describe(context.caller))])
        }
        router.post("/admin") { _, context in
            JSONResponse(["caller": .string(describe(try context.require(.admin)))])
        }
        router.get("/sessions") { _, context in
            JSONResponse(["caller": .string(describe(try context.require(.adminOrAnySession)))])
        }
        router.get("/sessions/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return JSONResponse(["caller": .string(describe(try context.require(.adminOrSession(id))))])
        }
        router.post("/greeting") { request, _ in
            let body = try await JSONBody.decode(Greeting.self, from: request)
            return JSONResponse(["name": body.name.map(JSONValue.string) ?? .null], status: .created)
        }
        router.post("/document") { request, _ in
            JSONResponse(try await JSONBody.decode(JSONValue.self, from: request))
        }
        router.get("/attached") { _, _ in
            JSONResponse(["connection": .string(try attachment.connected())])
        }
        return Application(router: router)
    }

    static func describe(_ caller: Caller) -> String {
        switch caller {
        case .admin: "admin"
        case .session(let id): "session \(id)"
        case .anonymous(.noToken): "anonymous"
        case .anonymous(.unknownToken): "unknown token"
        case .anonymous(.unverifiable): "unverifiable token"
        }
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }

    /// The response's body as JSON (nil when it is not).
    static func json(_ response: TestResponse) -> JSONValue? {
        try? JSONValue(parsing: Array(response.body.readableBytesView))
    }

    /// The `{"error", "message"}` of an error response, when that is exactly its body.
    static func error(_ response: TestResponse) -> (code: String, message: String)? {
        guard let object = json(response)?.objectValue, Set(object.keys) == ["error", "message"],
            let code = object["error"]?.stringValue, let message = object["message"]?.stringValue
        else { return nil }
        return (code, message)
    }
}
