import NIOSSL

extension KubeConfig {
    /// The NIOSSL client configuration for this cluster: trust exactly the configured CA
    /// (client-go does not add the system roots when a CA is given), present the client
    /// certificate when there is one, or verify nothing when `insecure-skip-tls-verify`.
    func makeTLSConfiguration() throws(KubeConfigError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // A cancelled watch closes its connection; a server busy streaming may never answer
        // the close_notify, and waiting NIOSSL's default 5 s for it only delays shutdown.
        configuration.shutdownTimeout = .seconds(1)
        if tls.insecureSkipVerify {
            configuration.certificateVerification = .none
        } else if let pem = tls.certificateAuthorityPEM {
            let roots: [NIOSSLCertificate]
            do { roots = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) } catch {
                throw KubeConfigError.invalidCertificate(field: "certificate-authority", reason: "\(error)")
            }
            guard !roots.isEmpty else {
                throw KubeConfigError.invalidCertificate(field: "certificate-authority", reason: "no PEM certificate found")
            }
            configuration.trustRoots = .certificates(roots)
        }
        if let certificatePEM = credentials.clientCertificatePEM, let keyPEM = credentials.clientKeyPEM {
            let chain: [NIOSSLCertificate]
            do { chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)) } catch {
                throw KubeConfigError.invalidCertificate(field: "client-certificate", reason: "\(error)")
            }
            guard !chain.isEmpty else {
                throw KubeConfigError.invalidCertificate(field: "client-certificate", reason: "no PEM certificate found")
            }
            let key: NIOSSLPrivateKey
            do { key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem) } catch {
                throw KubeConfigError.invalidCertificate(field: "client-key", reason: "\(error)")
            }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        }
        return configuration
    }
}
