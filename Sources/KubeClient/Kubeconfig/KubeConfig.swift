/// Everything ``HTTPKubernetesClient`` needs to reach one API server: where it is, how to
/// trust it, who to be, and which namespace to default to.
///
/// It is the *resolved* form of a kubeconfig context (or of the in-cluster service
/// account): files are already read, base64 already decoded and relative paths already
/// resolved, so a bad kubeconfig fails at load time with a ``KubeConfigError`` instead of
/// at the first request. Build one with ``load(path:context:environment:homeDirectory:)``,
/// ``inCluster(environment:serviceAccountDirectory:)``, ``automatic(path:context:environment:homeDirectory:serviceAccountDirectory:)``
/// or directly (the embedded server knows its own address, CA and token).
public struct KubeConfig: Sendable, Hashable {
    /// The API server's base URL, e.g. `https://127.0.0.1:6443`. It may carry a path
    /// prefix (a proxy, or a virtual cluster's `/clusters/<id>`); request paths are
    /// appended to it.
    public var server: String
    /// The namespace of the chosen context, or `"default"`: what namespaced calls use when
    /// they name none.
    public var namespace: String
    /// How the server's certificate is checked.
    public var tls: TLS
    /// Who the client is.
    public var credentials: Credentials
    /// The kubeconfig context this came from, or `"in-cluster"`; for messages only.
    public var source: String

    /// How to check the server's identity.
    public struct TLS: Sendable, Hashable {
        /// PEM certificates to trust instead of the system roots (kubeconfig
        /// `certificate-authority` / `certificate-authority-data`, in-cluster `ca.crt`).
        public var certificateAuthorityPEM: String?
        /// Accept any server certificate (`insecure-skip-tls-verify`). For test clusters only.
        public var insecureSkipVerify: Bool
        /// The name to verify the server certificate against (and send as SNI) when it
        /// differs from the host in ``KubeConfig/server`` (`tls-server-name`).
        public var serverName: String?

        /// Trust settings; the defaults verify against the system roots.
        public init(certificateAuthorityPEM: String? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
        }
    }

    /// The client's credentials. Several may be present at once (a client certificate and
    /// a token), as in kubeconfig; basic auth and a token exclude each other.
    public struct Credentials: Sendable, Hashable {
        /// A bearer token given inline (`token`).
        public var token: String?
        /// A file holding the bearer token (`tokenFile`, the service-account token). It is
        /// re-read periodically so rotated tokens are picked up, and wins over ``token``
        /// as in client-go.
        public var tokenFile: String?
        /// PEM client certificate for mutual TLS (`client-certificate[-data]`).
        public var clientCertificatePEM: String?
        /// PEM private key of ``clientCertificatePEM`` (`client-key[-data]`).
        public var clientKeyPEM: String?
        /// HTTP basic authentication (`username` / `password`).
        public var username: String?
        /// The password of ``username``.
        public var password: String?

        /// Credentials for a client; with none set, requests are anonymous.

        public init(
            token: String? = nil, tokenFile: String? = nil, clientCertificatePEM: String? = nil,
            clientKeyPEM: String? = nil, username: String? = nil, password: String? = nil
        ) {
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.username = username
            self.password = password
        }
    }

    /// A configuration built in code, e.g. by the embedded server for its own API.
    public init(
        server: String, namespace: String = "default", tls: TLS = TLS(), credentials: Credentials = Credentials(),
        source: String = "explicit"
    ) {
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.credentials = credentials
        self.source = source
    }

    /// The namespace used when a context names none, as kubectl does.
    public static let defaultNamespace = "default"
}
