import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

/// CRUD, patch and errors against the real embedded server over HTTPS.
@Suite(.timeLimit(.minutes(2)))
struct HTTPClientCRUDTests {
    @Test func createGetUpdateDelete() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let created = try await client.create(.configMaps, object: configMap("settings", data: ["mode": "fast"]))
            #expect(created.name == "settings")
            #expect(created[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)
            #expect(created[path: ["data", "mode"]] == "fast")

            let fetched = try await client.get(.configMaps, namespace: "default", name: "settings")
            #expect(fetched.resourceVersion == created.resourceVersion)

            var changed = fetched
            changed["data"] = ["mode": "safe"]
            let updated = try await client.update(.configMaps, object: changed)
            #expect(updated[path: ["data", "mode"]] == "safe")
            #expect(updated.resourceVersion != created.resourceVersion)

            try await client.delete(.configMaps, namespace: "default", name: "settings")
            let missing = await #expect(throws: KubeClientError.self) {
                _ = try await client.get(.configMaps, namespace: "default", name: "settings")
            }
            #expect(missing?.isNotFound == true)
        }
    }

    @Test func namespaceDefaultsToTheObjectsThenTheConfigurations() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await client.create(.namespaces, object: ["metadata": ["name": "team-a"]])
            var inTeam = configMap("own")
            inTeam[path: ["metadata", "namespace"]] = "team-a"
            _ = try await client.create(.configMaps, object: inTeam)
            #expect(try await client.get(.configMaps, namespace: "team-a", name: "own").name == "own")

            var bare = configMap("bare")
            bare[path: ["metadata", "namespace"]] = nil
            _ = try await client.create(.configMaps, object: bare)
            #expect(try await client.get(.configMaps, name: "bare")[path: ["metadata", "namespace"]] == "default")

            let namespace = try await client.get(.namespaces, name: "team-a")
            #expect(namespace["kind"] == "Namespace")
        }
    }

    @Test func dryRunChangesNothing() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let answer = try await client.create(
                .configMaps, namespace: "default", object: configMap("dry"),
                options: WriteOptions(dryRun: true, fieldManager: "tests"))
            #expect(answer.name == "dry")
            #expect(try await client.list(.configMaps, namespace: "default").items.allSatisfy { $0.name != "dry" })
        }
    }

    @Test func statusSubresourceAndDeleteOptions() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let pod: JSONValue = [
                "metadata": ["name": "web", "namespace": "default"],
                "spec": ["containers": [["name": "app", "image": "nginx"]]],
            ]
            _ = try await client.create(.pods, object: pod)
            let patched = try await client.patch(
                .pods, namespace: "default", name: "web",
                patch: ["status": ["phase": "Running"]], type: .merge,
                subresource: "status", options: .default)
            #expect(patched[path: ["status", "phase"]] == "Running")
            let status = try await client.get(.pods, namespace: "default", name: "web", subresource: "status")
            #expect(status[path: ["status", "phase"]] == "Running")

            let refused = await #expect(throws: KubeClientError.self) {
                _ = try await client.delete(
                    .pods, namespace: "default", name: "web",
                    options: DeleteOptions(preconditionUID: "not-the-uid"))
            }
            #expect(refused?.code == 409 && refused?.isConflict == true)
            _ = try await client.delete(
                .pods, namespace: "default", name: "web",
                options: DeleteOptions(propagationPolicy: .background, gracePeriodSeconds: 0))
            #expect(try await client.list(.pods, namespace: "default").items.isEmpty)
        }
    }

    @Test func patchKinds() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await client.create(.configMaps, object: configMap("p", labels: ["keep": "yes"], data: ["a": "1", "b": "2"]))

            let merged = try await client.patch(
                .configMaps, namespace: "default", name: "p",
                patch: ["metadata": ["labels": ["added": "true"]], "data": ["b": nil]])
            #expect(merged[path: ["metadata", "labels"]] == ["keep": "yes", "added": "true"])
            #expect(merged["data"] == ["a": "1"])

            let jsonPatched = try await client.patch(
                .configMaps, namespace: "default", name: "p",
                patch: [["op": "replace", "path": "/data/a", "value": "10"], ["op": "add", "path": "/data/c", "value": "3"]],
                type: .json)
            #expect(jsonPatched["data"] == ["a": "10", "c": "3"])

            let pod: JSONValue = [
                "metadata": ["name": "two", "namespace": "default"],
                "spec": [
                    "containers": [
                        ["name": "app", "image": "app:1"], ["name": "sidecar", "image": "proxy:1"],
                    ]
                ],
            ]
            _ = try await client.create(.pods, object: pod)
            let strategic = try await client.patch(
                .pods, namespace: "default", name: "two",
                patch: ["spec": ["containers": [["name": "sidecar", "image": "proxy:2"]]]], type: .strategic)
            let containers = strategic[path: ["spec", "containers"]]?.arrayValue ?? []
            #expect(containers.map { $0["name"] } == ["app", "sidecar"], "merged by name, not replaced")
            #expect(containers.map { $0["image"] } == ["app:1", "proxy:2"])
        }
    }

    @Test func errorsCarryTheServersStatus() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            do throws(KubeClientError) {
                _ = try await client.get(.configMaps, namespace: "default", name: "ghost")
                Issue.record("expected 404")
            } catch {
                #expect(error.code == 404 && error.reason == "NotFound" && error.isNotFound)
                #expect(error.message.contains("ghost"))
                #expect(error.request == "GET /api/v1/namespaces/default/configmaps/ghost")
                #expect(error.status?["kind"] == "Status")
            }

            let first = try await client.create(.configMaps, object: configMap("once"))
            do throws(KubeClientError) {
                _ = try await client.create(.configMaps, object: configMap("once"))
                Issue.record("expected 409")
            } catch {
                #expect(error.code == 409 && error.isAlreadyExists && !error.isConflict)
            }

            _ = try await client.patch(.configMaps, namespace: "default", name: "once", patch: ["data": ["x": "1"]])
            do throws(KubeClientError) {
                _ = try await client.update(.configMaps, object: first)
                Issue.record("expected a conflict on a stale resourceVersion")
            } catch {
                #expect(error.code == 409 && error.isConflict)
            }

            do throws(KubeClientError) {
                _ = try await client.create(.configMaps, object: configMap("Not_A_DNS_Name"))
                Issue.record("expected 422")
            } catch {
                #expect(error.code == 422 && error.reason == "Invalid")
                #expect(error.message.contains("Not_A_DNS_Name"))
            }

            do throws(KubeClientError) {
                _ = try await client.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "a in (b"))
                Issue.record("expected 400")
            } catch {
                #expect(error.code == 400 && error.reason == "BadRequest")
            }
        }
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client(kubeconfig: cluster.kubeconfig(token: "wrong"))
            do throws(KubeClientError) {
                _ = try await client.list(.configMaps, namespace: "default")
                Issue.record("expected 401")
            } catch {
                #expect(error.code == 401 && error.reason == "Unauthorized")
            }
        }
    }

    @Test func rotatedTokenFileIsPickedUp() async throws {
        try await TestCluster.run { cluster in
            let tokenFile = try cluster.directory.write("token", "stale-token\n")
            let client = try cluster.client(
                kubeconfig: cluster.kubeconfig(token: nil, tokenFile: tokenFile),
                tokenRefreshInterval: .milliseconds(200))
            await #expect(throws: KubeClientError.self) {
                _ = try await client.get(.namespaces, name: "default")
            }
            try cluster.directory.write("token", "t\n")
            let recovered = await eventually(timeout: .seconds(5)) {
                (try? await client.get(.namespaces, name: "default")) != nil
            }
            #expect(recovered, "the rotated token is read again after the refresh interval")
        }
    }
}
