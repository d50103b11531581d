import Foundation
import Testing
import VirtyardTesting

@testable import KubeClient

/// Kubeconfig loading, checked against what kubectl does with the same files.
struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    static let certPEM = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n"
    static let keyPEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEkey\n-----END EC PRIVATE KEY-----\n"

    static let twoContexts = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example.com:6443
            certificate-authority-data: \(base64(caPEM))
        - name: prod-cluster
          cluster:
            server: https://prod.example.com
            insecure-skip-tls-verify: true
            tls-server-name: api.prod.internal
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: alice
            namespace: team-a
        - name: prod
          context:
            cluster: prod-cluster
            user: bob
        users:
        - name: alice
          user:
            token: alice-token
        - name: bob
          user:
            username: bob
            password: secret
        """

    @Test func currentContextGivesServerNamespaceCAAndToken() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.twoContexts)
        let config = try KubeConfig.load(path: path, environment: [:])
        #expect(config.server == "https://dev.example.com:6443")
        #expect(config.namespace == "team-a")
        #expect(config.tls.certificateAuthorityPEM == Self.caPEM)
        #expect(config.tls.insecureSkipVerify == false)
        #expect(config.credentials.token == "alice-token")
        #expect(config.credentials.username == nil)
        #expect(config.source == "dev")
    }

    @Test func contextOverrideWinsAndNamespaceDefaults() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.twoContexts)
        let config = try KubeConfig.load(path: path, context: "prod", environment: [:])
        #expect(config.server == "https://prod.example.com")
        #expect(config.namespace == "default")
        #expect(config.tls.insecureSkipVerify)
        #expect(config.tls.serverName == "api.prod.internal")
        #expect(config.tls.certificateAuthorityPEM == nil)
        #expect(config.credentials.username == "bob")
        #expect(config.credentials.password == "secret")
        #expect(config.credentials.token == nil)
    }

    @Test func kubeconfigVariableMergesFilesFirstDefinitionWins() throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write(
            "a/config",
            """
            current-context: from-a
            clusters:
            - name: shared
              cluster:
                server: https://a.example.com
            contexts:
            - name: from-a
              context: {cluster: shared, user: shared-user, namespace: ns-a}
            users:
            - name: shared-user
              user: {token: token-a}
            """)
        let second = try directory.write(
            "b/config",
            """
            current-context: from-b
            clusters:
            - name: shared
              cluster:
                server: https://b.example.com
            - name: only-b
              cluster:
                server: https://only-b.example.com
                certificate-authority: certs/ca.crt
            contexts:
            - name: from-a
              context: {cluster: only-b, user: shared-user, namespace: ignored}
            - name: from-b
              context: {cluster: only-b, user: b-user}
            users:
            - name: shared-user
              user: {token: token-b}
            - name: b-user
              user: {tokenFile: token}
            """)
        try directory.write("b/certs/ca.crt", Self.caPEM)
        try directory.write("b/token", "token-from-file\n")
        let missing = directory.file("missing/config")
        let environment = ["KUBECONFIG": "\(missing):\(first)::\(second)"]

        let current = try KubeConfig.load(environment: environment)
        #expect(current.source == "from-a", "current-context comes from the first file that sets it")
        #expect(current.server == "https://a.example.com", "the first file to define a cluster wins")
        #expect(current.namespace == "ns-a", "the first file to define a context wins")
        #expect(current.credentials.token == "token-a", "the first file to define a user wins")

        let fromB = try KubeConfig.load(context: "from-b", environment: environment)
        #expect(fromB.server == "https://only-b.example.com")
        #expect(fromB.tls.certificateAuthorityPEM == Self.caPEM, "relative paths resolve against their own file")
        #expect(fromB.credentials.tokenFile == directory.file("b/token"))
        #expect(fromB.namespace == "default")
    }

    @Test func kubeconfigVariableWithNoExistingFileFails() throws {
        let directory = try TemporaryDirectory()
        let environment = ["KUBECONFIG": directory.file("nope") + ":" + directory.file("neither")]
        #expect(throws: KubeConfigError.noConfiguration(searched: [directory.file("nope"), directory.file("neither")])) {
            try KubeConfig.load(environment: environment)
        }
    }

    @Test func explicitPathBeatsKubeconfigVariableAndMustExist() throws {
        let directory = try TemporaryDirectory()
        let explicit = try directory.write("explicit", Self.twoContexts)
        let other = try directory.write(
            "other",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://other.example.com"}}]
            contexts: [{name: x, context: {cluster: c}}]
            """)
        let config = try KubeConfig.load(path: explicit, environment: ["KUBECONFIG": other])
        #expect(config.server == "https://dev.example.com:6443")
        let absent = directory.file("absent")
        #expect(throws: KubeConfigError.fileNotFound(path: absent)) {
            try KubeConfig.load(path: absent, environment: ["KUBECONFIG": other])
        }
    }

    @Test func defaultsToHomeKubeConfig() throws {
        let home = try TemporaryDirectory()
        try home.write(".kube/config", Self.twoContexts)
        let config = try KubeConfig.load(environment: ["HOME": home.path])
        #expect(config.server == "https://dev.example.com:6443")
        let empty = try TemporaryDirectory()
        #expect(throws: KubeConfigError.fileNotFound(path: empty.file(".kube/config"))) {
            try KubeConfig.load(environment: ["HOME": empty.path])
        }
    }

    @Test func clientCertificateFromDataAndFromFiles() throws {
        let directory = try TemporaryDirectory()
        try directory.write("pki/client.crt", Self.certPEM)
        try directory.write("pki/client.key", Self.keyPEM)
        let path = try directory.write(
            "config",
            """
            current-context: data
            clusters: [{name: c, cluster: {server: "https://c.example.com"}}]
            contexts:
            - {name: data, context: {cluster: c, user: with-data}}
            - {name: files, context: {cluster: c, user: with-files}}
            users:
            - name: with-data
              user:
                client-certificate-data: \(base64(Self.certPEM))
                client-key-data: \(base64(Self.keyPEM))
            - name: with-files
              user:
                client-certificate: pki/client.crt
                client-key: \(directory.file("pki/client.key"))
            """)
        let fromData = try KubeConfig.load(path: path, environment: [:])
        #expect(fromData.credentials.clientCertificatePEM == Self.certPEM)
        #expect(fromData.credentials.clientKeyPEM == Self.keyPEM)
        let fromFiles = try KubeConfig.load(path: path, context: "files", environment: [:])
        #expect(fromFiles.credentials.clientCertificatePEM == Self.certPEM)
        #expect(fromFiles.credentials.clientKeyPEM == Self.keyPEM)
    }

    @Test func parsesInlineYAMLWithRelativePaths() throws {
        let directory = try TemporaryDirectory()
        try directory.write("ca.crt", Self.caPEM)
        let config = try KubeConfig.parse(
            yaml: """
                current-context: x
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:8001/clusters/lab-1", certificate-authority: ca.crt}}]
                contexts: [{name: x, context: {cluster: c, namespace: labs}}]
                """, directory: directory.path)
        #expect(config.server == "http://127.0.0.1:8001/clusters/lab-1")
        #expect(config.tls.certificateAuthorityPEM == Self.caPEM)
        #expect(config.namespace == "labs")
        #expect(config.credentials == KubeConfig.Credentials())
    }

    @Test func aRenderedDocumentReadsBackAsWritten() throws {
        let text = KubeConfig.document(
            server: "https://127.0.0.1:8443/clusters/cluster1", clusterName: "cluster1", userName: "session-a",
            contextName: "session-a", token: "t0ken", certificateAuthorityPEM: Self.caPEM, namespace: "default")
        let config = try KubeConfig.parse(yaml: text, directory: "/nonexistent")
        #expect(config.server == "https://127.0.0.1:8443/clusters/cluster1")
        #expect(config.tls.certificateAuthorityPEM == Self.caPEM)
        #expect(config.credentials.token == "t0ken")
        #expect(config.namespace == "default")
        let bare = try KubeConfig.parse(
            yaml: KubeConfig.document(
                server: "http://127.0.0.1:1/x", clusterName: "c", userName: "u", contextName: "x", token: "t",
                certificateAuthorityPEM: nil),
            directory: "/nonexistent")
        #expect(bare.tls.certificateAuthorityPEM == nil)
        #expect(bare.namespace == "default")
    }

    // MARK: Errors

    static let skeleton = """
        current-context: main
        clusters:
        - name: c
          cluster: {server: "https://c.example.com"}
        contexts:
        - name: main
          context: {cluster: c, user: u}
        - name: no-cluster
          context: {cluster: ghost, user: u}
        - name: no-user
          context: {cluster: c, user: phantom}
        users:
        - name: u
          user: {token: abc}
        """

    @Test func unknownContextListsTheKnownOnes() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.skeleton)
        #expect(throws: KubeConfigError.unknownContext("staging", available: ["main", "no-cluster", "no-user"])) {
            try KubeConfig.load(path: path, context: "staging", environment: [:])
        }
    }

    @Test func contextNamingMissingClusterOrUserFails() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.skeleton)
        #expect(throws: KubeConfigError.missingCluster(context: "no-cluster", cluster: "ghost")) {
            try KubeConfig.load(path: path, context: "no-cluster", environment: [:])
        }
        #expect(throws: KubeConfigError.missingUser(context: "no-user", user: "phantom")) {
            try KubeConfig.load(path: path, context: "no-user", environment: [:])
        }
    }

    @Test func noCurrentContextFails() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config", Self.skeleton.replacingOccurrences(of: "current-context: main\n", with: ""))
        #expect(throws: KubeConfigError.noCurrentContext) { try KubeConfig.load(path: path, environment: [:]) }
        #expect(try KubeConfig.load(path: path, context: "main", environment: [:]).credentials.token == "abc")
    }

    @Test func unreadableCertificateNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://c.example.com", certificate-authority: missing-ca.crt}}]
            contexts: [{name: x, context: {cluster: c}}]
            """)
        #expect(
            throws: KubeConfigError.unreadableCertificate(
                path: directory.file("missing-ca.crt"),
                field: "certificate-authority", reason: "no such file")
        ) {
            try KubeConfig.load(path: path, environment: [:])
        }
    }

    @Test func missingTokenFileFails() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://c.example.com"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            users: [{name: u, user: {tokenFile: /nonexistent/token}}]
            """)
        #expect(throws: KubeConfigError.unreadableToken(path: "/nonexistent/token", reason: "no such file")) {
            try KubeConfig.load(path: path, environment: [:])
        }
    }

    @Test func inconsistentCredentialsFail() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config",
            """
            current-context: cert-only
            clusters: [{name: c, cluster: {server: "https://c.example.com"}}]
            contexts:
            - {name: cert-only, context: {cluster: c, user: cert-only}}
            - {name: both, context: {cluster: c, user: both}}
            - {name: exec, context: {cluster: c, user: exec}}
            users:
            - {name: cert-only, user: {client-certificate-data: \(base64(Self.certPEM))}}
            - {name: both, user: {token: t, username: a, password: b}}
            - {name: exec, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}}
            """)
        for context in ["cert-only", "both", "exec"] {
            let error = #expect(throws: KubeConfigError.self) {
                try KubeConfig.load(path: path, context: context, environment: [:])
            }
            guard case .invalidCredentials(let user, _)? = error else {
                Issue.record("expected invalidCredentials for \(context), got \(String(describing: error))")
                continue
            }
            #expect(user == context)
        }
    }

    @Test func malformedFilesFailWithTheirPath() throws {
        let directory = try TemporaryDirectory()
        let yaml = try directory.write("broken", "clusters: [unterminated\n")
        let broken = #expect(throws: KubeConfigError.self) { try KubeConfig.load(path: yaml, environment: [:]) }
        guard case .invalidFile(let path, _)? = broken else {
            Issue.record("expected invalidFile, got \(String(describing: broken))")
            return
        }
        #expect(path == yaml)
        let badServer = try directory.write(
            "bad-server",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "c.example.com:6443"}}]
            contexts: [{name: x, context: {cluster: c}}]
            """)
        #expect(throws: KubeConfigError.invalidServer(cluster: "c", server: "c.example.com:6443")) {
            try KubeConfig.load(path: badServer, environment: [:])
        }
        let badBase64 = try directory.write(
            "bad-base64",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://c", certificate-authority-data: "%%%"}}]
            contexts: [{name: x, context: {cluster: c}}]
            """)
        #expect(throws: KubeConfigError.invalidBase64(field: "certificate-authority-data", entry: "c")) {
            try KubeConfig.load(path: badBase64, environment: [:])
        }
        let conflicting = try directory.write(
            "conflicting",
            """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://c", certificate-authority-data: \(base64(Self.caPEM)), insecure-skip-tls-verify: true}}]
            contexts: [{name: x, context: {cluster: c}}]
            """)
        #expect(throws: KubeConfigError.conflictingTLS(cluster: "c")) {
            try KubeConfig.load(path: conflicting, environment: [:])
        }
    }

    @Test func errorsReadAsOneLine() {
        let error = KubeConfigError.missingUser(context: "dev", user: "alice")
        #expect(error.description == "context \"dev\" names user \"alice\", which is not defined")
        #expect(!KubeConfigError.noConfiguration(searched: ["/a", "/b"]).description.contains("\n"))
    }
}
