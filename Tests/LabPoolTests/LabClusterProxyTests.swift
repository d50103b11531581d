import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import LabPool

/// The lab proxy's request handling that needs no cluster: what is forwarded, what counts as a
/// cluster id, which requests stream, how large a body may be. The whole path (sessions,
/// published kubeconfigs, watches cut at a session's end) is in test_real_cluster.py.
@Suite struct LabClusterProxyTests {
    private func request(_ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: [UInt8] = [])
        -> Request
    {
        var head = HTTPRequest(method: method, scheme: "https", authority: "virtyard.example.com", path: path)
        head.headerFields = headers
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
    }

    @Test func credentialsImpersonationAndHopByHopHeadersNeverReachTheCluster() {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer session-token"
        fields[HTTPField.Name("X-API-Key")!] = "session-token"
        fields[.cookie] = "virtyard-console=abc"
        fields[HTTPField.Name("Impersonate-User")!] = "system:admin"
        fields[HTTPField.Name("Impersonate-Group")!] = "system:masters"
        fields[HTTPField.Name("Impersonate-Extra-Scopes")!] = "all"
        fields[.connection] = "Upgrade"
        fields[.upgrade] = "websocket"
        fields[.transferEncoding] = "chunked"
        fields[HTTPField.Name("Host")!] = "attacker.example"
        fields[.accept] = "application/json"
        fields[.contentType] = "application/merge-patch+json"
        fields[.userAgent] = "kubectl/v1.32.4"
        let forwarded = LabClusterProxy.forwardedHeaders(fields)
        #expect(forwarded.map { $0.0.lowercased() }.sorted() == ["accept", "content-type", "user-agent"])
    }

    @Test(arguments: ["cluster1", "a", "lab-7", String(repeating: "x", count: 63)])
    func clusterIDsAreDNSLabels(_ id: String) {
        #expect(LabClusterProxy.isClusterID(id))
    }

    @Test(arguments: ["", "Cluster1", "-lab", "lab-", "..", "a/b", "a%2Fb", "lab.one", String(repeating: "x", count: 64)])
    func anythingElseIsNotAClusterID(_ id: String) {
        #expect(!LabClusterProxy.isClusterID(id))
    }

    @Test(arguments: [
        "/clusters/c/../d/api/v1/nodes", "/clusters/c/./api", "/clusters/c/%2e%2e/d", "/clusters/c/api/%2F..", "/clusters/c/a%5cb",
    ])
    func pathsThatCouldChangeWhatTheClusterSeesAreRefused(_ path: String) {
        #expect(!LabClusterProxy.isPlainPath(path))
    }

    @Test func ordinaryPathsPass() {
        #expect(LabClusterProxy.isPlainPath("/clusters/c/api/v1/namespaces/default/pods?watch=1"))
        #expect(LabClusterProxy.isPlainPath("/clusters/c/apis/apps/v1/namespaces/a.b/deployments/web"))
    }

    @Test func headersTheConnectionHeaderNamesAreDropped() {
        var fields = HTTPFields()
        fields[.connection] = "keep-alive, X-Secret-Hop"
        fields[HTTPField.Name("X-Secret-Hop")!] = "1"
        fields[HTTPField.Name("X-Remote-User")!] = "system:admin"
        fields[HTTPField.Name("X-Forwarded-For")!] = "10.0.0.1"
        fields[HTTPField.Name("Forwarded")!] = "for=10.0.0.1"
        fields[.accept] = "application/json"
        #expect(LabClusterProxy.forwardedHeaders(fields).map { $0.0.lowercased() } == ["accept"])
    }

    @Test func aRevokedTokenStaysRefusedWhateverIsGrantedLater() {
        let proxy = LabClusterProxy()
        proxy.grant(token: "t", clusterID: "cluster1")
        #expect(proxy.refusal(token: "t", clusterID: "cluster1") == nil)
        #expect(proxy.refusal(token: "t", clusterID: "cluster2") == .forbidden("cluster2"))
        proxy.revoke(token: "t")
        proxy.grant(token: "t", clusterID: "cluster1")
        #expect(proxy.refusal(token: "t", clusterID: "cluster1") == .unauthorized)
    }

    @Test func aStreamOfARevokedTokenIsCutAndForgotten() {
        let proxy = LabClusterProxy()
        let cut = Mutex(0)
        proxy.grant(token: "t", clusterID: "cluster1")
        _ = proxy.register(token: "t", clusterID: "cluster1") { cut.withLock { $0 += 1 } }
        #expect(proxy.openStreams == 1)
        proxy.revoke(token: "t")
        #expect(cut.withLock { $0 } == 1)
        #expect(proxy.openStreams == 0)
        // Registered after the revocation: cut at once.
        _ = proxy.register(token: "t", clusterID: "cluster1") { cut.withLock { $0 += 1 } }
        #expect(cut.withLock { $0 } == 2)
        #expect(proxy.openStreams == 0)
    }

