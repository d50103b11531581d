import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

/// Built-in kinds decoded by Kubernetes 1.32's own schemas (Schemas/builtin-1.32.json), as
/// kube-apiserver's decoder treats them: wrong types 400, unknown fields at any depth
/// refused, reported or dropped by `fieldValidation`.
@Suite struct BuiltinSchemaAdmissionTests {
    private static func resource(_ kind: String) throws -> APIResource {
        try #require(BuiltinResources.all.first { $0.kind == kind }, "no built-in kind \(kind)")
    }

    private static func create(_ text: String, kind: String, validation: RequestOptions.FieldValidation = .warn)
        throws -> (object: JSONValue, warnings: [String])
    {
        var object = try JSONValue(parsing: text)
        let resource = try resource(kind)
        let warnings = try ObjectAdmission().prepareCreate(
            &object, resource: resource,
            namespace: resource.namespaced ? "default" : nil,
            fieldValidation: validation)
        return (object, warnings)
    }

    /// The error `prepareCreate` throws, or nil when it admits the object.
    private static func refusal(_ text: String, kind: String, validation: RequestOptions.FieldValidation = .warn) throws -> APIError? {
        do {
            _ = try create(text, kind: kind, validation: validation)
            return nil
        } catch let error as APIError {
            return error
        }
    }

    // MARK: Wrong types: 400 as kube-apiserver

    @Test func configMapDataOfTheWrongTypeIsABadRequest() throws {
        let stringData = try #require(try Self.refusal(#"{"metadata": {"name": "a"}, "data": "x"}"#, kind: "ConfigMap"))
        #expect(stringData.code == 400)
        #expect(stringData.reason == .badRequest)
        #expect(
            stringData.message
                == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.data of type map[string]string"#
        )

