import KubeModel
import Testing

@Suite struct ListenURLTests {
    @Test(arguments: ["0.0.0.0", "::", ""])
    func wildcardHostsAreReachedOnLoopback(_ host: String) {
        #expect(ListenURL.isWildcard(host))
        #expect(ListenURL.url(scheme: "https", host: host, port: 8443) == "https://127.0.0.1:8443")
    }

    @Test func namedHostsAndIPv4AddressesAreKept() {
        #expect(ListenURL.url(scheme: "http", host: "localhost", port: 8080) == "http://localhost:8080")
        #expect(ListenURL.url(scheme: "http", host: "10.0.0.7", port: 80) == "http://10.0.0.7:80")
        #expect(!ListenURL.isWildcard("127.0.0.1"))
    }

    @Test func ipv6AddressesAreBracketedOnce() {
        #expect(ListenURL.url(scheme: "https", host: "::1", port: 6443) == "https://[::1]:6443")
        #expect(ListenURL.url(scheme: "https", host: "[fe80::1]", port: 6443) == "https://[fe80::1]:6443")
    }
}
