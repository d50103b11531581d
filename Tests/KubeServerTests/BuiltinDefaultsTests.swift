import Foundation
import KubeModel
import Testing

@testable import KubeServer

/// The defaults kube-apiserver writes into built-in objects (BuiltinDefaults, PodSpecDefaults,
/// ServiceDefaults) and the Service address allocator, through ObjectAdmission as requests
/// reach them.
@Suite struct BuiltinDefaultsTests {
    private static func resource(_ group: String, _ resource: String) throws -> APIResource {
        try #require(
            BuiltinResources.all.first { $0.group == group && $0.resource == resource },
            "no built-in resource \(resource).\(group)")
    }

    private static func create(
        _ text: String, _ group: String, _ plural: String,
        admission: ObjectAdmission = ObjectAdmission()
    ) throws -> JSONValue {
        var object = try JSONValue(parsing: text)
        let resource = try resource(group, plural)
        _ = try admission.prepareCreate(
            &object, resource: resource, namespace: resource.namespaced ? "default" : nil,
            fieldValidation: .strict)
        return object
    }

    private static func refusal(
        _ text: String, _ group: String, _ plural: String,
        admission: ObjectAdmission = ObjectAdmission()
    ) throws -> APIError? {
        do {
            _ = try create(text, group, plural, admission: admission)
            return nil
        } catch let error as APIError {
            return error
        }
    }

    private static let deployment = #"""
        {"metadata": {"name": "web"},
         "spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}]}]}}}}
        """#

    // MARK: Every kind

    @Test func everyStoredBuiltinKindHasItsSchema() {
        let unschematized = BuiltinResources.all.filter { BuiltinSchemas.shared.schema(for: $0) == nil }
        #expect(unschematized.map(\.kind).isEmpty)
    }

    @Test func servesTheKindsAndNamesOfKubernetes132() throws {
        let byName = Dictionary(
            BuiltinResources.all.map { ("\($0.resource).\($0.group)", $0) },
            uniquingKeysWith: { first, _ in first })
        #expect(byName["deployments.apps"]?.shortNames == ["deploy"])
        #expect(byName["deployments.apps"]?.categories == ["all"])
        #expect(byName["cronjobs.batch"]?.shortNames == ["cj"])
        #expect(byName["horizontalpodautoscalers.autoscaling"]?.version == "v2")
        #expect(byName["poddisruptionbudgets.policy"]?.hasStatus == true)
        #expect(byName["networkpolicies.networking.k8s.io"]?.shortNames == ["netpol"])
        #expect(byName["clusterroles.rbac.authorization.k8s.io"]?.namespaced == false)
        #expect(byName["events.events.k8s.io"]?.shortNames == ["ev"])
        #expect(byName["apiservices.apiregistration.k8s.io"]?.categories == ["api-extensions"])
        let all = BuiltinResources.all.filter { $0.categories.contains("all") }.map(\.resource).sorted()
        #expect(
            all == [
                "cronjobs", "daemonsets", "deployments", "horizontalpodautoscalers", "jobs", "pods",
                "replicasets", "replicationcontrollers", "services", "statefulsets",
            ])
    }

    // MARK: apps, pod templates

    @Test func deploymentGetsKubeApiserversDefaults() throws {
        let object = try Self.create(Self.deployment, "apps", "deployments")
        #expect(object[path: ["spec", "replicas"]] == 1)
        #expect(
            object[path: ["spec", "strategy"]] == [
                "type": "RollingUpdate",
                "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"],
            ])
        #expect(object[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(object[path: ["spec", "progressDeadlineSeconds"]] == 600)
        #expect(object["status"] == [:])
        let pod = try #require(object[path: ["spec", "template", "spec"]])
        #expect(pod["restartPolicy"] == "Always")
        #expect(pod["dnsPolicy"] == "ClusterFirst")
        #expect(pod["terminationGracePeriodSeconds"] == 30)
        #expect(pod["schedulerName"] == "default-scheduler")
        #expect(pod["securityContext"] == [:])
        let container = try #require(pod["containers"]?.arrayValue?.first)
        #expect(container["imagePullPolicy"] == "Always")
        #expect(container["terminationMessagePath"] == "/dev/termination-log")
        #expect(container["terminationMessagePolicy"] == "File")
        #expect(container["resources"] == [:])
        #expect(container[path: ["ports"]] == [["containerPort": 80, "protocol": "TCP"]])
    }

    @Test(arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
        ("registry:5000/team/app", "Always"), ("registry:5000/team/app:v2", "IfNotPresent"),
        ("nginx@sha256:abc", "IfNotPresent"), ("nginx:latest@sha256:abc", "Always"),
    ])
    func imagePullPolicyFollowsTheTag(image: String, policy: String) {
        #expect(PodSpecDefaults.imagePullPolicy(for: image) == policy)
    }

    @Test func aDeploymentWhoseSelectorMissesItsTemplateIsInvalid() throws {
        let text = Self.deployment.replacingOccurrences(
            of: #""matchLabels": {"app": "web"}"#,
            with: #""matchLabels": {"app": "other"}"#)
        let error = try #require(try Self.refusal(text, "apps", "deployments"))
        #expect(error.code == 422)
        #expect(
            error.message
                == #"Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#
        )
    }

    @Test func aClientsStatusIsDroppedAtCreate() throws {
        let text = Self.deployment.replacingOccurrences(
            of: "{\"metadata\": {\"name\": \"web\"},",
            with: "{\"metadata\": {\"name\": \"web\"}, \"status\": {\"replicas\": 5},")
        #expect(try Self.create(text, "apps", "deployments")["status"] == [:])
    }

    // MARK: batch

    @Test func jobGetsItsDefaultsAndAGeneratedSelector() throws {
        let object = try Self.create(
            #"""
            {"metadata": {"name": "pi"},
             "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl:5.34"}], "restartPolicy": "Never"}}}}
            """#, "batch", "jobs")
        let uid = try #require(object.uid)
        #expect(object[path: ["spec", "parallelism"]] == 1)
        #expect(object[path: ["spec", "completions"]] == 1)
        #expect(object[path: ["spec", "backoffLimit"]] == 6)
        #expect(object[path: ["spec", "completionMode"]] == "NonIndexed")
        #expect(object[path: ["spec", "suspend"]] == false)
        #expect(object[path: ["spec", "selector"]] == ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        let labels: JSONValue = [
            "batch.kubernetes.io/controller-uid": .string(uid), "batch.kubernetes.io/job-name": "pi",
            "controller-uid": .string(uid), "job-name": "pi",
        ]
        #expect(object[path: ["spec", "template", "metadata", "labels"]] == labels)
        #expect(object[path: ["metadata", "labels"]] == labels)
        #expect(object[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["imagePullPolicy"] == "IfNotPresent")
    }

    @Test func aJobThatWouldRestartAlwaysIsInvalid() throws {
        let error = try #require(
            try Self.refusal(
                #"""
                {"metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
                """#, "batch", "jobs"))
        #expect(error.code == 422)
        #expect(
            error.message
                == #"Job.batch "j" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#
        )
    }

    @Test func aJobSelectorWithoutManualSelectorIsInvalid() throws {
        let error = try #require(
            try Self.refusal(
                #"""
                {"metadata": {"name": "j"},
                 "spec": {"selector": {"matchLabels": {"a": "b"}},
                          "template": {"metadata": {"labels": {"a": "b"}},
                                       "spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}
                """#, "batch", "jobs"))
        #expect(error.message.contains("spec.selector: Invalid value: map[string]string{\"a\":\"b\"}: `selector` will be auto-generated"))
    }

    @Test func cronJobGetsItsDefaults() throws {
        let object = try Self.create(
            #"""
            {"metadata": {"name": "c"},
             "spec": {"schedule": "*/5 * * * *",
                      "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox:1"}],
                                                                     "restartPolicy": "OnFailure"}}}}}}
            """#, "batch", "cronjobs")
        #expect(object[path: ["spec", "concurrencyPolicy"]] == "Allow")
        #expect(object[path: ["spec", "suspend"]] == false)
        #expect(object[path: ["spec", "successfulJobsHistoryLimit"]] == 3)
        #expect(object[path: ["spec", "failedJobsHistoryLimit"]] == 1)
        #expect(object[path: ["spec", "jobTemplate", "spec", "template", "spec", "dnsPolicy"]] == "ClusterFirst")
    }

    @Test func aCronJobWithABadScheduleIsInvalid() throws {
        let error = try #require(
            try Self.refusal(
                #"""
                {"metadata": {"name": "c"},
                 "spec": {"schedule": "often",
                          "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "b"}],
                                                                         "restartPolicy": "Never"}}}}}}
                """#, "batch", "cronjobs"))
        #expect(error.message.contains(#"spec.schedule: Invalid value: "often": expected exactly 5 fields, found 1: often"#))
    }

    // MARK: Others

    @Test func priorityClassBudgetAndPolicyDefaults() throws {
        let priority = try Self.create(#"{"metadata": {"name": "high"}, "value": 1000}"#, "scheduling.k8s.io", "priorityclasses")
        #expect(priority["preemptionPolicy"] == "PreemptLowerPriority")
        let budget = try Self.create(#"{"metadata": {"name": "b"}, "spec": {"minAvailable": 1}}"#, "policy", "poddisruptionbudgets")
        #expect(budget["status"] == ["currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0])
        let both = try #require(
            try Self.refusal(
                #"{"metadata": {"name": "b"}, "spec": {"minAvailable": 1, "maxUnavailable": 1}}"#,
                "policy", "poddisruptionbudgets"))
        #expect(both.message.contains("minAvailable and maxUnavailable cannot be both set"))
        let policy = try Self.create(
            #"{"metadata": {"name": "deny"}, "spec": {"podSelector": {}}}"#,
            "networking.k8s.io", "networkpolicies")
        #expect(policy[path: ["spec", "policyTypes"]] == ["Ingress"])
    }

    @Test func roleBindingNeedsARoleRef() throws {
        let error = try #require(
            try Self.refusal(
                #"{"metadata": {"name": "rb"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Pod", "name": ""}}"#,
                "rbac.authorization.k8s.io", "rolebindings"))
        #expect(error.code == 422)
        #expect(error.message.contains(#"roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole""#))
        #expect(error.message.contains("roleRef.name: Required value"))
    }

    // MARK: Services

    private static let service = #"{"metadata": {"name": "NAME"}, "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}}"#

    private static func store(_ object: JSONValue, in store: ObjectStore) async throws {
        let key = StorageKey(GroupResource(group: "", resource: "services"), namespace: "default", name: object.name ?? "")
        _ = try await store.mutate(key) { _ in .put(object) }
    }

    @Test func serviceGetsItsDefaultsAndAClusterIP() throws {
        let admission = ObjectAdmission(store: try ObjectStore(persistence: nil))
        let object = try Self.create(
            Self.service.replacingOccurrences(of: "NAME", with: "s"), "", "services",
            admission: admission)
        let spec = try #require(object["spec"])
        #expect(spec["type"] == "ClusterIP")
        #expect(spec["sessionAffinity"] == "None")
        #expect(spec["ipFamilies"] == ["IPv4"])
        #expect(spec["ipFamilyPolicy"] == "SingleStack")
        #expect(spec["internalTrafficPolicy"] == "Cluster")
        #expect(spec["ports"] == [["port": 80, "protocol": "TCP", "targetPort": 80]])
        #expect(object["status"] == ["loadBalancer": [:]])
        let address = try #require(spec["clusterIP"]?.stringValue)
        #expect(spec["clusterIPs"] == [.string(address)])
        let value = try #require(ServiceAddressAllocator.parse(address))
        #expect(value >> 20 == 0x0A6, "\(address) is not in 10.96.0.0/12")
    }

    @Test func clusterIPsAreUniqueAndFreedWithTheirService() async throws {
        let store = try ObjectStore(persistence: nil)
        let admission = ObjectAdmission(store: store)
        let pinned = try Self.create(
            #"{"metadata": {"name": "pinned"}, "spec": {"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}}"#,
            "", "services", admission: admission)
        #expect(pinned[path: ["spec", "clusterIP"]] == "10.96.0.50")
        try await Self.store(pinned, in: store)
        let taken = try #require(
            try Self.refusal(
                #"{"metadata": {"name": "again"}, "spec": {"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}}"#,
                "", "services", admission: admission))
        #expect(taken.code == 422)
        #expect(
            taken.message
                == #"Service "again" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is already allocated"#
        )
        var seen = Set<String>()
        for index in 0..<50 {
            let object = try Self.create(
                Self.service.replacingOccurrences(of: "NAME", with: "s\(index)"), "", "services",
                admission: admission)
            let address = object[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            let isNew = seen.insert(address).inserted
            #expect(isNew, "\(address) handed out twice")
        }
        // Deleted: the address may be asked for again.
        let key = StorageKey(GroupResource(group: "", resource: "services"), namespace: "default", name: "pinned")
        _ = try await store.mutate(key) { _ in .delete }
        let reused = try Self.create(
            #"{"metadata": {"name": "again"}, "spec": {"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}}"#,
            "", "services", admission: admission)
        #expect(reused[path: ["spec", "clusterIP"]] == "10.96.0.50")
        let outside = try #require(
            try Self.refusal(
                #"{"metadata": {"name": "far"}, "spec": {"clusterIP": "192.168.0.1", "ports": [{"port": 80}]}}"#,
                "", "services", admission: admission))
        #expect(outside.message.contains("is not in the valid range"))
    }

    @Test func headlessExternalNameAndNodePortServices() throws {
        let admission = ObjectAdmission(store: try ObjectStore(persistence: nil))
        let headless = try Self.create(
            #"{"metadata": {"name": "h"}, "spec": {"clusterIP": "None", "selector": {"a": "b"}}}"#,
            "", "services", admission: admission)
        #expect(headless[path: ["spec", "clusterIPs"]] == ["None"])
        #expect(headless[path: ["spec", "ipFamilyPolicy"]] == "SingleStack")
        let external = try Self.create(
            #"{"metadata": {"name": "x"}, "spec": {"type": "ExternalName", "externalName": "example.com"}}"#,
            "", "services", admission: admission)
        #expect(external[path: ["spec", "clusterIP"]] == nil)
        #expect(external[path: ["spec", "ipFamilies"]] == nil)
        #expect(external[path: ["spec", "internalTrafficPolicy"]] == nil)
        let nodePort = try Self.create(
            #"{"metadata": {"name": "n"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}}"#,
            "", "services", admission: admission)
        let port = try #require(nodePort[path: ["spec", "ports"]]?.arrayValue?.first)
        #expect(port["targetPort"] == "http")
        #expect(ServiceAddressAllocator.nodePorts.contains(port["nodePort"]?.intValue ?? 0))
        #expect(nodePort[path: ["spec", "externalTrafficPolicy"]] == "Cluster")
    }

    @Test func anUpdateKeepsTheClusterIPAndMayNotChangeIt() throws {
        let admission = ObjectAdmission(store: try ObjectStore(persistence: nil))
        let resource = try Self.resource("", "services")
        var old = try Self.create(Self.service.replacingOccurrences(of: "NAME", with: "s"), "", "services", admission: admission)
        old.resourceVersion = "5"
        var sent = try JSONValue(parsing: Self.service.replacingOccurrences(of: "NAME", with: "s"))
        _ = try admission.prepareUpdate(&sent, old: old, resource: resource, subresource: nil, fieldValidation: .strict)
        #expect(sent[path: ["spec", "clusterIP"]] == old[path: ["spec", "clusterIP"]])
        #expect(sent[path: ["spec", "clusterIPs"]] == old[path: ["spec", "clusterIPs"]])

        var changed = try JSONValue(parsing: #"{"metadata": {"name": "s"}, "spec": {"clusterIP": "10.96.0.9", "ports": [{"port": 80}]}}"#)
        do {
            _ = try admission.prepareUpdate(&changed, old: old, resource: resource, subresource: nil, fieldValidation: .strict)
            Issue.record("a changed cluster IP was admitted")
        } catch {
            #expect(error.code == 422)
            #expect(error.message.contains("spec.clusterIPs[0]: Invalid value: \"10.96.0.9\": field is immutable"))
        }
    }
}
