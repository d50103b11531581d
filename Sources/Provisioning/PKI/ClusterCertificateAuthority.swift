import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority Virtyard makes for a cluster (ECDSA P-256, which kubeadm, k3s,
/// RKE2 and Talos all accept) and the certificates it signs.
public struct ClusterCertificateAuthority: Sendable {
    public let certificatePEM: String
    /// SEC 1 `EC PRIVATE KEY` PEM, the form kubeadm, k3s and Talos write themselves.
    public let privateKeyPEM: String
    let key: P256.Signing.PrivateKey
    let certificate: Certificate

    /// Failure to build or parse certificate material, with what was being made.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new CA named `commonName`, valid from an hour before `now` for ten years.
    public init(commonName: String, now: Date, random: inout some RandomNumberGenerator) throws(Failure) {
        let key = Self.makeKey(&random)
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let certificate = try Certificate(
                version: .v3, serialNumber: Self.serial(&random), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                    SubjectKeyIdentifier(hash: .init(key.publicKey))
                },
                issuerPrivateKey: .init(key))
            self.init(key: key, certificate: certificate, pem: try certificate.serializeAsPEM().pemString)
        } catch {
            throw Failure(description: "cannot make the CA certificate \(commonName): \(error)")
        }
    }

    /// A CA read back from its Secret (`tls.crt`, `tls.key`).
    public init(certificatePEM: String, privateKeyPEM: String) throws(Failure) {
        do {
            let certificate = try Certificate(pemEncoded: certificatePEM)
            let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
            guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
                throw Failure(description: "the CA's key does not match its certificate")
            }
            self.init(key: key, certificate: certificate, pem: certificatePEM)
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "cannot read the cluster CA: \(error)")
        }
    }

    private init(key: P256.Signing.PrivateKey, certificate: Certificate, pem: String) {
        self.key = key
        self.certificate = certificate
        self.certificatePEM = pem
        self.privateKeyPEM = Self.sec1PEM(key)
    }

    /// kubeadm's `caCertHashes` entry: `sha256:` and the hex SHA-256 of the CA's
    /// DER-encoded SubjectPublicKeyInfo (kubeadm `pubkeypin.Hash`).
    public var publicKeyHash: String { Self.publicKeyHash(of: certificate) }

    /// ``publicKeyHash`` of any certificate, e.g. one parsed from a Secret.
    public static func publicKeyHash(of certificate: Certificate) -> String {
        // The whole SubjectPublicKeyInfo (algorithm and key), not `subjectPublicKeyInfoBytes`,
        // which is only the key's bit string.
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate.publicKey)
        let digest = SHA256.hash(data: serializer.serializedBytes)
        return "sha256:" + digest.map { String(format: "%02x", $0) }.joined()
    }

    /// A client certificate and its SEC 1 key: `CN=<commonName>`, `O=<organizations>`
    /// (`system:masters` for a cluster admin), valid for a year.
    public func issueClientCertificate(
        commonName: String, organizations: [String], now: Date, random: inout some RandomNumberGenerator
    ) throws(Failure) -> (certificatePEM: String, privateKeyPEM: String) {
        let clientKey = Self.makeKey(&random)
        do {
            let subject = try DistinguishedName {
                for organization in organizations { OrganizationName(organization) }
                CommonName(commonName)
            }
            let issued = try Certificate(
                version: .v3, serialNumber: Self.serial(&random), publicKey: .init(clientKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400),
                issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.clientAuth])
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(key.publicKey)).keyIdentifier)
                },
                issuerPrivateKey: .init(key))
            return (try issued.serializeAsPEM().pemString, Self.sec1PEM(clientKey))
        } catch {
            throw Failure(description: "cannot issue the client certificate \(commonName): \(error)")
        }
    }

    /// A P-256 key from the random source (a scalar below the group order; retried otherwise).
    static func makeKey(_ random: inout some RandomNumberGenerator) -> P256.Signing.PrivateKey {
        while true {
            if let key = try? P256.Signing.PrivateKey(rawRepresentation: random.bytes(32)) { return key }
        }
    }

    /// A positive 128-bit serial number.
    static func serial(_ random: inout some RandomNumberGenerator) -> Certificate.SerialNumber {
        var bytes = random.bytes(16)
        bytes[0] = (bytes[0] & 0x7F) | 0x01
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// RFC 5915 `ECPrivateKey` for P-256, PEM type `EC PRIVATE KEY`: version 1, the scalar,
    /// the curve (prime256v1) and the public point. Every length is below 128, so the DER is
    /// written directly.
    static func sec1PEM(_ key: P256.Signing.PrivateKey) -> String {
        let scalar = Array(key.rawRepresentation)
        let point = Array(key.publicKey.x963Representation)
        let curve: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        var body: [UInt8] = [0x02, 0x01, 0x01, 0x04, UInt8(scalar.count)] + scalar
        body += [0xA0, UInt8(curve.count)] + curve
        body += [0xA1, UInt8(point.count + 3), 0x03, UInt8(point.count + 1), 0x00] + point
        let der = [0x30, UInt8(body.count)] + body
        return PEMDocument(type: "EC PRIVATE KEY", derBytes: der).pemString
    }
}
