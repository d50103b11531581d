import KubeModel
import Testing

@testable import KubeClient

/// Newline-delimited watch events, however the network cuts them.
struct WatchEventDecoderTests {
    static func line(_ type: String, _ name: String, version: Int) -> String {
        "{\"type\":\"\(type)\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"\(name)\",\"resourceVersion\":\"\(version)\"}}}\n"
    }

    static let stream = line("ADDED", "a", version: 1) + line("MODIFIED", "a", version: 2) + line("DELETED", "a", version: 3)

    @Test func eventsSplitAcrossChunks() throws {
        var decoder = WatchEventDecoder(request: "GET /w")
        var events: [WatchEventObject] = []
        for byte in Array(Self.stream.utf8) { events += try decoder.events([byte]) }
        events += try decoder.remaining()
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.map { $0.object.resourceVersion } == ["1", "2", "3"])
    }

    @Test func severalEventsInOneChunkAndARemainder() throws {
        var decoder = WatchEventDecoder(request: "GET /w")
        let bytes = Array(Self.stream.utf8)
        let cut = bytes.count - 20
        let first = try decoder.events(bytes[..<cut])
        #expect(first.map(\.type) == [.added, .modified])
        let rest = try decoder.events(bytes[cut...])
        #expect(rest.map(\.type) == [.deleted])
        #expect(try decoder.remaining().isEmpty)
    }

    @Test func lastEventWithoutNewlineAndBlankLines() throws {
        var decoder = WatchEventDecoder(request: "GET /w")
        let text = "\r\n\n" + Self.line("ADDED", "b", version: 4).replacingOccurrences(of: "\n", with: "")
        #expect(try decoder.events(Array(text.utf8)).isEmpty)
        let last = try decoder.remaining()
        #expect(last.count == 1 && last.first?.object.name == "b")
    }

    @Test func errorEventWith410IsGoneAfterTheEventsBeforeIt() {
        var decoder = WatchEventDecoder(request: "GET /api/v1/pods?watch=true")
        let text =
            Self.line("ADDED", "a", version: 1)
            + "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
            + "\"message\":\"too old resource version: 1 (5)\",\"reason\":\"Expired\",\"code\":410}}\n"
        var emitted: [WatchEventObject] = []
        let error = #expect(throws: KubeClientError.self) {
            try decoder.feed(Array(text.utf8)) { emitted.append($0) }
        }
        #expect(emitted.map { $0.object.name } == ["a"], "the event before the error is not lost")
        #expect(error?.isGone == true && error?.reason == "Expired")
        #expect(error?.message.contains("too old") == true)
        #expect(error?.request == "GET /api/v1/pods?watch=true")
    }

    @Test func garbageIsAnInvalidResponse() {
        var decoder = WatchEventDecoder(request: "GET /w")
        let notJSON = #expect(throws: KubeClientError.self) { _ = try decoder.events(Array("not json\n".utf8)) }
        #expect(notJSON?.reason == "InvalidResponse" && notJSON?.code == 0)
        var unknownType = WatchEventDecoder(request: "GET /w")
        let renamed = #expect(throws: KubeClientError.self) {
            _ = try unknownType.events(Array("{\"type\":\"RENAMED\",\"object\":{}}\n".utf8))
        }
        #expect(renamed?.reason == "InvalidResponse")
    }
}

extension WatchEventDecoder {
    /// Feeds bytes and returns the events they complete.
    mutating func events(_ bytes: some Sequence<UInt8>) throws(KubeClientError) -> [WatchEventObject] {
        var events: [WatchEventObject] = []
        try feed(bytes) { events.append($0) }
        return events
    }

    /// The events left at the end of the stream.
    mutating func remaining() throws(KubeClientError) -> [WatchEventObject] {
        var events: [WatchEventObject] = []
        try finish { events.append($0) }
        return events
    }
}
