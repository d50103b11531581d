import ControllerKit
import KubeClient
import KubeModel
import Testing

/// Finalizers, status writes and create-or-patch against the in-memory API.
@Suite struct ToolkitAPITests {
    private let finalizer = "virtyard.io/test"

    @Test func finalizerHelpersReportWhetherAnythingChanged() {
        var object = Fixtures.object(Fixtures.widgets, "default", "w")
        #expect(Finalizers.add(finalizer, to: &object))
        #expect(!Finalizers.add(finalizer, to: &object))
        #expect(object.finalizers == [finalizer])
        object.finalizers.append("other")
        #expect(Finalizers.remove(finalizer, from: &object))
        #expect(!Finalizers.remove(finalizer, from: &object))
        #expect(object.finalizers == ["other"])
    }

    @Test func addFinalizerWritesOnlyWhenMissing() async throws {
        let api = FakeKubernetesAPI()
        let stored = await api.put(Fixtures.widgets, Fixtures.object(Fixtures.widgets, "default", "w"))
        let written = try await api.addFinalizer(finalizer, to: stored, Fixtures.widgets)
        #expect(written?.finalizers == [finalizer])
        #expect(api.object(Fixtures.widgets, namespace: "default", name: "w")?.finalizers == [finalizer])
        let again = try await api.addFinalizer(finalizer, to: try #require(written), Fixtures.widgets)
        #expect(again == nil)
        #expect(api.object(Fixtures.widgets, namespace: "default", name: "w")?.resourceVersion == written?.resourceVersion)
    }

    @Test func addFinalizerOnAStaleCopyConflicts() async throws {
        let api = FakeKubernetesAPI()
        let stale = await api.put(Fixtures.widgets, Fixtures.object(Fixtures.widgets, "default", "w"))
        var newer = stale
        newer.labels = ["changed": "yes"]
        _ = await api.put(Fixtures.widgets, newer)
        await #expect(throws: KubeClientError.self) {
            try await api.addFinalizer(finalizer, to: stale, Fixtures.widgets)
        }
    }

    @Test func removeFinalizerToleratesAnObjectAlreadyGone() async throws {
        let api = FakeKubernetesAPI()
        var object = Fixtures.object(Fixtures.widgets, "default", "w")
        object.finalizers = [finalizer, "other"]
        let stored = await api.put(Fixtures.widgets, object)
        let written = try await api.removeFinalizer(finalizer, from: stored, Fixtures.widgets)
        #expect(written?.finalizers == ["other"])
        #expect(try await api.removeFinalizer(finalizer, from: try #require(written), Fixtures.widgets) == nil)
        _ = try await api.delete(Fixtures.widgets, namespace: "default", name: "w")
        // Gone: nothing to remove it from, and no error.
        #expect(try await api.removeFinalizer("other", from: try #require(written), Fixtures.widgets) == nil)
    }

    @Test func statusIsWrittenOnlyWhenItChanged() async throws {
        let api = FakeKubernetesAPI()
        var object = Fixtures.object(Fixtures.widgets, "default", "w")
        object["status"] = ["phase": "Running"]
        let stored = await api.put(Fixtures.widgets, object)
        #expect(try await api.updateStatusIfChanged(Fixtures.widgets, current: stored, updated: stored) == nil)
        var updated = stored
        updated[path: ["status", "phase"]] = "Done"
        let written = try await api.updateStatusIfChanged(Fixtures.widgets, current: stored, updated: updated)
        #expect(written?[path: ["status", "phase"]] == "Done")
        #expect(written?.resourceVersion != stored.resourceVersion)
        #expect(api.object(Fixtures.widgets, namespace: "default", name: "w")?[path: ["status", "phase"]] == "Done")
    }

    @Test func createOrPatchCreatesThenPatchesThenLeavesAlone() async throws {
        let api = FakeKubernetesAPI()
        var desired = Fixtures.object(Fixtures.configMaps, "default", "settings", labels: ["app": "a"], data: ["k": "1"])
        let created = try await api.createOrPatch(Fixtures.configMaps, desired)
        guard case .created = created else {
            Issue.record("expected a create, got \(created)")
            return
        }

        // Someone else adds a field the desired state does not name: it must survive the patch.
        var theirs = try #require(api.object(Fixtures.configMaps, namespace: "default", name: "settings"))
        theirs[path: ["data", "extra"]] = "kept"
        _ = await api.put(Fixtures.configMaps, theirs)

        desired[path: ["data", "k"]] = "2"
        let patched = try await api.createOrPatch(Fixtures.configMaps, desired)
        guard case .patched(let object) = patched else {
            Issue.record("expected a patch, got \(patched)")
            return
        }
        #expect(object["data"] == ["k": "2", "extra": "kept"])

        let version = object.resourceVersion
        let again = try await api.createOrPatch(Fixtures.configMaps, desired)
        guard case .unchanged(let unchanged) = again else {
            Issue.record("expected no write, got \(again)")
            return
        }
        #expect(unchanged.resourceVersion == version)
        #expect(api.object(Fixtures.configMaps, namespace: "default", name: "settings")?.resourceVersion == version)
    }

    @Test func createOrPatchIgnoresStatusAndServerFields() async throws {
        let api = FakeKubernetesAPI()
        let desired = Fixtures.object(Fixtures.configMaps, "default", "settings", data: ["k": "1"])
        let created = try await api.createOrPatch(Fixtures.configMaps, desired).object
        var withServerFields = desired
        withServerFields.resourceVersion = "1"
        withServerFields["status"] = ["ignored": true]
        let again = try await api.createOrPatch(Fixtures.configMaps, withServerFields)
        #expect(again == .unchanged(created))
    }
}
