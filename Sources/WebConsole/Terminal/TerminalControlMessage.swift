import Foundation

/// The JSON text frames between terminal.js and the server, beside the terminal's bytes
/// (binary frames):
///
/// - browser → server: `{"resize":[columns,rows]}` when the terminal's box changes;
/// - server → browser: `{"closed":"why"}` just before the server closes the socket on
///   purpose (the session ended, another window took the terminal), so the page says why and
///   does not reconnect.
enum TerminalControlMessage: Equatable {
    case resize(TerminalSize)

    /// Longest control message read; anything longer is not one.
    static let maximumLength = 256

    /// The control message in a text frame, or nil when the text is not one (it is then
    /// typed into the terminal as it is).
    static func parse(_ text: String) -> TerminalControlMessage? {
        guard text.utf8.count <= maximumLength, text.hasPrefix("{"),
            let message = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)),
            message.resize.count == 2,
            TerminalSize.columnRange.contains(message.resize[0]), TerminalSize.rowRange.contains(message.resize[1])
        else { return nil }
        return .resize(TerminalSize(columns: message.resize[0], rows: message.resize[1]))
    }

    /// The one message a browser sends; JSONDecoder refuses `80.5`, `"80"` and `true` as sizes.
    private struct Wire: Decodable {
        let resize: [Int]
    }

    /// `{"closed":"…"}`, the server's last word on a socket it closes.
    static func closed(_ reason: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["closed": reason])) ?? Data("{\"closed\":\"\"}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
