import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import PlatformHTTP
import Testing

/// Request bodies, read by one reader: bounded, JSON only, an object, strictly decoded.
@Suite struct JSONBodyTests {
    typealias T = TestPlatform

    private func post(
        _ body: String?, uri: String = "/greeting", contentType: String? = "application/json",
        _ check: @escaping @Sendable (TestResponse) throws -> Void
    ) async throws {
        try await T.application().test(.router) { client in
            var headers: HTTPFields = [:]
            if let contentType { headers[.contentType] = contentType }
            let response = try await client.execute(
                uri: uri, method: .post, headers: headers,
                body: body.map { ByteBuffer(string: $0) })
            try check(response)
        }
    }

    @Test func aWellFormedBodyIsDecoded() async throws {
        try await post(#"{"name": "alice"}"#) { response in
            #expect(response.status == .created && T.json(response)?["name"] == "alice")
        }
        try await post(#"{"name": "bob"}"#, contentType: "application/merge-patch+json; charset=utf-8") { response in
            #expect(response.status == .created && T.json(response)?["name"] == "bob")
        }
    }

    @Test func anEmptyBodyIsAnEmptyObject() async throws {
        try await post(nil, contentType: nil) { response in
            #expect(response.status == .created && T.json(response)?["name"] == .null)
        }
        try await post(nil, uri: "/document", contentType: "text/plain") { response in
            #expect(response.status == .ok && T.json(response) == [:])
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        let big = "{\"name\": \"" + String(repeating: "a", count: JSONBody.maximumSize) + "\"}"
        try await post(big) { response in
            #expect(response.status == .contentTooLarge)
            #expect(T.error(response)?.code == "RequestEntityTooLarge")
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"])
    func anotherMediaTypeIs415(contentType: String) async throws {
        try await post(#"{"name": "alice"}"#, contentType: contentType) { response in
            #expect(response.status == .unsupportedMediaType)
            let error = try #require(T.error(response))
            #expect(error.code == "UnsupportedMediaType" && error.message.contains(contentType))
        }
    }

    @Test func anUnknownFieldIs400NamingIt() async throws {
        try await post(#"{"name": "alice", "age": 3}"#) { response in
            #expect(response.status == .badRequest)
            let error = try #require(T.error(response))
            #expect(error.code == "BadRequest" && error.message.contains(#"field "age" is not known here"#), "\(error.message)")
        }
        #expect(throws: PlatformError.self) {
            try JSONBody.decode(NoFieldsRequest.self, from: Array(#"{"force": true}"#.utf8), contentType: nil)
        }
    }

    @Test(arguments: [#"{"name": "#, "[1, 2]", "null", #"{"name": 5}"#, #"{"name": null}"#, "{\"name\": \"\"}"])
    func aMalformedBodyIs400(body: String) async throws {
        try await post(body) { response in
            #expect(response.status == .badRequest, "\(body)")
            #expect(T.error(response)?.code == "BadRequest", "\(body)")
        }
    }

    @Test func nestingBeyondTheParsersBoundIs400() async throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try await post("{\"a\": \(deep)}", uri: "/document") { response in
            #expect(response.status == .badRequest)
        }
    }

    @Test func aFreeFormDocumentIsTheParsedObject() throws {
        let document = try JSONBody.decode(JSONValue.self, from: Array(#"{"n": 1, "x": [true]}"#.utf8), contentType: nil)
        #expect(document == ["n": 1, "x": [true]])
    }
}
