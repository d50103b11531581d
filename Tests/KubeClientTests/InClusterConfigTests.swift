import Foundation
import Testing
import VirtyardTesting

@testable import KubeClient

/// In-cluster configuration from the service-account directory a pod gets mounted.
struct InClusterConfigTests {
    static let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    func serviceAccount(namespace: String? = "workloads") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("token", "sa-token\n")
        try directory.write("ca.crt", KubeconfigTests.caPEM)
        if let namespace { try directory.write("namespace", namespace) }
        return directory
    }

    @Test func readsAddressTokenCAAndNamespace() throws {
        let directory = try serviceAccount()
        let config = try KubeConfig.inCluster(environment: Self.environment, serviceAccountDirectory: directory.path)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "workloads")
        #expect(config.tls.certificateAuthorityPEM == KubeconfigTests.caPEM)
        #expect(config.credentials.tokenFile == directory.file("token"), "kept as a file so rotation is followed")
        #expect(config.source == "in-cluster")
    }

    @Test func ipv6HostIsBracketedAndNamespaceDefaults() throws {
        let directory = try serviceAccount(namespace: nil)
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
            serviceAccountDirectory: directory.path)
        #expect(config.server == "https://[fd00::1]:6443")
        #expect(config.namespace == "default")
    }

    @Test func outsideAPodFails() throws {
        let directory = try serviceAccount()
        let error = #expect(throws: KubeConfigError.self) {
            try KubeConfig.inCluster(environment: [:], serviceAccountDirectory: directory.path)
        }
        guard case .notInCluster(let reason)? = error else {
            Issue.record("expected notInCluster, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("KUBERNETES_SERVICE_HOST"))
    }

    @Test func missingTokenOrCAFails() throws {
        let noToken = try TemporaryDirectory()
        try noToken.write("ca.crt", KubeconfigTests.caPEM)
        #expect(throws: KubeConfigError.unreadableToken(path: noToken.file("token"), reason: "no such file")) {
            try KubeConfig.inCluster(environment: Self.environment, serviceAccountDirectory: noToken.path)
        }
        let noCA = try TemporaryDirectory()
        try noCA.write("token", "abc")
        #expect(
            throws: KubeConfigError.unreadableCertificate(
                path: noCA.file("ca.crt"), field: "service-account ca.crt",
                reason: "no such file")
        ) {
            try KubeConfig.inCluster(environment: Self.environment, serviceAccountDirectory: noCA.path)
        }
    }

    @Test func automaticPrefersKubeconfigVariableThenInClusterThenHome() throws {
        let serviceAccount = try serviceAccount()
        let files = try TemporaryDirectory()
        let kubeconfig = try files.write("config", KubeconfigTests.twoContexts)
        try files.write(".kube/config", KubeconfigTests.twoContexts.replacingOccurrences(of: "dev.example.com", with: "home.example.com"))

        let inPod = try KubeConfig.automatic(
            environment: Self.environment.merging(["HOME": files.path]) { $1 },
            serviceAccountDirectory: serviceAccount.path)
        #expect(inPod.source == "in-cluster")

        let withVariable = try KubeConfig.automatic(
            environment: Self.environment.merging(["KUBECONFIG": kubeconfig]) { $1 },
            serviceAccountDirectory: serviceAccount.path)
        #expect(withVariable.server == "https://dev.example.com:6443")

        let explicit = try KubeConfig.automatic(
            path: kubeconfig, context: "prod", environment: Self.environment,
            serviceAccountDirectory: serviceAccount.path)
        #expect(explicit.server == "https://prod.example.com")

        let onLaptop = try KubeConfig.automatic(
            environment: ["HOME": files.path],
            serviceAccountDirectory: serviceAccount.path)
        #expect(onLaptop.server == "https://home.example.com:6443")
    }
}