    @Test func watchesAndFollowedLogsHaveNoDeadline() {
        #expect(LabClusterProxy.isStreaming(request("/clusters/c/api/v1/pods?watch=1")))
        #expect(LabClusterProxy.isStreaming(request("/clusters/c/api/v1/pods?watch=true&resourceVersion=5")))
        #expect(LabClusterProxy.isStreaming(request("/clusters/c/api/v1/namespaces/d/pods/p/log?follow=true")))
        #expect(LabClusterProxy.isStreaming(request("/clusters/c/api/v1/watch/pods")))
        #expect(!LabClusterProxy.isStreaming(request("/clusters/c/api/v1/pods")))
        #expect(!LabClusterProxy.isStreaming(request("/clusters/c/api/v1/pods?watch=false")))
        #expect(!LabClusterProxy.isStreaming(request("/clusters/c/api/v1/pods?watch=0")))
    }

    @Test func bodiesUpToTheLimitAreForwardedWhole() async {
        let body = [UInt8](repeating: 0x61, count: LabClusterProxy.maximumRequestBytes)
        let collected = await LabClusterProxy.boundedBody(of: request("/clusters/c/api/v1/configmaps", method: .post, body: body))
        #expect(collected?.readableBytes == body.count)
    }

    @Test func aLargerBodyIsRefused() async {
        let body = [UInt8](repeating: 0x61, count: LabClusterProxy.maximumRequestBytes + 1)
        #expect(await LabClusterProxy.boundedBody(of: request("/clusters/c/api/v1/configmaps", method: .post, body: body)) == nil)
    }

    @Test func aDeclaredLengthFarOverTheLimitIsRefusedUnread() async {
        var fields = HTTPFields()
        fields[.contentLength] = "\(LabClusterProxy.maximumDrainedBytes + 1)"
        #expect(await LabClusterProxy.boundedBody(of: request("/clusters/c/api/v1/configmaps", method: .post, headers: fields)) == nil)
    }

    @Test func withoutALabServiceAnUngrantedTokenIsUnverifiable() {
        let proxy = LabClusterProxy()
        #expect(proxy.refusal(token: "t", clusterID: "cluster1") == .unverifiable)
        proxy.revoke(token: "t")
        #expect(proxy.refusal(token: "t", clusterID: "cluster1") == .unauthorized)
        #expect(proxy.openStreams == 0)
    }

    @Test func refusalsAnswerAsKubernetesStatuses() {
        #expect(LabClusterProxy.Refusal.unauthorized.status.code == 401)
        #expect(LabClusterProxy.Refusal.forbidden("cluster2").status.code == 403)
        #expect(LabClusterProxy.Refusal.forbidden("cluster2").status.message.contains("cluster2"))
        #expect(LabClusterProxy.Refusal.unverifiable.status.code == 503)
        let response = LabClusterProxy.status(LabClusterProxy.Refusal.unauthorized.status)
        #expect(response.status.code == 401)
        #expect(response.headers[.contentType] == "application/json")
    }
}

/// What a published kubeconfig may say: whoever controls a lab cluster's VM may write it.
@Suite struct PublishedKubeconfigTests {
    static let ca = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUJ3\n-----END CERTIFICATE-----\n"

    private func kubeconfig(cluster: String, user: String = "token: t") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
        \(cluster)
        contexts:
        - name: c
          context: {cluster: c, user: u}
        current-context: c
        users:
        - name: u
          user:
            \(user)
        """
    }

    private var inlineCA: String {
        "    certificate-authority-data: \(Data(Self.ca.utf8).base64EncodedString())"
    }

    @Test func anHTTPSAddressWithItsCAAndAnInlineTokenIsTaken() throws {
        let config = try UpstreamClients.published(kubeconfig(cluster: "    server: https://10.0.0.5:6443\n" + inlineCA))
        #expect(config.server == "https://10.0.0.5:6443")
        #expect(config.credentials.token == "t")
    }

    @Test(arguments: [
        "tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token",
        "token-file: /var/run/secrets/kubernetes.io/serviceaccount/token",
        "client-certificate: /etc/virtyard/admin/tls.crt",
        "client-key: /etc/virtyard/admin/tls.key",
        "exec: {command: /bin/sh, apiVersion: client.authentication.k8s.io/v1}",
        "auth-provider: {name: gcp}",
    ])
    func userEntriesThatReadFilesOrRunCommandsAreRefused(_ user: String) {
        #expect(throws: UpstreamClients.Unpublished.self) {
            try UpstreamClients.published(kubeconfig(cluster: "    server: https://10.0.0.5:6443\n" + inlineCA, user: user))
        }
    }

    @Test func clustersWithoutVerificationOrOverPlainHTTPAreRefused() {
        for cluster in [
            "    server: https://10.0.0.5:6443\n    certificate-authority: /etc/ssl/ca.crt",
            "    server: https://10.0.0.5:6443\n    insecure-skip-tls-verify: true",
            "    server: https://10.0.0.5:6443",
            "    server: http://169.254.169.254\n" + inlineCA,
            "    server: https://10.0.0.5:6443\n    proxy-url: http://attacker:3128\n" + inlineCA,
        ] {
            #expect(throws: UpstreamClients.Unpublished.self) { try UpstreamClients.published(kubeconfig(cluster: cluster)) }
        }
    }

    @Test func anOversizedKubeconfigIsRefused() {
        let padding = "# " + String(repeating: "x", count: UpstreamClients.maximumKubeconfigBytes)
        #expect(throws: UpstreamClients.Unpublished.self) {
            try UpstreamClients.published(kubeconfig(cluster: "    server: https://10.0.0.5:6443\n" + inlineCA) + padding)
        }
    }
}
