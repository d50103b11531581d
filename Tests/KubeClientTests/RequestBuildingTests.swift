import KubeModel
import Testing
import VirtyardTesting

@testable import KubeClient

/// URL paths and query strings, as kube-apiserver expects them.
struct RequestBuildingTests {
    static let deployments = ResourceType(
        group: "apps", version: "v1", resource: "deployments", kind: "Deployment",
        namespaced: true)
    static let crds = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)

    @Test func coreAndGroupPaths() {
        #expect(
            ResourcePath(.pods, namespace: "web", name: "p-1", subresource: "status").path
                == "/api/v1/namespaces/web/pods/p-1/status")
        #expect(ResourcePath(Self.deployments, namespace: "web").path == "/apis/apps/v1/namespaces/web/deployments")
        #expect(
            ResourcePath(Self.crds, namespace: "ignored", name: "vms.kubevirt.io").path
                == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/vms.kubevirt.io")
        #expect(ResourcePath(.pods, namespace: nil).path == "/api/v1/pods", "no namespace lists across all")
        #expect(ResourcePath(.namespaces, namespace: nil, name: "kube-system").path == "/api/v1/namespaces/kube-system")
    }

    @Test func listAndWatchQueries() {
        var list = ResourcePath(.pods, namespace: "web")
        list.add(
            list: ListOptions(
                labelSelector: "app in (a,b),tier!=db", fieldSelector: "status.phase=Running",
                limit: 50, continueToken: "abc+/=", resourceVersion: "42", timeoutSeconds: 30),
            watch: false)
        #expect(
            list.pathAndQuery == "/api/v1/namespaces/web/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb"
                + "&fieldSelector=status.phase%3DRunning&limit=50&continue=abc%2B%2F%3D&resourceVersion=42&timeoutSeconds=30")

        var watch = ResourcePath(.pods, namespace: nil)
        watch.add(
            list: ListOptions(
                limit: 5, continueToken: "x", resourceVersion: "7", timeoutSeconds: 1,
                allowWatchBookmarks: true), watch: true)
        #expect(watch.pathAndQuery == "/api/v1/pods?watch=true&resourceVersion=7&timeoutSeconds=1&allowWatchBookmarks=true")
    }

    @Test func writeAndDeleteQueries() {
        var write = ResourcePath(.pods, namespace: "web", name: "p")
        write.add(write: WriteOptions(dryRun: true, fieldManager: "virtyard", fieldValidation: "Strict"))
        #expect(write.pathAndQuery == "/api/v1/namespaces/web/pods/p?dryRun=All&fieldManager=virtyard&fieldValidation=Strict")

        var delete = ResourcePath(.pods, namespace: "web", name: "p")
        delete.add(delete: DeleteOptions(propagationPolicy: .foreground, gracePeriodSeconds: 0, dryRun: true))
        #expect(delete.pathAndQuery == "/api/v1/namespaces/web/pods/p?dryRun=All&propagationPolicy=Foreground&gracePeriodSeconds=0")
        var plain = ResourcePath(.pods, namespace: "web", name: "p")
        plain.add(write: .default)
        #expect(plain.pathAndQuery == "/api/v1/namespaces/web/pods/p")
    }

    @Test func serverPathPrefixAndTLSServerNameShapeTheBaseURL() async throws {
        let prefixed = try HTTPKubernetesClient(configuration: KubeConfig(server: "https://10.0.0.5:6443/clusters/lab-1/"))
        #expect(prefixed.baseURL == "https://10.0.0.5:6443/clusters/lab-1")
        try await prefixed.shutdown()
        let named = try HTTPKubernetesClient(
            configuration: KubeConfig(
                server: "https://10.0.0.5:6443", tls: .init(serverName: "kubernetes.default.svc")))
        #expect(named.baseURL == "https://kubernetes.default.svc:6443", "TLS verifies the name; DNS goes to the address")
        try await named.shutdown()
    }

    @Test func deleteOptionsBody() {
        let options = DeleteOptions(
            propagationPolicy: .orphan, preconditionUID: "u-1", preconditionResourceVersion: "9",
            gracePeriodSeconds: 5, dryRun: true)
        let expected: JSONValue = [
            "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan", "gracePeriodSeconds": 5,
            "preconditions": ["uid": "u-1", "resourceVersion": "9"], "dryRun": ["All"],
        ]
        #expect(options.body == expected)
        #expect(DeleteOptions.default.body == ["kind": "DeleteOptions", "apiVersion": "v1"])
    }

    @Test func statusBodiesBecomeErrors() {
        let status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 409,
            "reason": "AlreadyExists", "message": "configmaps \"a\" already exists",
        ]
        let error = KubeClientError(httpStatus: 409, body: status.serialized(), request: "POST /api/v1/x")
        #expect(error.code == 409 && error.isAlreadyExists && error.message == "configmaps \"a\" already exists")
        #expect(error.status == status)
        let plain = KubeClientError(httpStatus: 503, body: Array("upstream connect error".utf8), request: "GET /")
        #expect(plain.code == 503 && plain.reason == "ServiceUnavailable" && plain.message == "upstream connect error")
        #expect(plain.status == nil)
    }
}
