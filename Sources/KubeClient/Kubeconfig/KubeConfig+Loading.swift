import Foundation

extension KubeConfig {
    /// Loads a kubeconfig the way kubectl does and resolves one context.
    ///
    /// Which files: `path` when given (it must exist); otherwise every file in
    /// `KUBECONFIG` (`:`-separated; missing ones are skipped, but at least one must
    /// exist), merged with kubectl's precedence (first file to define a name wins,
    /// `current-context` from the first file that sets it); otherwise `~/.kube/config`.
    ///
    /// - Parameters:
    ///   - path: An explicit kubeconfig (`--kubeconfig`).
    ///   - context: A context to use instead of `current-context` (`--context`).
    ///   - environment: Where `KUBECONFIG` and `HOME` are read; injectable for tests.
    ///   - homeDirectory: Overrides `HOME` for the `~/.kube/config` default.
    public static func load(
        path: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil
    ) throws(KubeConfigError) -> KubeConfig {
        let merged = try loadMerged(path: path, environment: environment, homeDirectory: homeDirectory)
        return try merged.resolve(context: context)
    }

    /// Chooses the configuration a controller should use, as controller-runtime does: an
    /// explicit `path`, else `KUBECONFIG`, else the in-cluster service account when
    /// running in a pod, else `~/.kube/config`.
    public static func automatic(
        path: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        serviceAccountDirectory: String = KubeConfig.serviceAccountDirectory
    )
        throws(KubeConfigError) -> KubeConfig
    {
        let kubeconfigVariable = environment["KUBECONFIG"].map { !$0.isEmpty } ?? false
        if path == nil, !kubeconfigVariable, environment[inClusterHostVariable].map({ !$0.isEmpty }) ?? false {
            return try inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory)
        }
        return try load(path: path, context: context, environment: environment, homeDirectory: homeDirectory)
    }

    /// Parses a kubeconfig held in memory; relative paths in it are resolved against
    /// `directory`. For configurations that never touch the disk (tests, generated ones).
    public static func parse(yaml: String, directory: String, context: String? = nil) throws(KubeConfigError) -> KubeConfig {
        let path = (directory as NSString).appendingPathComponent("<inline kubeconfig>")
        var merged = MergedKubeconfig()
        merged.merge(try KubeconfigDocument.parse(yaml, path: path), path: path)
        return try merged.resolve(context: context)
    }

    static func loadMerged(
        path: String?, environment: [String: String],
        homeDirectory: String?
    ) throws(KubeConfigError) -> MergedKubeconfig {
        var merged = MergedKubeconfig()
        if let path {
            guard FileManager.default.fileExists(atPath: path) else { throw KubeConfigError.fileNotFound(path: path) }
            merged.merge(try KubeconfigDocument.read(path: path), path: path)
            return merged
        }
        if let variable = environment["KUBECONFIG"], !variable.isEmpty {
            var seen = Set<String>()
            let paths = variable.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
            for candidate in paths where FileManager.default.fileExists(atPath: candidate) {
                merged.merge(try KubeconfigDocument.read(path: candidate), path: candidate)
            }
            guard !merged.files.isEmpty else { throw KubeConfigError.noConfiguration(searched: paths) }
            return merged
        }
        let home = homeDirectory ?? environment["HOME"] ?? NSHomeDirectory()
        let defaultPath = (home as NSString).appendingPathComponent(".kube/config")
        guard FileManager.default.fileExists(atPath: defaultPath) else {
            throw KubeConfigError.fileNotFound(path: defaultPath)
        }
        merged.merge(try KubeconfigDocument.read(path: defaultPath), path: defaultPath)
        return merged
    }
}

