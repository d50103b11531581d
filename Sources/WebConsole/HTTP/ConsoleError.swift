import Capacity
import HTTPTypes
import Hummingbird
import PlatformHTTP
import Provisioning
import Tenancy

/// A console answer other than the page asked for: shown to the person as an HTML page (or,
/// for htmx requests, as a message in the page's alert area), never as JSON. Outside the
/// page router (the terminal's WebSocket upgrade) it answers as plain text.
public struct ConsoleError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Words for a person: what happened and what to do.
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: .init(string: message + "\n")))
    }

    /// Any error a page handler threw, as the console shows it: a platform service's own
    /// status and message when it has one (a lab API error, a provisioning 409), a 500
    /// without internals otherwise.
    static func from(_ error: any Error) -> ConsoleError {
        if let error = error as? ConsoleError { return error }
        if let error = error as? any ServiceFailure {
            return ConsoleError(error.status, error.message)
        }
        return ConsoleError(.internalServerError, "Something went wrong on the server; the log says what.")
    }
}

/// A platform service's refusal: a status and a message written for a person, kept apart
/// from the service's own error code so that the console never has to parse a description.
protocol ServiceFailure: Error {
    var status: HTTPResponse.Status { get }
    var message: String { get }
}

extension PlatformError: ServiceFailure {}
extension CapacityError: ServiceFailure {}
extension VCDError: ServiceFailure {}
extension ProvisioningConsoleError: ServiceFailure {}
