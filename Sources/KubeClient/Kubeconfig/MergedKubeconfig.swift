import Foundation

/// Several kubeconfig files merged with kubectl's rules: the first file to define a
/// cluster, context or user name wins, and `current-context` comes from the first file
/// that sets it. Relative file paths are resolved against the directory of the file that
/// holds them before merging, as client-go does, so they keep meaning after the merge.
struct MergedKubeconfig: Sendable {
    var currentContext: String?
    var clusters: [String: KubeconfigDocument.Cluster] = [:]
    var contexts: [String: KubeconfigDocument.Context] = [:]
    var users: [String: KubeconfigDocument.User] = [:]
    /// The files merged, in order, for messages.
    var files: [String] = []

    mutating func merge(_ document: KubeconfigDocument, path: String) {
        files.append(path)
        let directory = (path as NSString).deletingLastPathComponent
        if currentContext == nil, let current = document.currentContext, !current.isEmpty {
            currentContext = current
        }
        for entry in document.clusters ?? [] where clusters[entry.name] == nil {
            var cluster = entry.value ?? KubeconfigDocument.Cluster()
            cluster.certificateAuthority = Self.resolve(cluster.certificateAuthority, in: directory)
            clusters[entry.name] = cluster
        }
        for entry in document.contexts ?? [] where contexts[entry.name] == nil {
            contexts[entry.name] = entry.value ?? KubeconfigDocument.Context()
        }
        for entry in document.users ?? [] where users[entry.name] == nil {
            var user = entry.value ?? KubeconfigDocument.User()
            user.tokenFile = Self.resolve(user.tokenFile, in: directory)
            user.clientCertificate = Self.resolve(user.clientCertificate, in: directory)
            user.clientKey = Self.resolve(user.clientKey, in: directory)
            users[entry.name] = user
        }
    }

    /// A path relative to `directory` unless absolute; empty means unset.
    static func resolve(_ path: String?, in directory: String) -> String? {
        guard let path, !path.isEmpty else { return nil }
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return (directory as NSString).appendingPathComponent(path)
    }
}