        let numberValue = try #require(try Self.refusal(#"{"metadata": {"name": "a"}, "data": {"a": 5}}"#, kind: "ConfigMap"))
        #expect(numberValue.code == 400)
        #expect(
            numberValue.message
                == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string"#
        )
    }

    @Test func nestedWrongTypesNameTheGoStructAndField() throws {
        let port = try #require(
            try Self.refusal(
                #"""
                {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": "80"}]}]}}
                """#, kind: "Pod"))
        #expect(port.code == 400)
        #expect(
            port.message.hasSuffix(
                "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"))

        let duration = try #require(try Self.refusal(#"{"metadata": {"name": "l"}, "spec": {"leaseDurationSeconds": 1.5}}"#, kind: "Lease"))
        #expect(
            duration.message
                == #"Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32"#
        )

        let labels = try #require(try Self.refusal(#"{"metadata": {"name": "a", "labels": {"x": true}}}"#, kind: "ConfigMap"))
        #expect(labels.message.hasSuffix("json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"))

        let quantity = try #require(
            try Self.refusal(
                #"""
                {"metadata": {"name": "q"}, "spec": {"resources": {"requests": {"storage": "lots"}}}}
                """#, kind: "PersistentVolumeClaim"))
        #expect(quantity.message.hasSuffix("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))

        let secret = try #require(try Self.refusal(#"{"metadata": {"name": "s"}, "data": {"k": "not base64"}}"#, kind: "Secret"))
        #expect(secret.message == #"Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3"#)

        let time = try #require(try Self.refusal(#"{"metadata": {"name": "l"}, "spec": {"renewTime": "soon"}}"#, kind: "Lease"))
        #expect(time.code == 400)
        #expect(time.message.contains(#"parsing time "soon""#))
    }

    // MARK: Unknown fields at every depth

    @Test func nestedUnknownFieldsAreRefusedUnderStrict() throws {
        let pod = #"""
            {"metadata": {"name": "p", "labelz": {"a": "b"}},
             "spec": {"foo": 1, "containers": [{"name": "c", "image": "i", "imagePullPolicyy": "Always"}]}}
            """#
        let error = try #require(try Self.refusal(pod, kind: "Pod", validation: .strict))
        #expect(error.code == 400)
        #expect(
            error.message
                == #"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.labelz", unknown field "spec.containers[0].imagePullPolicyy", unknown field "spec.foo""#
        )
    }

    @Test func nestedUnknownFieldsAreDroppedWithAWarningByDefault() throws {
        let (object, warnings) = try Self.create(
            #"""
            {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": "http", "bogus": true}], "nope": {}}}
            """#, kind: "Service")
        #expect(warnings == [#"unknown field "spec.nope""#, #"unknown field "spec.ports[0].bogus""#])
        #expect(object[path: ["spec", "ports"]] == [["port": 80, "targetPort": "http", "protocol": "TCP"]])
        #expect(object[path: ["spec", "nope"]] == nil)
    }

    @Test func nestedUnknownFieldsAreDroppedSilentlyUnderIgnore() throws {
        let (object, warnings) = try Self.create(
            #"{"metadata": {"name": "l"}, "spec": {"holderIdentity": "me", "extra": 1}}"#,
            kind: "Lease", validation: .ignore)
        #expect(warnings.isEmpty)
        #expect(object["spec"] == ["holderIdentity": "me"])
    }

    @Test func nullFieldsAreAcceptedAndDropped() throws {
        let (object, _) = try Self.create(
            #"{"metadata": {"name": "n", "labels": null}, "data": null, "immutable": null}"#,
            kind: "ConfigMap", validation: .strict)
        #expect(object["data"] == nil && object["immutable"] == nil && object[path: ["metadata", "labels"]] == nil)
    }

    @Test func semanticChecksStillAnswer422() throws {
        let error = try #require(try Self.refusal(#"{"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}"#, kind: "Pod"))
        #expect(error.code == 422)
        #expect(error.causes.map(\.field) == ["spec.containers[0].image"])
    }

    // MARK: What our controllers write is accepted unchanged

    // Written as a server stores them, kube-apiserver's defaults included: a stored object
    // is a fixed point of admission.

    static let validObjects: [(kind: String, json: String)] = [
        (
            "Pod",
            #"""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "web-0", "labels": {"app": "web"}, "annotations": {"a": "b"},
                          "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u", "controller": true}],
                          "finalizers": ["x/y"]},
             "spec": {"nodeName": "node-1", "schedulerName": "default-scheduler", "restartPolicy": "Always",
                      "terminationGracePeriodSeconds": 30, "priority": 0, "dnsPolicy": "ClusterFirst",
                      "securityContext": {}, "enableServiceLinks": true,
                      "containers": [{"name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                                      "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                                      "args": ["-g", "daemon off;"], "env": [{"name": "A", "value": "1"},
                                        {"name": "B", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
                                      "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
                                      "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": 1, "memory": "128Mi"}},
                                      "readinessProbe": {"httpGet": {"path": "/", "port": "http", "scheme": "HTTP"}, "periodSeconds": 5,
                                                         "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                                      "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                      "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                                  {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}],
                      "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                                       "tolerationSeconds": 300}],
                      "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}},
             "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}], "hostIP": "192.168.0.2",
                        "startTime": "2026-12-04T18:43:04Z", "qosClass": "Burstable",
                        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-12-04T18:43:05Z"}],
                        "containerStatuses": [{"name": "web", "ready": true, "restartCount": 0, "image": "nginx:1.27",
                                               "imageID": "sha256:1", "containerID": "containerd://1", "started": true,
                                               "state": {"running": {"startedAt": "2026-12-04T18:43:05Z"}}}]}}
            """#
        ),
        (
            "Service",
            #"""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
             "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                      "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                      "internalTrafficPolicy": "Cluster",
                      "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                                {"name": "named", "port": 81, "targetPort": "http", "protocol": "TCP"}]},
             "status": {"loadBalancer": {}}}
            """#
        ),
        (
            "Secret",
            #"""
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token"}, "type": "Opaque",
             "data": {"token": "c2VjcmV0", "empty": ""}, "immutable": false}
            """#
        ),
        (
            "Lease",
            #"""
            {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "virtyard"},
             "spec": {"holderIdentity": "host-1", "leaseDurationSeconds": 15, "acquireTime": "2026-12-04T18:43:04.123456Z",
                      "renewTime": "2026-12-04T18:43:09.654321Z", "leaseTransitions": 2}}
            """#
        ),
        (
            "Node",
            #"""
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
             "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "providerID": "kwok://node-1",
                      "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]},
             "status": {"capacity": {"cpu": "32", "memory": "128Gi", "pods": "110", "devices.kubevirt.io/kvm": "1k"},
                        "allocatable": {"cpu": "31500m", "memory": "120Gi", "pods": "110"},
                        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "ok",
                                        "lastHeartbeatTime": "2026-12-04T18:43:04Z", "lastTransitionTime": "2026-12-04T18:00:00Z"}],
                        "addresses": [{"type": "InternalIP", "address": "192.168.0.2"}],
                        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                        "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "6.1", "osImage": "x",
                                     "containerRuntimeVersion": "containerd://1.7", "kubeletVersion": "v1.32.0",
                                     "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux", "architecture": "amd64"},
                        "phase": "Running"}}
            """#
        ),
        (
            "Event",
            #"""
            {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web-0.1"},
             "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-0", "uid": "u", "apiVersion": "v1",
                                "resourceVersion": "5", "fieldPath": "spec.containers{web}"},
             "reason": "Scheduled", "message": "Successfully assigned default/web-0 to node-1",
             "source": {"component": "default-scheduler", "host": "h"}, "firstTimestamp": "2026-12-04T18:43:04Z",
             "lastTimestamp": "2026-12-04T18:43:04Z", "count": 1, "type": "Normal",
             "eventTime": "2026-12-04T18:43:04.000001Z", "reportingComponent": "default-scheduler", "reportingInstance": "h",
             "action": "Binding"}
            """#
        ),
    ]

    @Test(arguments: validObjects.map(\.kind))
    func validObjectsAreAcceptedUnchanged(_ kind: String) throws {
        let text = try #require(Self.validObjects.first { $0.kind == kind }).json
        let sent = try JSONValue(parsing: text)
        let schema = try #require(BuiltinSchemas.shared.schema(for: try Self.resource(kind)))
        let decoded = try schema.decodeTyped(sent, typeName: kind)
        #expect(decoded.unknownFields.isEmpty)
        #expect(decoded.object == sent)

        let (admitted, warnings) = try Self.create(text, kind: kind, validation: .strict)
        #expect(warnings.isEmpty)
        var expected = sent
        var actual = admitted
        expected["metadata"] = nil
        actual["metadata"] = nil
        #expect(actual == expected)
        #expect(admitted[path: ["metadata", "labels"]] == sent[path: ["metadata", "labels"]])
    }

    // MARK: The schema file

    @Test func everyServedBuiltinKindHasItsSchema() {
        for resource in BuiltinResources.all {
            #expect(BuiltinSchemas.shared.schema(for: resource) != nil, "\(resource.apiVersion) \(resource.kind)")
        }
    }

    @Test func everyReferenceInTheFileResolves() {
        let definitions = BuiltinSchemas.shared.definitions
        for name in definitions.json.keys {
            for target in definitions.references(of: name) {
                #expect(definitions.json[target] != nil, "\(name) refers to missing \(target)")
            }
            #expect(!definitions.reachesItselfWithoutDescending(name), "\(name)")
        }
    }

    @Test func aCustomResourceDefinitionIsDecodedThroughTheRecursiveJSONSchemaProps() throws {
        var nested: JSONValue = ["type": "string"]
        for _ in 0..<20 { nested = ["type": "object", "properties": ["x": nested]] }
        var crd = try JSONValue(
            parsing: #"""
                {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"},
                 "spec": {"group": "example.com", "scope": "Namespaced",
                          "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                          "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {}}}]}}
                """#)
        crd[path: ["spec", "versions"]] = [
            [
                "name": "v1", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": nested], "x-kubernetes-bogus": true]],
            ]
        ]
        let schema = try #require(BuiltinSchemas.shared.schema(for: BuiltinResources.customResourceDefinitions))
        let decoded = try schema.decodeTyped(crd, typeName: "CustomResourceDefinition")
        #expect(decoded.unknownFields == ["spec.versions[0].schema.openAPIV3Schema.x-kubernetes-bogus"])

        crd[path: ["spec", "versions"]] = [["name": "v1", "served": "yes"]]
        #expect(throws: TypedDecodingError.self) { try schema.decodeTyped(crd, typeName: "CustomResourceDefinition") }
    }

    // MARK: Through HTTP, and in the OpenAPI documents

    @Test func theAPIAnswers400AndWarnsAsKubeAPIServer() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["test-token"]))
        try await server.ensureDefaultNamespaces()
        let application = Application(responder: server.makeResponder())
        let headers: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]
        try await application.test(.router) { client in
            let path = "/api/v1/namespaces/default/configmaps"
            let (code, status) = try await client.execute(
                uri: path, method: .post, headers: headers,
                body: ByteBuffer(string: #"{"metadata": {"name": "a"}, "data": "x"}"#)
            ) { response in
                (response.status.code, try JSONValue(parsing: Array(response.body.readableBytesView)))
            }
            #expect(code == 400)
            #expect(status["reason"] == "BadRequest")
            #expect(status["message"]?.stringValue?.contains("cannot unmarshal string into Go struct field ConfigMap.data") == true)

            let (warned, warning) = try await client.execute(
                uri: "/api/v1/namespaces/default/pods", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "bogus": 1}]}}"#)
            ) { response in (response.status.code, response.headers[values: HTTPField.Name("Warning")!]) }
            #expect(warned == 201)
            #expect(warning == [#"299 - "unknown field \"spec.containers[0].bogus\"""#])
        }
    }

    @Test func theOpenAPIDocumentsCarryTheRealSchemas() throws {
        let documents = OpenAPIDocuments(registry: ResourceRegistry())
        let core = try #require(documents.document(for: "api/v1"))
        let schemas = try #require(core[path: ["components", "schemas"]]?.objectValue)
        let pod = try #require(schemas["io.k8s.api.core.v1.Pod"])
        #expect(pod["x-kubernetes-group-version-kind"] == [["group": "", "version": "v1", "kind": "Pod"]])
        #expect(pod[path: ["properties", "spec", "allOf"]] == [["$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"]])
        #expect(
            pod[path: ["properties", "spec", "description"]]?.stringValue?.hasPrefix("Specification of the desired behavior of the pod")
                == true)
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?["description"] == "PodSpec is a description of a pod.")
        #expect(
            schemas["io.k8s.api.core.v1.ConfigMap"]?[path: ["properties", "data", "description"]]?.stringValue?.hasPrefix(
                "Data contains the configuration data.") == true)
        // Everything referred to is in the document.
        var references = Set<String>()
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let fields):
                if let reference = fields["$ref"]?.stringValue { references.insert(reference) }
                fields.values.forEach(collect)
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(core)
        for reference in references {
            let name = String(reference.dropFirst("#/components/schemas/".count))
            #expect(schemas[name] != nil, "\(reference)")
        }
        let coordination = try #require(documents.document(for: "apis/coordination.k8s.io/v1"))
        #expect(coordination[path: ["components", "schemas", "io.k8s.api.coordination.v1.LeaseSpec"]] != nil)
    }
}
