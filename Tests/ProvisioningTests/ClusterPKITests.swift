import Foundation
import Testing
import Yams

@testable import Provisioning

@Suite struct ClusterPKITests {
    func secrets(seed: UInt64 = 7, type: ClusterType = .vanilla) throws -> ClusterSecrets {
        var random = SeededRandom(seed: seed)
        return try ClusterSecrets.generate(clusterName: "demo", type: type, now: Fixtures.now, random: &random)
    }

    @Test func caIsAnECDSACertificateAuthority() throws {
        let authority = try secrets().certificateAuthority
        let text = try OpenSSL.text(authority.certificatePEM)
        #expect(text.contains("Subject: CN = demo-ca"))
        #expect(text.contains("CA:TRUE"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("Certificate Sign"))
        #expect(authority.privateKeyPEM.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        // openssl reads the SEC 1 key, and it is the certificate's key.
        let fromKey = try OpenSSL.shell("openssl ec -in k.pem -pubout 2>/dev/null", files: ["k.pem": authority.privateKeyPEM])
        let fromCertificate = try OpenSSL.shell("openssl x509 -pubkey -noout -in c.pem", files: ["c.pem": authority.certificatePEM])
        #expect(fromKey.contains("BEGIN PUBLIC KEY"))
        #expect(fromKey == fromCertificate)
    }

    @Test func caCertHashIsWhatKubeadmComputes() throws {
        let authority = try secrets().certificateAuthority
        let expected = try OpenSSL.caCertHash(authority.certificatePEM)
        #expect(expected.count == "sha256:".count + 64)
        #expect(authority.publicKeyHash == expected)
    }

    @Test func tokensHaveTheBootstrapFormat() throws {
        let secrets = try secrets(type: .talos)
        #expect(ClusterSecrets.isBootstrapToken(secrets.bootstrapToken))
        let talos = try #require(secrets.talos)
        #expect(ClusterSecrets.isBootstrapToken(talos.machineToken))
        #expect(secrets.certificateKey.count == 64 && secrets.certificateKey.allSatisfy(\.isHexDigit))
        #expect(!ClusterSecrets.isBootstrapToken("ABCDEF.0123456789abcdef"))
        #expect(!ClusterSecrets.isBootstrapToken("abcdef0123456789abcdef"))
        for value in [talos.clusterID, talos.clusterSecret, talos.secretboxEncryptionSecret] {
            #expect(Data(base64Encoded: value)?.count == 32)
        }
        #expect(talos.serviceAccountKeyPEM.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
    }

    @Test func seededSourceIsDeterministic() throws {
        let first = try secrets(seed: 42, type: .talos)
        let second = try secrets(seed: 42, type: .talos)
        let other = try secrets(seed: 43, type: .talos)
        #expect(first.bootstrapToken == second.bootstrapToken)
        #expect(first.certificateKey == second.certificateKey)
        #expect(first.certificateAuthority.privateKeyPEM == second.certificateAuthority.privateKeyPEM)
        #expect(first.certificateAuthority.publicKeyHash == second.certificateAuthority.publicKeyHash)
        #expect(first.talos?.machineToken == second.talos?.machineToken)
        #expect(first.bootstrapToken != other.bootstrapToken)
        #expect(first.certificateAuthority.publicKeyHash != other.certificateAuthority.publicKeyHash)
    }

    @Test func systemRandomGivesDifferentClusters() throws {
        var random = SystemRandomNumberGenerator()
        let first = try ClusterSecrets.generate(clusterName: "a", type: .k3s, now: Date(), random: &random)
        let second = try ClusterSecrets.generate(clusterName: "a", type: .k3s, now: Date(), random: &random)
        #expect(first.bootstrapToken != second.bootstrapToken)
        #expect(first.talos == nil)
    }

    @Test func adminKubeconfigChainsToTheCA() throws {
        let secrets = try secrets()
        var random = SeededRandom(seed: 1)
        let text = try AdminKubeconfig.render(
            clusterName: "demo", endpoint: "demo-api.lab.svc", authority: secrets.certificateAuthority, now: Fixtures.now,
            random: &random)
        let config = try #require(try Yams.load(yaml: text) as? [String: Any])
        let cluster = try #require(((config["clusters"] as? [[String: Any]])?.first?["cluster"]) as? [String: Any])
        #expect(cluster["server"] as? String == "https://demo-api.lab.svc:6443")
        #expect(decodedBase64(cluster["certificate-authority-data"]) == secrets.certificateAuthority.certificatePEM)
        let user = try #require(((config["users"] as? [[String: Any]])?.first?["user"]) as? [String: Any])
        let certificate = try #require(decodedBase64(user["client-certificate-data"]))
        let key = try #require(decodedBase64(user["client-key-data"]))
        let verified = try OpenSSL.shell(
            "openssl verify -attime 1790000000 -CAfile ca.pem client.pem",
            files: ["ca.pem": secrets.certificateAuthority.certificatePEM, "client.pem": certificate])
        #expect(verified == "client.pem: OK")
        let subject = try OpenSSL.shell("openssl x509 -noout -subject -in c.pem", files: ["c.pem": certificate])
        #expect(subject == "subject=O = system:masters, CN = virtyard-admin")
        #expect(try OpenSSL.text(certificate).contains("TLS Web Client Authentication"))
        let keyMatches = try OpenSSL.shell(
            "[ \"$(openssl ec -in k.pem -pubout 2>/dev/null)\" = \"$(openssl x509 -pubkey -noout -in c.pem)\" ] && echo same",
            files: ["k.pem": key, "c.pem": certificate])
        #expect(keyMatches == "same")
        #expect(config["current-context"] as? String == "demo")
    }

    @Test func secretsRoundTripThroughSecretData() throws {
        let original = try secrets(type: .talos)
        let ca = ["tls.crt": original.certificateAuthority.certificatePEM, "tls.key": original.certificateAuthority.privateKeyPEM]
        let again = try ClusterSecrets(caSecretData: ca, bootstrapSecretData: original.bootstrapSecretData)
        #expect(again.bootstrapToken == original.bootstrapToken)
        #expect(again.certificateKey == original.certificateKey)
        #expect(again.certificateAuthority.publicKeyHash == original.certificateAuthority.publicKeyHash)
        #expect(again.talos?.machineCA.certificatePEM == original.talos?.machineCA.certificatePEM)
        #expect(again.talos?.clusterSecret == original.talos?.clusterSecret)
    }

    @Test func secretDataThatDoesNotMatchIsRefused() throws {
        let one = try secrets(seed: 1)
        let two = try secrets(seed: 2)
        let mixed = ["tls.crt": one.certificateAuthority.certificatePEM, "tls.key": two.certificateAuthority.privateKeyPEM]
        #expect(throws: ClusterCertificateAuthority.Failure.self) {
            _ = try ClusterSecrets(caSecretData: mixed, bootstrapSecretData: one.bootstrapSecretData)
        }
        var badToken = one.bootstrapSecretData
        badToken["token"] = "not-a-token"
        let ca = ["tls.crt": one.certificateAuthority.certificatePEM, "tls.key": one.certificateAuthority.privateKeyPEM]
        #expect(throws: ClusterCertificateAuthority.Failure.self) {
            _ = try ClusterSecrets(caSecretData: ca, bootstrapSecretData: badToken)
        }
    }
}
