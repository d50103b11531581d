import KubeModel
import Testing

@testable import Tenancy

/// What the VDC reconciler writes: only what differs from the VDC, so its own writes do not
/// wake it forever.
@Suite struct VDCObjectWriteTests {
    static let objects = VDCNamespaceObjects(
        vdc: VDCRecord(
            id: "00000000-0000-4000-8000-0000000000d1", name: "acme-vdc", organizationID: InMemoryTenants.acme.id,
            namespace: "vdc-acme-acme-vdc",
            settings: VDCSettings(
                cpu: .init(allocated: 2000, limit: 4000, units: "MHz"), memory: .init(allocated: 0, limit: 4096, units: "MB"))),
        organization: InMemoryTenants.acme)

    @Test func aMissingObjectIsCreated() {
        #expect(VDCNamespaceObjects.write(wanted: Self.objects.quota, current: nil, replacesSpec: true) == .create(Self.objects.quota))
    }

    @Test func anObjectAsWantedIsLeftAlone() {
        var stored = Self.objects.quota
        stored = MergePatch.apply(["metadata": ["uid": "u1", "resourceVersion": "7", "labels": ["extra": "kept"]]], to: stored)
        #expect(VDCNamespaceObjects.write(wanted: Self.objects.quota, current: stored, replacesSpec: true) == nil)
        // A real API server writes quantities back in canonical form: still as wanted.
        let canonical = MergePatch.apply(["spec": ["hard": ["limits.cpu": "4", "requests.cpu": "2"]]], to: stored)
        #expect(VDCNamespaceObjects.write(wanted: Self.objects.quota, current: canonical, replacesSpec: true) == nil)
    }

    @Test func aSpecChangedByHandIsReplacedWholeAndOtherLabelsKept() throws {
        let edited = MergePatch.apply(
            ["metadata": ["labels": ["extra": "kept", "ssvirt.io/vdc": "other"]], "spec": ["ingress": [[:]], "egress": [[:]]]],
            to: Self.objects.networkPolicy)
        let write = VDCNamespaceObjects.write(wanted: Self.objects.networkPolicy, current: edited, replacesSpec: true)
        guard case .update(let object)? = write else {
            Issue.record("expected an update, got \(String(describing: write))")
            return
        }
        #expect(object["spec"] == Self.objects.networkPolicy["spec"])
        #expect(object["metadata"]?["labels"]?["extra"] == "kept")
        #expect(object["metadata"]?["labels"]?["ssvirt.io/vdc"] == "acme-vdc")
    }

    @Test func aNamespaceGetsItsLabelsBackButKeepsItsSpec() throws {
        let bare = MergePatch.apply(["metadata": ["labels": nil], "spec": ["finalizers": ["kubernetes"]]], to: Self.objects.namespace)
        guard case .update(let object)? = VDCNamespaceObjects.write(wanted: Self.objects.namespace, current: bare, replacesSpec: false)
        else {
            Issue.record("expected an update")
            return
        }
        #expect(object["metadata"]?["labels"]?["ssvirt.io/vdc-id"] == "00000000-0000-4000-8000-0000000000d1")
        #expect(object["spec"]?["finalizers"] == ["kubernetes"])
    }

    @Test func quantitiesCompareByValueOtherStringsExactly() {
        #expect(VDCNamespaceObjects.sameSpec(["a": "4096Mi"], ["a": "4Gi"]))
        #expect(!VDCNamespaceObjects.sameSpec(["a": "4096Mi"], ["a": "4097Mi"]))
        #expect(!VDCNamespaceObjects.sameSpec(["policyTypes": ["Ingress"]], ["policyTypes": ["Egress"]]))
        #expect(!VDCNamespaceObjects.sameSpec(["a": "1"], ["a": "1", "b": "2"]))
    }

    @Test func aVDCIsIndexedByTheNamespaceItOwns() {
        let vdc: JSONValue = ["metadata": ["name": "acme.acme-vdc"], "spec": ["organization": "acme", "name": "ACME-vdc"]]
        #expect(VDCReconciler.ownedNamespace(vdc) == ["vdc-acme-acme-vdc"])
        #expect(VDCReconciler.ownedNamespace(["spec": ["organization": "acme"]]) == [])
        #expect(VDCReconciler.ownedNamespace(["spec": ["organization": "acme", "name": .string(String(repeating: "v", count: 60))]]) == [])
    }
}
