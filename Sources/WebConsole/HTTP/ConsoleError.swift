import HTTPTypes
import Hummingbird

/// A console answer other than the page asked for: shown to the person as an HTML page (or,
/// for htmx requests, as a message in the page's alert area), never as JSON.
public struct ConsoleError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Words for a person: what happened and what to do.
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code): \(message)" }

    /// Any error a page handler threw, as the console shows it: a platform service's own
    /// status and message when it has one (a lab API error, a provisioning 409), a 500
    /// without internals otherwise.
    static func from(_ error: any Error) -> ConsoleError {
        if let error = error as? ConsoleError { return error }
        if let error = error as? any HTTPResponseError {
            return ConsoleError(error.status, Self.message(of: error))
        }
        return ConsoleError(.internalServerError, "Something went wrong on the server; the log says what.")
    }

    private static func message(of error: any Error) -> String {
        if let error = error as? any CustomStringConvertible {
            let text = error.description
            // Service errors print "<code>: <message>"; a person needs the message.
            if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy({ $0.isNumber || $0.isLetter || $0 == " " }),
                text.distance(from: text.startIndex, to: colon) < 32
            {
                return String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            return text
        }
        return "The request failed."
    }
}
