import Testing
@testable import PlatformHTTP

struct PlatformHTTPPlaceholderTests {
    @Test func moduleLinks() { #expect(String(describing: PlatformHTTP.self) == "PlatformHTTP") }
}
