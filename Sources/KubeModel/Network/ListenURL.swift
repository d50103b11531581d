/// The URL a client uses to reach a listener bound to `host:port`: shared by every server
/// Virtyard runs (the embedded API, the platform address, the Cloud Director API), so that
/// each prints and writes to `endpoints.json` the same kind of address.
public enum ListenURL {
    /// Hosts that mean "every interface". A client cannot connect to them, so the URL names
    /// loopback instead.
    public static let wildcardHosts: Set<String> = ["0.0.0.0", "::", ""]

    /// True for a host that binds every interface (``wildcardHosts``).
    public static func isWildcard(_ host: String) -> Bool {
        wildcardHosts.contains(host)
    }

    /// `scheme://host:port`: a wildcard host is reached on `127.0.0.1`, an IPv6 address is
    /// written in brackets (`https://[::1]:8443`).
    public static func url(scheme: String, host: String, port: Int) -> String {
        "\(scheme)://\(authorityHost(host)):\(port)"
    }

    /// The host as it appears in a URL's authority.
    public static func authorityHost(_ host: String) -> String {
        if isWildcard(host) { return "127.0.0.1" }
        if host.contains(":") && !host.hasPrefix("[") { return "[\(host)]" }
        return host
    }
}
