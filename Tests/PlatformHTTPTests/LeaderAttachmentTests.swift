import HummingbirdTesting
import KubeModel
import PlatformHTTP
import Testing

/// A service's connection to the cluster: 503 with its message until attached on the leader.
@Suite struct LeaderAttachmentTests {
    @Test func beforeAttachIs503WithTheServicesMessage() async throws {
        let attachment = LeaderAttachment<String>(unavailable: "the lab pool is not connected to the cluster yet")
        #expect(attachment.current == nil)
        #expect(throws: PlatformError(.unavailable, "the lab pool is not connected to the cluster yet")) {
            try attachment.connected()
        }
        try await TestPlatform.application(attachment: attachment).test(.router) { client in
            let before = try await client.execute(uri: "/attached", method: .get)
            #expect(before.status == .serviceUnavailable)
            #expect(TestPlatform.error(before)?.code == "ServiceUnavailable")
            #expect(TestPlatform.error(before)?.message == "the lab pool is not connected to the cluster yet")
            attachment.attach("cluster-1")
            let after = try await client.execute(uri: "/attached", method: .get)
            #expect(after.status == .ok && TestPlatform.json(after)?["connection"] == "cluster-1")
        }
    }

    @Test func aLaterAttachReplacesTheEarlierOne() throws {
        let attachment = LeaderAttachment<Int>(unavailable: "no")
        attachment.attach(1)
        attachment.attach(2)
        #expect(try attachment.connected() == 2 && attachment.current == 2)
    }
}
