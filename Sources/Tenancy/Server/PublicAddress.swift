import Synchronization

/// The URL clients reach this API at (`https://127.0.0.1:8443`), known once the listener has
/// bound its port. Every `href` is built from it, so every `href` is absolute.
public final class PublicAddress: Sendable {
    private let value: Mutex<String>

    public init(_ url: String = "") {
        value = Mutex(url)
    }

    public var url: String { value.withLock { $0 } }

    func set(_ url: String) { value.withLock { $0 = url } }

    /// `url` + `path` (which starts with `/`).
    public func href(_ path: String) -> String { url + path }
}
