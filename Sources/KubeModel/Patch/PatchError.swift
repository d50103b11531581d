import Foundation

/// Why a patch could not be applied. The server answers these with `422 Unprocessable
/// Entity` (or `400` for a malformed patch document), quoting `description`.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Where in the document it went wrong: a JSON pointer for JSON patch, a dotted field
    /// path for strategic merge patch; nil when the whole patch is at fault.
    public var path: String?

    public init(reason: String, path: String? = nil) {
        self.reason = reason
        self.path = path
    }

    public var description: String {
        guard let path else { return reason }
        return "\(reason) (at \"\(path)\")"
    }
}
