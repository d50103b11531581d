import Foundation

/// The JSON text frames beside a terminal's bytes (binary frames), on the web console's
/// terminal socket and, as Virtyard's extension, on the embedded API's VM console socket:
///
/// - client → server: `{"resize":[columns,rows]}` when the terminal's box changes;
/// - server → browser: `{"closed":"why"}` just before the server closes the socket on
///   purpose (the session ended, another window took the terminal), so the page says why and
///   does not reconnect.
public enum TerminalControlMessage: Equatable, Sendable {
    case resize(TerminalSize)
    case closed(String)

    /// Longest control message read; anything longer is not one.
    public static let maximumLength = 1024

    /// The control message in a text frame, or nil when the text is not one (it is then
    /// typed into the terminal as it is).
    public static func parse(_ text: String) -> TerminalControlMessage? {
        guard text.utf8.count <= maximumLength, text.hasPrefix("{"),
            let message = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8))
        else { return nil }
        if let resize = message.resize, message.closed == nil {
            guard resize.count == 2, TerminalSize.columnRange.contains(resize[0]), TerminalSize.rowRange.contains(resize[1])
            else { return nil }
            return .resize(TerminalSize(columns: resize[0], rows: resize[1]))
        }
        if let closed = message.closed, message.resize == nil { return .closed(closed) }
        return nil
    }

    /// The two messages; JSONDecoder refuses `80.5`, `"80"` and `true` as sizes.
    private struct Wire: Decodable {
        let resize: [Int]?
        let closed: String?
    }

    /// The message as its text frame: `{"resize":[columns,rows]}` or `{"closed":"…"}`.
    public var text: String {
        switch self {
        case .resize(let size):
            return "{\"resize\":[\(size.columns),\(size.rows)]}"
        case .closed(let reason):
            let data = (try? JSONSerialization.data(withJSONObject: ["closed": reason])) ?? Data("{\"closed\":\"\"}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}
