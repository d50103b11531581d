import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The embedded API's TLS material: a private certificate authority and a serving
/// certificate it signs, made at first start and kept in the data directory, so kubeconfigs
/// written earlier stay valid.
public struct ServingCertificates: Sendable {
    public var caCertificatePEM: String
    public var certificatePEM: String
    public var privateKeyPEM: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads `ca.crt`, `serving.crt` and `serving.key` from `directory`, creating them when
    /// absent (or when the serving certificate does not cover `hosts`).
    public static func loadOrCreate(in directory: String, hosts: [String]) throws -> ServingCertificates {
        let files = (
            ca: directory + "/ca.crt", caKey: directory + "/ca.key",
            certificate: directory + "/serving.crt", key: directory + "/serving.key"
        )
        let manager = FileManager.default
        var caCertificatePEM: String
        var caKey: P256.Signing.PrivateKey
        if let certificate = try? String(contentsOfFile: files.ca, encoding: .utf8),
            let keyPEM = try? String(contentsOfFile: files.caKey, encoding: .utf8),
            let key = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM)
        {
            caCertificatePEM = certificate
            caKey = key
        } else if manager.fileExists(atPath: files.ca) || manager.fileExists(atPath: files.caKey) {
            // A new CA would silently invalidate every kubeconfig handed out: only on request.
            throw Failure(
                description: "the CA in \(directory) (ca.crt, ca.key) cannot be read; move both files "
                    + "aside to create a new CA (every kubeconfig must then be fetched again)")
        } else {
            caKey = P256.Signing.PrivateKey()
            caCertificatePEM = try makeCA(key: caKey)
            try writePrivate(caKey.pemRepresentation, to: files.caKey)
            try writePublic(caCertificatePEM, to: files.ca)
        }
        let wanted = Set(hosts)
        if let certificate = try? String(contentsOfFile: files.certificate, encoding: .utf8),
            let key = try? String(contentsOfFile: files.key, encoding: .utf8),
            let parsed = try? Certificate(pemEncoded: certificate),
            parsed.notValidAfter > Date().addingTimeInterval(30 * 86_400),
            wanted.isSubset(of: names(in: parsed))
        {
            return ServingCertificates(caCertificatePEM: caCertificatePEM, certificatePEM: certificate, privateKeyPEM: key)
        }
        let servingKey = P256.Signing.PrivateKey()
        let certificate = try makeServing(key: servingKey, hosts: hosts, caKey: caKey, caPEM: caCertificatePEM)
        try writePrivate(servingKey.pemRepresentation, to: files.key)
        try writePublic(certificate, to: files.certificate)
        return ServingCertificates(
            caCertificatePEM: caCertificatePEM, certificatePEM: certificate,
            privateKeyPEM: servingKey.pemRepresentation)
    }

    /// The NIO server configuration for these certificates (HTTP/1.1 only).
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    private static let caName = "virtyard-ca"

    private static func makeCA(key: P256.Signing.PrivateKey) throws -> String {
        let name = try DistinguishedName { CommonName(caName) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        return try certificate.serializeAsPEM().pemString
    }

    private static func makeServing(
        key: P256.Signing.PrivateKey, hosts: [String], caKey: P256.Signing.PrivateKey,
        caPEM: String
    ) throws -> String {
        let ca = try Certificate(pemEncoded: caPEM)
        let now = Date()
        let alternativeNames = hosts.map { host -> GeneralName in
            if let address = ipAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: address[...])) }
            return .dnsName(host)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
            issuer: ca.subject, subject: try DistinguishedName { CommonName("virtyard-apiserver") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(caKey.publicKey)).keyIdentifier)
            },
            issuerPrivateKey: .init(caKey))
        return try certificate.serializeAsPEM().pemString
    }

    private static func names(in certificate: Certificate) -> Set<String> {
        guard let alternativeNames = try? certificate.extensions.subjectAlternativeNames else { return [] }
        var names = Set<String>()
        for name in alternativeNames {
            switch name {
            case .dnsName(let host): names.insert(host)
            case .ipAddress(let bytes):
                let octets = Array(bytes.bytes)
                if octets.count == 4 { names.insert(octets.map(String.init).joined(separator: ".")) }
                if octets == Array(repeating: 0, count: 15) + [1] { names.insert("::1") }
            default: break
            }
        }
        return names
    }

    private static func ipAddressBytes(_ host: String) -> [UInt8]? {
        let parts = host.split(separator: ".")
        if parts.count == 4, let octets = Optional(parts.compactMap { UInt8($0) }), octets.count == 4 { return octets }
        if host == "::1" { return Array(repeating: 0, count: 15) + [1] }
        return nil
    }

    private static func writePrivate(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw Failure(description: "cannot write \(path)") }
    }

    private static func writePublic(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644])
        else { throw Failure(description: "cannot write \(path)") }
    }
}
