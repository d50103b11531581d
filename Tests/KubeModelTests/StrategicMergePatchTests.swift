import Testing

@testable import KubeModel

@Suite struct StrategicMergePatchTests {
    private func apply(_ patch: String, to original: String) throws -> JSONValue {
        try StrategicMergePatch.apply(try json(patch), to: try json(original))
    }

    private func failure(_ patch: String, _ original: String) throws -> PatchError? {
        let patchValue = try json(patch)
        let originalValue = try json(original)
        return #expect(throws: PatchError.self) { try StrategicMergePatch.apply(patchValue, to: originalValue) }
    }

    static let liveDeployment = #"""
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "5", "generation": 1,
           "labels": {"app": "web"},
           "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"old\":true}\n", "deployment.kubernetes.io/revision": "1"}},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
           "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
           "template": {"metadata": {"labels": {"app": "web"}},
             "spec": {"containers": [
                {"name": "web", "image": "nginx:1.24", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/etc/cfg"}],
                 "resources": {}, "terminationMessagePath": "/dev/termination-log"},
                {"name": "sidecar", "image": "busybox", "args": ["sleep", "3600"]}],
              "nodeSelector": {"disk": "ssd", "zone": "a"},
              "tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}],
              "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}}},
         "status": {"replicas": 1, "conditions": [{"type": "Available", "status": "False"}, {"type": "Progressing", "status": "True"}]}}
        """#

    @Test func kubectlApplyUpdate() throws {
        let patch = #"""
            {"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"new\":true}\n"}, "labels": {"tier": "frontend"}},
             "spec": {"replicas": 3,
               "template": {"spec": {
                 "$setElementOrder/containers": [{"name": "web"}, {"name": "sidecar"}],
                 "containers": [{"name": "web", "image": "nginx:1.25",
                    "$setElementOrder/env": [{"name": "A"}, {"name": "C"}],
                    "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "B"}]}]}}}}
            """#
        let result = try apply(patch, to: Self.liveDeployment)
        var expected = try json(Self.liveDeployment)
        expected[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] = "{\"new\":true}\n"
        expected[path: ["metadata", "labels", "tier"]] = "frontend"
        expected[path: ["spec", "replicas"]] = 3
        var containers = expected[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        containers[0]["image"] = "nginx:1.25"
        containers[0]["env"] = [["name": "A", "value": "1"], ["name": "C", "value": "3"]]
        expected[path: ["spec", "template", "spec", "containers"]] = .array(containers)
        #expect(result == expected)
        #expect(directiveKeys(in: result).isEmpty)
    }

    @Test func kubectlApplyRemovesAContainer() throws {
        let patch = #"""
            {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "web"}],
               "containers": [{"$patch": "delete", "name": "sidecar"}]}}}}
            """#
        let result = try apply(patch, to: Self.liveDeployment)
        let names = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["web"])
        #expect(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "nginx:1.24")
        #expect(directiveKeys(in: result).isEmpty)
    }

    @Test func setElementOrderReordersWithoutOtherChanges() throws {
        let original = #"{"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}"#
        let patch = #"{"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}}"#
        #expect(try apply(patch, to: original) == (try json(#"{"spec": {"containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}}"#)))
    }

    @Test func setElementOrderKeepsServerOnlyElementsInPlace() throws {
        // "x" was added on the server; the client orders only its own elements.
        let original = #"{"spec": {"containers": [{"name": "a"}, {"name": "x"}, {"name": "b"}]}}"#
        let patch =
            #"{"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}], "containers": [{"name": "c", "image": "i"}]}}"#
        #expect(
            try apply(patch, to: original)
                == (try json(#"{"spec": {"containers": [{"name": "a"}, {"name": "x"}, {"name": "b"}, {"name": "c", "image": "i"}]}}"#)))
    }

    @Test func envMergesByNameInKubernetesOrder() throws {
        let original =
            #"{"spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}]}]}}"#
        let patch = #"{"spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "20"}, {"name": "D", "value": "4"}]}]}}"#
        // Without $setElementOrder Kubernetes interleaves: the new D follows B, the element it was sent after.
        #expect(
            try apply(patch, to: original)
                == (try json(
                    #"{"spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "20"}, {"name": "D", "value": "4"}, {"name": "C", "value": "3"}]}]}}"#
                )))
    }

    @Test func envValueFromReplacesValueWhenValueIsNulled() throws {
        let original = #"{"spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}]}]}}"#
        let patch =
            #"{"spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": null, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}}"#
        #expect(
            try apply(patch, to: original)
                == (try json(
                    #"{"spec": {"containers": [{"name": "app", "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}}"#
                )))
    }

    @Test func newElementsGoFirstAsOnARealServer() throws {
        // The example from the Kubernetes "Update API Objects in Place Using kubectl patch" task.
        let original = #"{"spec": {"containers": [{"name": "patch-demo-ctr", "image": "nginx"}]}}"#
        let patch = #"{"spec": {"containers": [{"name": "patch-demo-ctr-2", "image": "redis"}]}}"#
        #expect(
            try apply(patch, to: original)
                == (try json(
                    #"{"spec": {"containers": [{"name": "patch-demo-ctr-2", "image": "redis"}, {"name": "patch-demo-ctr", "image": "nginx"}]}}"#
                )))
    }

    @Test func patchOrderWinsOverOriginalOrder() throws {
        // Kubernetes' "preserve the order from the patch in a merging list 2".
        let original = #"{"spec": {"volumes": [{"name": "one"}, {"name": "two", "x": "b"}, {"name": "three"}]}}"#
        let patch = #"{"spec": {"volumes": [{"name": "three", "x": "c"}, {"name": "one", "x": "a"}]}}"#
        #expect(
            try apply(patch, to: original)
                == (try json(#"{"spec": {"volumes": [{"name": "two", "x": "b"}, {"name": "three", "x": "c"}, {"name": "one", "x": "a"}]}}"#))
        )
    }

    @Test func finalizersAreASetUnion() throws {
        let original = #"{"metadata": {"finalizers": ["a", "b"]}}"#
        #expect(
            try apply(#"{"metadata": {"finalizers": ["b", "c"]}}"#, to: original)
                == (try json(#"{"metadata": {"finalizers": ["a", "b", "c"]}}"#)))
        #expect(
            try apply(#"{"metadata": {"finalizers": ["a"]}}"#, to: original) == (try json(#"{"metadata": {"finalizers": ["a", "b"]}}"#)))
        #expect(
            try apply(#"{"metadata": {"finalizers": ["x"]}}"#, to: #"{"metadata": {}}"#)
                == (try json(#"{"metadata": {"finalizers": ["x"]}}"#)))
    }

    @Test func deleteFromPrimitiveList() throws {
        let original = #"{"metadata": {"finalizers": ["a", "b", "c"]}}"#
        #expect(
            try apply(#"{"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "zzz"]}}"#, to: original)
                == (try json(#"{"metadata": {"finalizers": ["a", "c"]}}"#)))
        #expect(
            try apply(
                #"{"metadata": {"$setElementOrder/finalizers": ["c", "a"], "$deleteFromPrimitiveList/finalizers": ["b"]}}"#, to: original)
                == (try json(#"{"metadata": {"finalizers": ["c", "a"]}}"#)))
        #expect(
            try apply(#"{"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}"#, to: #"{"metadata": {}}"#)
                == (try json(#"{"metadata": {}}"#)))
    }

    @Test func patchDirectivesOnMaps() throws {
        let original = #"{"spec": {"nodeSelector": {"disk": "ssd", "zone": "a"}, "labels": {"a": "1"}}}"#
        #expect(
            try apply(#"{"spec": {"nodeSelector": {"$patch": "replace", "zone": "b"}}}"#, to: original)
                == (try json(#"{"spec": {"nodeSelector": {"zone": "b"}, "labels": {"a": "1"}}}"#)))
        #expect(
            try apply(#"{"spec": {"nodeSelector": {"$patch": "delete"}}}"#, to: original)
                == (try json(#"{"spec": {"nodeSelector": {}, "labels": {"a": "1"}}}"#)))
        #expect(
            try apply(#"{"spec": {"labels": {"$patch": "merge", "b": "2"}}}"#, to: original)
                == (try json(#"{"spec": {"nodeSelector": {"disk": "ssd", "zone": "a"}, "labels": {"a": "1", "b": "2"}}}"#)))
    }

    @Test func patchDirectivesInLists() throws {
        let original = #"{"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}}"#
        #expect(
            try apply(#"{"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}}"#, to: original)
                == (try json(#"{"spec": {"containers": [{"name": "only", "image": "x"}]}}"#)))
        #expect(
            try apply(#"{"spec": {"containers": [{"$patch": "replace"}]}}"#, to: original) == (try json(#"{"spec": {"containers": []}}"#)))
        #expect(
            try apply(#"{"spec": {"containers": [{"name": "b", "$patch": "merge", "image": "3"}]}}"#, to: original)
                == (try json(#"{"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "3"}]}}"#)))
        #expect(
            try apply(#"{"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}"#, to: original)
                == (try json(#"{"spec": {"containers": [{"name": "b", "image": "2"}]}}"#)))
    }

    @Test func retainKeysClearsOtherFields() throws {
        let patch = #"{"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": null}}}"#
        let result = try apply(patch, to: Self.liveDeployment)
        #expect(result[path: ["spec", "strategy"]] == ["type": "Recreate"])
        #expect(directiveKeys(in: result).isEmpty)
    }

    @Test func atomicListsAreReplaced() throws {
        let patch = #"""
            {"spec": {"template": {"spec": {"tolerations": [{"key": "c", "operator": "Exists"}],
               "containers": [{"name": "sidecar", "args": ["sleep", "1"]}]}}}}
            """#
        let result = try apply(patch, to: Self.liveDeployment)
        #expect(result[path: ["spec", "template", "spec", "tolerations"]] == [["key": "c", "operator": "Exists"]])
        let sidecar = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.last
        #expect(sidecar == ["name": "sidecar", "image": "busybox", "args": ["sleep", "1"]])
    }

    @Test func containerPortsMergeByContainerPortAndServicePortsByPort() throws {
        let containerPatch = #"""
            {"spec": {"template": {"spec": {"containers": [{"name": "web",
               "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443, "name": "https"}]}]}}}}
            """#
        let deployment = try apply(containerPatch, to: Self.liveDeployment)
        #expect(
            deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["ports"]
                == [["containerPort": 80, "protocol": "TCP", "name": "http"], ["containerPort": 443, "name": "https"]])

        let service = #"{"spec": {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}, {"port": 443, "targetPort": 8443}]}}"#
        #expect(
            try apply(#"{"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}"#, to: service)
                == (try json(
                    #"{"spec": {"ports": [{"port": 80, "targetPort": 9090, "protocol": "TCP"}, {"port": 443, "targetPort": 8443}]}}"#)))
    }

    @Test func volumeMountsMergeByMountPath() throws {
        let patch =
            #"{"spec": {"template": {"spec": {"containers": [{"name": "web", "volumeMounts": [{"mountPath": "/data", "readOnly": true}]}]}}}}"#
        let result = try apply(patch, to: Self.liveDeployment)
        #expect(
            result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["volumeMounts"]
                == [["name": "data", "mountPath": "/data", "readOnly": true], ["name": "cfg", "mountPath": "/etc/cfg"]])
    }

    @Test func conditionsMergeByType() throws {
        let patch = #"{"status": {"conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}}"#
        let result = try apply(patch, to: Self.liveDeployment)
        #expect(
            result[path: ["status", "conditions"]]
                == [
                    ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"],
                    ["type": "Progressing", "status": "True"],
                ])
    }

    @Test func ownerReferencesMergeByUID() throws {
        let original = #"{"metadata": {"ownerReferences": [{"uid": "1", "kind": "ReplicaSet", "name": "a"}]}}"#
        let patch = #"{"metadata": {"ownerReferences": [{"uid": "1", "controller": true}, {"uid": "2", "kind": "Foo", "name": "b"}]}}"#
        #expect(
            try apply(patch, to: original)
                == (try json(
                    #"{"metadata": {"ownerReferences": [{"uid": "1", "kind": "ReplicaSet", "name": "a", "controller": true}, {"uid": "2", "kind": "Foo", "name": "b"}]}}"#
                )))
    }

    @Test func nullDeletesAndScalarsReplace() throws {
        let result = try apply(
            #"{"metadata": {"labels": {"app": null, "new": "x"}}, "spec": {"replicas": 2, "paused": null}}"#, to: Self.liveDeployment)
        #expect(result[path: ["metadata", "labels"]] == ["new": "x"])
        #expect(result[path: ["spec", "replicas"]] == 2)
        #expect(result[path: ["spec", "paused"]] == nil)
    }

    @Test func freshValuesLoseTheirDirectivesAndNulls() throws {
        let patch = #"""
            {"spec": {"volumes": [{"name": "v", "emptyDir": {}}, {"$patch": "delete", "name": "zzz"}],
                      "extra": {"a": null, "b": 1, "$patch": "merge"}, "name": {"first": "x"}}}
            """#
        #expect(
            try apply(patch, to: #"{"spec": {"name": "plain string"}}"#)
                == (try json(#"{"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "extra": {"b": 1}, "name": {"first": "x"}}}"#)))
    }

    @Test func reportsMalformedPatches() throws {
        let original = #"{"metadata": {}, "spec": {"containers": [{"name": "a"}], "strategy": {"type": "RollingUpdate"}}}"#
        let cases: [(String, PatchError)] = [
            (
                #"{"spec": {"containers": [{"image": "x"}]}}"#,
                PatchError(reason: #"list element {"image":"x"} does not contain the merge key "name""#, path: "spec.containers")
            ),
            (
                #"{"spec": {"containers": [{"$patch": "delete"}]}}"#,
                PatchError(reason: #"list element {} does not contain the merge key "name""#, path: "spec.containers")
            ),
            (
                #"{"spec": {"containers": ["a"]}}"#,
                PatchError(reason: #"elements of this list must be objects merged by "name", not string"#, path: "spec.containers")
            ),
            (
                #"{"metadata": {"$patch": "explode"}}"#,
                PatchError(reason: #"unknown $patch directive "explode" (expected replace, delete or merge)"#, path: "metadata")
            ),
            (
                #"{"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}"#,
                PatchError(reason: #"the patch sets "rollingUpdate", which its $retainKeys list leaves out"#, path: "spec.strategy")
            ),
            (
                #"{"spec": {"$setElementOrder/containers": "a"}}"#,
                PatchError(reason: "$setElementOrder/containers must name a field and hold a list", path: "spec")
            ),
        ]
        for (patch, expected) in cases {
            #expect(try failure(patch, original) == expected, "applying \(patch)")
        }
        #expect(try failure("[1]", original) == PatchError(reason: "a strategic merge patch must be a JSON object, not array"))
    }

    @Test func mergeKeyTableDependsOnPath() {
        #expect(
            StrategicMergeKeys.strategy(forField: "ports", under: ["spec", "template", "spec", "containers"])
                == .merge(key: "containerPort"))
        #expect(StrategicMergeKeys.strategy(forField: "ports", under: ["spec", "initContainers"]) == .merge(key: "containerPort"))
        #expect(StrategicMergeKeys.strategy(forField: "ports", under: ["spec"]) == .merge(key: "port"))
        #expect(StrategicMergeKeys.strategy(forField: "finalizers", under: ["metadata"]) == .mergePrimitives)
        #expect(StrategicMergeKeys.strategy(forField: "finalizers", under: ["spec"]) == .replace)
        #expect(StrategicMergeKeys.strategy(forField: "env", under: ["spec", "containers"]) == .merge(key: "name"))
        #expect(StrategicMergeKeys.strategy(forField: "imagePullSecrets", under: ["spec"]) == .merge(key: "name"))
        #expect(StrategicMergeKeys.strategy(forField: "volumeDevices", under: ["spec", "containers"]) == .merge(key: "devicePath"))
        #expect(StrategicMergeKeys.strategy(forField: "hostAliases", under: ["spec"]) == .merge(key: "ip"))
        #expect(StrategicMergeKeys.strategy(forField: "topologySpreadConstraints", under: ["spec"]) == .merge(key: "topologyKey"))
        #expect(StrategicMergeKeys.strategy(forField: "tolerations", under: ["spec"]) == .replace)
        #expect(StrategicMergeKeys.strategy(forField: "args", under: ["spec", "containers"]) == .replace)
    }
}
