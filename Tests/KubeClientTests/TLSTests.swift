import Foundation
import KubeClient
import KubeModel
import KubeServer
import Testing
import VirtyardTesting

/// Server verification: the configured CA, a wrong CA, insecure mode, `tls-server-name`,
/// and client certificates.
@Suite(.timeLimit(.minutes(2)))
struct TLSTests {
    @Test func wrongCertificateAuthorityIsATransportError() async throws {
        try await TestCluster.run { cluster in
            let elsewhere = try TemporaryDirectory()
            let otherCA = try ServingCertificates.loadOrCreate(in: elsewhere.path, hosts: ["127.0.0.1"]).caCertificatePEM
            #expect(otherCA != cluster.certificates.caCertificatePEM)
            let client = try cluster.client(kubeconfig: cluster.kubeconfig(certificateAuthorityData: otherCA))
            do throws(KubeClientError) {
                _ = try await client.get(.namespaces, name: "default")
                Issue.record("a server signed by another CA must be refused")
            } catch {
                #expect(error.code == 0 && error.reason == "TransportError")
                #expect(error.request == "GET /api/v1/namespaces/default")
                #expect(error.message.contains(cluster.url))
            }
        }
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client(kubeconfig: cluster.kubeconfig(insecure: true))
            #expect(try await client.get(.namespaces, name: "default").name == "default")
        }
    }

    @Test func tlsServerNameVerifiesAgainstAnotherName() async throws {
        try await TestCluster.run(hosts: ["kube.virtyard.test"]) { cluster in
            let plain = try cluster.client()
            do throws(KubeClientError) {
                _ = try await plain.get(.namespaces, name: "default")
                Issue.record("the certificate does not name 127.0.0.1")
            } catch {
                #expect(error.reason == "TransportError")
            }
            let named = try cluster.client(kubeconfig: cluster.kubeconfig(tlsServerName: "kube.virtyard.test"))
            #expect(try await named.get(.namespaces, name: "default").name == "default")
        }
    }

    @Test func clientCertificateIsLoaded() async throws {
        try await TestCluster.run { cluster in
            // The embedded server does not ask for client certificates; this checks that a
            // real PEM certificate and EC key are accepted and the handshake still works.
            let client = try cluster.client(
                kubeconfig: cluster.kubeconfig(
                    clientCertificateData: cluster.certificates.certificatePEM,
                    clientKeyData: cluster.certificates.privateKeyPEM))
            #expect(try await client.get(.namespaces, name: "default").name == "default")
        }
    }

    @Test func unusableCertificatesFailAtConstruction() throws {
        var configuration = KubeConfig(
            server: "https://127.0.0.1:6443",
            tls: .init(certificateAuthorityPEM: "not a certificate"))
        let badCA = #expect(throws: KubeConfigError.self) { _ = try HTTPKubernetesClient(configuration: configuration) }
        guard case .invalidCertificate(let caField, _)? = badCA else {
            Issue.record("expected invalidCertificate, got \(String(describing: badCA))")
            return
        }
        #expect(caField == "certificate-authority")
        configuration.tls = .init()
        configuration.credentials = .init(clientCertificatePEM: KubeconfigTests.certPEM, clientKeyPEM: KubeconfigTests.keyPEM)
        let badClient = #expect(throws: KubeConfigError.self) { _ = try HTTPKubernetesClient(configuration: configuration) }
        guard case .invalidCertificate(let clientField, _)? = badClient else {
            Issue.record("expected invalidCertificate, got \(String(describing: badClient))")
            return
        }
        #expect(clientField == "client-certificate" || clientField == "client-key")
        configuration.server = "not a url"
        #expect(throws: KubeConfigError.self) { _ = try HTTPKubernetesClient(configuration: configuration) }
    }
}
