import KubeModel

/// Turns the bytes of a watch response into events. The server writes one
/// `{"type": …, "object": …}` document per line, but the network cuts the stream wherever
/// it likes: an event may span several chunks and a chunk may hold several events, so
/// bytes are buffered until a newline completes a line.
///
/// An `ERROR` event carries a `Status`; it is thrown as a ``KubeClientError`` with that
/// status' code, so a watch whose resourceVersion fell out of the server's history ends
/// with `code == 410` whether the server said so in the HTTP status or in the stream.
struct WatchEventDecoder: Sendable {
    /// `METHOD path` of the watch, for errors.
    let request: String
    private var buffer: [UInt8] = []
    /// How far `buffer` is known to hold no newline.
    private var scanned = 0

    init(request: String) {
        self.request = request
    }

    /// Adds bytes and hands every event they complete to `emit`, in order. A line that
    /// is an `ERROR` event (or not an event) throws after the events before it were emitted.
    mutating func feed(_ bytes: some Sequence<UInt8>, emit: (WatchEventObject) -> Void) throws(KubeClientError) {
        buffer.append(contentsOf: bytes)
        var lineStart = 0
        defer {
            if lineStart > 0 { buffer.removeFirst(lineStart) }
            scanned = buffer.count
        }
        var index = scanned
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                let line = buffer[lineStart..<index]
                lineStart = index + 1
                if let event = try decode(line) { emit(event) }
            }
            index += 1
        }
    }

    /// Decodes what is left when the stream ends (a last event without its newline).
    mutating func finish(emit: (WatchEventObject) -> Void) throws(KubeClientError) {
        defer {
            buffer = []
            scanned = 0
        }
        if let event = try decode(buffer[...]) { emit(event) }
    }

    private func decode(_ line: ArraySlice<UInt8>) throws(KubeClientError) -> WatchEventObject? {
        guard line.contains(where: { !Self.isWhitespace($0) }) else { return nil }
        let document: JSONValue
        do { document = try JSONValue(parsing: line, maximumDepth: JSONValue.maximumReadDepth) } catch {
            throw KubeClientError.invalidResponse("a watch event is not JSON: \(error)", request: request)
        }
        guard let typeName = document["type"]?.stringValue, let type = WatchEventObject.EventType(rawValue: typeName) else {
            throw KubeClientError.invalidResponse(
                "a watch event has an unknown type \(document["type"].map { $0.serializedString() } ?? "(none)")",
                request: request)
        }
        let object = document["object"] ?? .null
        if type == .error {
            throw KubeClientError(status: object, fallbackCode: 500, request: request)
        }
        guard object.objectValue != nil else {
            throw KubeClientError.invalidResponse("a \(typeName) watch event carries no object", request: request)
        }
        return WatchEventObject(type: type, object: object)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}
