import KubeModel

/// `host:port`, `:port` (loopback) or `[::1]:port`; port 0 picks a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// The URL clients use for this host once `port` is bound (a wildcard host — `0.0.0.0`,
    /// `::` or empty — is reached on loopback): ``ListenURL``, shared with the Tenancy module.
    public static func url(scheme: String, host: String, port: Int) -> String {
        ListenURL.url(scheme: scheme, host: host, port: port)
    }
}
