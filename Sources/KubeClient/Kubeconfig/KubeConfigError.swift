/// Why a client configuration could not be built. Each case names the file, context,
/// cluster or user at fault, so the one line a CLI prints is enough to fix the kubeconfig.
public enum KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An explicitly named kubeconfig (or `~/.kube/config`) does not exist.
    case fileNotFound(path: String)
    /// A kubeconfig exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// A kubeconfig is not valid YAML of the kubeconfig shape.
    case invalidFile(path: String, reason: String)
    /// None of the files listed in `KUBECONFIG` exists.
    case noConfiguration(searched: [String])
    /// No `context` was asked for and no file sets `current-context`.
    case noCurrentContext
    /// The requested context is not defined in any file.
    case unknownContext(String, available: [String])
    /// The context names a cluster no file defines.
    case missingCluster(context: String, cluster: String)
    /// The context names a user no file defines.
    case missingUser(context: String, user: String)
    /// The cluster has no usable `server` URL.
    case invalidServer(cluster: String, server: String)
    /// A certificate or key file named by the configuration could not be read.
    case unreadableCertificate(path: String, field: String, reason: String)
    /// A `*-data` field is not valid base64.
    case invalidBase64(field: String, entry: String)
    /// A certificate or key is present but is not usable PEM.
    case invalidCertificate(field: String, reason: String)
    /// A token file could not be read.
    case unreadableToken(path: String, reason: String)
    /// The user entry is inconsistent (a certificate without its key, token and basic
    /// auth together, or only an authentication method this client does not implement).
    case invalidCredentials(user: String, reason: String)
    /// `insecure-skip-tls-verify` together with a certificate authority, which kubectl
    /// refuses too.
    case conflictingTLS(cluster: String)
    /// In-cluster configuration was asked for outside a pod.
    case notInCluster(reason: String)

    /// One line saying what is wrong and where, fit for a CLI error.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "kubeconfig \(path) does not exist"
        case .unreadableFile(let path, let reason):
            return "cannot read kubeconfig \(path): \(reason)"
        case .invalidFile(let path, let reason):
            return "kubeconfig \(path) is not valid: \(reason)"
        case .noConfiguration(let searched):
            return "no kubeconfig found (looked at \(searched.joined(separator: ", ")))"
        case .noCurrentContext:
            return "the kubeconfig sets no current-context and none was given"
        case .unknownContext(let name, let available):
            let known = available.isEmpty ? "none defined" : "known: \(available.joined(separator: ", "))"
            return "context \"\(name)\" does not exist (\(known))"
        case .missingCluster(let context, let cluster):
            return "context \"\(context)\" names cluster \"\(cluster)\", which is not defined"
        case .missingUser(let context, let user):
            return "context \"\(context)\" names user \"\(user)\", which is not defined"
        case .invalidServer(let cluster, let server):
            return "cluster \"\(cluster)\" has no usable server URL (\"\(server)\")"
        case .unreadableCertificate(let path, let field, let reason):
            return "cannot read \(field) \(path): \(reason)"
        case .invalidBase64(let field, let entry):
            return "\(field) of \"\(entry)\" is not valid base64"
        case .invalidCertificate(let field, let reason):
            return "\(field) is not a usable PEM certificate or key: \(reason)"
        case .unreadableToken(let path, let reason):
            return "cannot read token file \(path): \(reason)"
        case .invalidCredentials(let user, let reason):
            return "user \"\(user)\": \(reason)"
        case .conflictingTLS(let cluster):
            return "cluster \"\(cluster)\": a certificate authority together with insecure-skip-tls-verify is not allowed"
        case .notInCluster(let reason):
            return "not running in a cluster: \(reason)"
        }
    }
}