extension MergedKubeconfig {
    /// Picks the context and turns its cluster and user into a ``KubeConfig``, reading
    /// every file they name now so that errors surface at load time.
    func resolve(context override: String?) throws(KubeConfigError) -> KubeConfig {
        guard let contextName = override ?? currentContext else { throw KubeConfigError.noCurrentContext }
        guard let context = contexts[contextName] else {
            throw KubeConfigError.unknownContext(contextName, available: contexts.keys.sorted())
        }
        let clusterName = context.cluster ?? ""
        guard let cluster = clusters[clusterName] else {
            throw KubeConfigError.missingCluster(context: contextName, cluster: clusterName)
        }
        var credentials = KubeConfig.Credentials()
        if let userName = context.user, !userName.isEmpty {
            guard let user = users[userName] else {
                throw KubeConfigError.missingUser(context: contextName, user: userName)
            }
            credentials = try Self.credentials(user, name: userName)
        }
        let server = cluster.server ?? ""
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw KubeConfigError.invalidServer(cluster: clusterName, server: server)
        }
        var tls = KubeConfig.TLS(
            insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false,
            serverName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 })
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            tls.certificateAuthorityPEM = try Self.decodeBase64(data, field: "certificate-authority-data", entry: clusterName)
        } else if let path = cluster.certificateAuthority {
            tls.certificateAuthorityPEM = try Self.readCertificate(path, field: "certificate-authority")
        }
        if tls.insecureSkipVerify, tls.certificateAuthorityPEM != nil {
            throw KubeConfigError.conflictingTLS(cluster: clusterName)
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? KubeConfig.defaultNamespace
        return KubeConfig(server: server, namespace: namespace, tls: tls, credentials: credentials, source: contextName)
    }

    static func credentials(_ user: KubeconfigDocument.User, name: String) throws(KubeConfigError) -> KubeConfig.Credentials {
        var credentials = KubeConfig.Credentials()
        credentials.token = user.token.flatMap { $0.isEmpty ? nil : $0 }
        if let path = user.tokenFile {
            _ = try KubeConfig.readToken(path)
            credentials.tokenFile = path
        }
        if let data = user.clientCertificateData, !data.isEmpty {
            credentials.clientCertificatePEM = try decodeBase64(data, field: "client-certificate-data", entry: name)
        } else if let path = user.clientCertificate {
            credentials.clientCertificatePEM = try readCertificate(path, field: "client-certificate")
        }
        if let data = user.clientKeyData, !data.isEmpty {
            credentials.clientKeyPEM = try decodeBase64(data, field: "client-key-data", entry: name)
        } else if let path = user.clientKey {
            credentials.clientKeyPEM = try readCertificate(path, field: "client-key")
        }
        if (credentials.clientCertificatePEM == nil) != (credentials.clientKeyPEM == nil) {
            throw KubeConfigError.invalidCredentials(
                user: name, reason: "client-certificate and client-key must be given together")
        }
        credentials.username = user.username.flatMap { $0.isEmpty ? nil : $0 }
        credentials.password = user.password.flatMap { $0.isEmpty ? nil : $0 }
        let hasToken = credentials.token != nil || credentials.tokenFile != nil
        if hasToken, credentials.username != nil || credentials.password != nil {
            throw KubeConfigError.invalidCredentials(
                user: name, reason: "more than one authentication method (token and basic auth) is set")
        }
        let hasAny = hasToken || credentials.clientCertificatePEM != nil || credentials.username != nil
        if !hasAny, user.exec != nil || user.authProvider != nil {
            let method = user.exec != nil ? "exec credential plugins" : "auth-provider plugins"
            throw KubeConfigError.invalidCredentials(user: name, reason: "\(method) are not supported by this client")
        }
        return credentials
    }

    static func decodeBase64(_ text: String, field: String, entry: String) throws(KubeConfigError) -> String {
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw KubeConfigError.invalidBase64(field: field, entry: entry)
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func readCertificate(_ path: String, field: String) throws(KubeConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? KubeconfigDocument.reason(error) : "no such file"
            throw KubeConfigError.unreadableCertificate(path: path, field: field, reason: reason)
        }
    }
}

extension KubeConfig {
    /// Reads a token file, trimming the whitespace editors and `echo` leave behind.
    static func readToken(_ path: String) throws(KubeConfigError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? KubeconfigDocument.reason(error) : "no such file"
            throw KubeConfigError.unreadableToken(path: path, reason: reason)
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeConfigError.unreadableToken(path: path, reason: "the file is empty") }
        return token
    }
}
