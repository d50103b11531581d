import Foundation
import KubeModel
import PlatformHTTP
import Testing

@testable import LabPool

/// The lab API's bodies are decoded strictly (by the platform's `JSONBody`): the wrong field
/// is named, nothing defaults silently, and a body that is not JSON is refused before any
/// field is read.
@Suite struct LabRequestTests {
    private func decode<Body: Decodable>(
        _ type: Body.Type, _ text: String,
        contentType: String? = "application/json"
    ) throws(LabAPIError) -> Body {
        try JSONBody.decode(type, from: Array(text.utf8), contentType: contentType)
    }

    /// The refusal of a body: its kind and message.
    private func refusal<Body: Decodable>(
        _ type: Body.Type, _ text: String,
        contentType: String? = "application/json"
    ) -> (LabAPIError.Kind, String)? {
        do {
            _ = try decode(type, text, contentType: contentType)
            return nil
        } catch {
            return (error.kind, error.message)
        }
    }

    @Test func wellFormedBodiesDecode() throws {
        #expect(
            try decode(StartSessionRequest.self, #"{"userId": "alice", "pool": "p", "scenarioId": "s"}"#)
                == StartSessionRequest(pool: "p", scenarioId: "s", userId: "alice"))
        #expect(try decode(ExtendRequest.self, #"{"minutes": 15}"#).minutes == 15)
        #expect(try decode(BootstrapRequest.self, #"{"size": 0}"#).size == 0)
    }

    @Test func anEmptyBodyIsAnEmptyObject() throws {
        #expect(try decode(StartSessionRequest.self, "", contentType: nil) == StartSessionRequest())
        // The documented default, not a silent one: the field was left out.
        #expect(try decode(ExtendRequest.self, "").minutes == ExtendRequest.defaultMinutes)
        #expect(try decode(ExtendRequest.self, "{}").minutes == 30)
        #expect(try decode(BootstrapRequest.self, "{}").size == nil)
        _ = try decode(NoFieldsRequest.self, "{}")
    }

    @Test(arguments: [
        (#"{"minutes": "5"}"#, "minutes", "must be an integer"),
        (#"{"minutes": null}"#, "minutes", "must not be null"),
        (#"{"minutes": 5.9}"#, "minutes", "must be an integer"),
        (#"{"minutes": true}"#, "minutes", "must be an integer"),
        (#"{"minutes": 1e30}"#, "minutes", "must be an integer"),
        (#"{"minutes": 0}"#, "minutes", "must be from 1 to 1440"),
        (#"{"minutes": 1441}"#, "minutes", "must be from 1 to 1440"),
        (#"{"minutes": 5, "hours": 1}"#, "hours", "is not known here"),
    ])
    func extendRefusesWhatIsNotAWholeNumberOfMinutes(body: String, field: String, problem: String) throws {
        let (kind, message) = try #require(refusal(ExtendRequest.self, body))
        #expect(kind == .badRequest)
        #expect(message.contains("field \"\(field)\""), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test(arguments: [
        (#"{"userId": 5}"#, "userId", "must be a string"),
        (#"{"userId": ""}"#, "userId", "characters long"),
        (#"{"pool": null}"#, "pool", "must not be null"),
        (#"{"scenarioId": ["a"]}"#, "scenarioId", "must be a string"),
        (#"{"user": "alice"}"#, "user", "is not known here"),
    ])
    func startSessionNamesTheWrongField(body: String, field: String, problem: String) throws {
        let (kind, message) = try #require(refusal(StartSessionRequest.self, body))
        #expect(kind == .badRequest)
        #expect(message.contains("field \"\(field)\"") && message.contains(problem), "\(message)")
    }

    @Test func bootstrapSizeIsAnIntegerInRange() throws {
        #expect(try #require(refusal(BootstrapRequest.self, #"{"size": "3"}"#)).1.contains("field \"size\" must be an integer"))
        #expect(try #require(refusal(BootstrapRequest.self, #"{"size": 5000}"#)).1.contains("must be from 0 to 1000"))
        #expect(try #require(refusal(NoFieldsRequest.self, #"{"force": true}"#)).1.contains("field \"force\" is not known"))
    }

    @Test func notAJSONObjectIsRefusedBeforeAnyField() throws {
        #expect(try #require(refusal(StartSessionRequest.self, "[1, 2]")).0 == .badRequest)
        #expect(try #require(refusal(StartSessionRequest.self, "null")).0 == .badRequest)
        #expect(try #require(refusal(StartSessionRequest.self, "{\"userId\": ")).0 == .badRequest)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try #require(refusal(StartSessionRequest.self, "{\"userId\": \(deep)}")).0 == .badRequest)
    }

    @Test func onlyJSONMediaTypesAreRead() throws {
        let (kind, message) = try #require(
            refusal(
                StartSessionRequest.self, #"{"userId": "a"}"#,
                contentType: "application/x-www-form-urlencoded"))
        #expect(kind == .unsupportedMediaType && message.contains("application/x-www-form-urlencoded"))
        #expect(try #require(refusal(StartSessionRequest.self, "a", contentType: "text/plain")).0 == .unsupportedMediaType)
        #expect(try decode(StartSessionRequest.self, #"{"userId": "a"}"#, contentType: "application/json; charset=utf-8").userId == "a")
        #expect(try decode(StartSessionRequest.self, #"{"userId": "a"}"#, contentType: "application/merge-patch+json").userId == "a")
        // No Content-Type at all: read as JSON.
        #expect(try decode(StartSessionRequest.self, #"{"userId": "a"}"#, contentType: nil).userId == "a")
    }
}
