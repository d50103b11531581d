import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Logging

@testable import Tenancy

/// The routes over in-memory tenants and an in-memory Kubernetes API holding the namespace
/// of acme's VDC and one catalog-item Template in `openshift`.
struct VAppHarness {
    let tenants: InMemoryTenants
    let cluster: InMemoryKubernetes
    let templateUID: String

    static let template = "fedora"

    static func make() async throws -> VAppHarness {
        let cluster = InMemoryKubernetes()
        try await cluster.put(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "vdc-acme-acme-vdc"]])
        let stored = try await cluster.put(.openShiftTemplates, templateObject(template))
        return VAppHarness(
            tenants: InMemoryTenants.twoTenants, cluster: cluster, templateUID: stored["metadata"]?["uid"]?.stringValue ?? "")
    }

    static func templateObject(_ name: String, annotations: [String: JSONValue] = [:]) -> JSONValue {
        var allAnnotations: [String: JSONValue] = ["template.kubevirt.io/containerdisks": "quay.io/containerdisks/fedora:41"]
        allAnnotations.merge(annotations) { _, new in new }
        return [
            "apiVersion": "template.openshift.io/v1", "kind": "Template",
            "metadata": [
                "name": .string(name), "namespace": "openshift", "labels": ["template.kubevirt.io/version": "v0.31.1"],
                "annotations": .object(allAnnotations),
            ],
            "labels": ["app.kubernetes.io/part-of": "tests"],
            "objects": [
                [
                    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": ["name": "${NAME}"],
                    "spec": [
                        "running": false,
                        "template": ["spec": ["domain": ["cpu": ["cores": "${{CORES}}"], "memory": ["guest": "${MEMORY}"]]]],
                    ],
                ]
            ],
            "parameters": [
                ["name": "NAME", "generate": "expression", "from": "vm-[a-z]{8}"], ["name": "CORES", "value": "2"],
                ["name": "MEMORY", "value": "2Gi"],
            ],
        ]
    }

    var vdc: VDCRecord { InMemoryTenants.acmeVDC }

    func application() -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(
            router: VCDRouter.make(
                directory: tenants, sessions: SessionStore(), address: PublicAddress(TenancyHarness.base), logger: logger,
                vApps: cluster))
    }

    static let admin = "administrator@System:admin-pass"
    static let ann = "ann@acme:ann-pass"
    static let olga = "olga@acme:olga-pass"
    static let ivan = "ivan@initech:ivan-pass"
    static let catalogMedia = "application/vnd.vmware.admin.catalog+xml"
    static let instantiateMedia = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"

    /// Makes acme's catalog `lab` as the System administrator; its id.
    func makeCatalog(_ client: some TestClientProtocol) async throws -> String {
        let admin = try await TenancyHarness.login(client, Self.admin)
        let made = try await TenancyHarness.send(
            client, .post, "/api/admin/org/\(InMemoryTenants.acme.id)/catalogs", admin,
            body: #"<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="lab"><Description>Lab</Description></AdminCatalog>"#,
            contentType: Self.catalogMedia)
        guard made.status == .created, let urn = TenancyHarness.attribute("id", in: made.body) else {
            throw TenancyHarness.LoginFailed(identity: "catalog", status: made.status.code)
        }
        return String(urn.dropFirst("urn:vcloud:catalog:".count))
    }

    func instantiateXML(_ name: String, powerOn: Bool = false) -> String {
        """
        <InstantiateVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="\(name)" deploy="true" powerOn="\(powerOn)">
        <Description>made in a test</Description>
        <Source href="\(TenancyHarness.base)/api/vAppTemplate/vappTemplate-\(templateUID)"/>
        <AllEULAsAccepted>false</AllEULAsAccepted></InstantiateVAppTemplateParams>
        """
    }

    /// Instantiates `name` in acme's VDC as `identity`; the response.
    func instantiate(_ client: some TestClientProtocol, _ name: String, as identity: String = ann, powerOn: Bool = false)
        async throws -> (status: HTTPResponse.Status, body: String)
    {
        try await TenancyHarness.send(
            client, .post, "/api/vdc/\(vdc.id)/action/instantiateVAppTemplate", try await TenancyHarness.login(client, identity),
            body: instantiateXML(name, powerOn: powerOn), contentType: Self.instantiateMedia)
    }

    /// The `href` of the first element named `element` in `body`, without the base.
    static func path(of element: String, in body: String) -> String? {
        guard let start = body.range(of: "<\(element) ") else { return nil }
        guard let href = TenancyHarness.attribute("href", in: String(body[start.lowerBound...])) else { return nil }
        return String(href.dropFirst(TenancyHarness.base.count))
    }
}
