import Foundation
import Testing

@testable import KubeModel

/// Bodies captured from kubectl 1.32's typed `create` generators for the kinds with
/// generated schema tables (apps, batch, rbac, networking, policy; pod templates of core),
/// each with the JSON kube-apiserver decodes it to. Captured with a loopback HTTP server
/// standing in for the API server (discovery forwarded to Virtyard, the POST body recorded).
@Suite struct KubectlCapturedWorkloadBodyTests {
    static let fixtures: [(command: String, hex: String, expected: String)] = [
        (
            "kubectl create deployment web --image=nginx:1.27 --port=80 --replicas=0",
            "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042005a"
                + "0a0a036170701203776562128b010800120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a"
                + "0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32372a00320a0a001000185022002a0042006a0072"
                + "00800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c08"
                + "00100018002000280038001a002200",
            #"""
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
             "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                                            "ports": [{"containerPort": 80}], "resources": {}}]}}},
             "status": {}}
            """#
        ),
        (
            "kubectl create job j1 --image=busybox -- echo hi",
            "6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a3112001a0022002a00320038004200126432620a100a00"
                + "12001a0022002a00320038004200124e122b0a026a31120762757379626f781a046563686f1a0268692a0042006a007200800100"
                + "880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a00"
                + "1a002200",
            #"""
            {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j1"},
             "spec": {"template": {"metadata": {},
                                   "spec": {"containers": [{"name": "j1", "image": "busybox", "command": ["echo", "hi"],
                                                            "resources": {}}],
                                            "restartPolicy": "Never"}}},
             "status": {}}
            """#
        ),
        (
            "kubectl create cronjob cj1 --image=busybox --schedule='*/5 * * * *' -- date",
            "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a7010a130a03636a3112001a0022002a00320038004200128d01"
                + "0a0b2a2f35202a202a202a202a1a002a7c0a130a03636a3112001a0022002a00320038004200126532630a100a0012001a002200"
                + "2a00320038004200124f12280a03636a31120762757379626f781a04646174652a0042006a007200800100880100900100a20100"
                + "1a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200",
            #"""
            {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj1"},
             "spec": {"schedule": "*/5 * * * *",
                      "jobTemplate": {"metadata": {"name": "cj1"},
                                      "spec": {"template": {"metadata": {},
                                                            "spec": {"containers": [{"name": "cj1", "image": "busybox",
                                                                                     "command": ["date"], "resources": {}}],
                                                                     "restartPolicy": "OnFailure"}}}}},
             "status": {}}
            """#
        ),
        (
            "kubectl create role r1 --verb=get,list --resource=pods,deployments.apps --resource-name=a",
            "6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c65124f0a120a0272311200"
                + "1a0022002a0032003800420012160a036765740a046c69737412001a04706f647322016112210a036765740a046c697374120461"
                + "7070731a0b6465706c6f796d656e74732201611a002200",
            #"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r1"},
             "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"], "resourceNames": ["a"]},
                       {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["a"]}]}
            """#
        ),
        (
            "kubectl create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1 --group=devs",
            "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e6712b601"
                + "0a130a0372623112001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a6174696f6e2e6b38"
                + "732e696f1a05616c6963652200122a0a0547726f75701219726261632e617574686f72697a6174696f6e2e6b38732e696f1a0464"
                + "657673220012200a0e536572766963654163636f756e7412001a03736131220764656661756c741a250a19726261632e61757468"
                + "6f72697a6174696f6e2e6b38732e696f1204526f6c651a0272311a002200",
            #"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb1"},
             "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"},
                          {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
                          {"kind": "ServiceAccount", "name": "sa1", "namespace": "default"}],
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r1"}}
            """#
        ),
        (
            "kubectl create clusterrole cr2 --verb=get --non-resource-url=/healthz",
            "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c6512260a"
                + "130a0363723212001a0022002a00320038004200120f0a036765742a082f6865616c74687a1a002200",
            #"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cr2"},
             "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]}
            """#
        ),
        (
            "kubectl create clusterrolebinding crb1 --clusterrole=cr1 --group=devs",
            "6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c6542696e"
                + "64696e6712710a140a046372623112001a0022002a00320038004200122a0a0547726f75701219726261632e617574686f72697a"
                + "6174696f6e2e6b38732e696f1a046465767322001a2d0a19726261632e617574686f72697a6174696f6e2e6b38732e696f120b43"
                + "6c7573746572526f6c651a036372311a002200",
            #"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "crb1"},
             "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}],
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr1"}}
            """#
        ),
        (
            "kubectl create ingress ing1 --class=nginx --rule='foo.com/bar*=svc1:http,tls=my-cert' --default-backend=def:80",
            "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312790a140a04696e673112001a0022"
                + "002a00320038004200125d0a0d220b0a0364656612040a00105012120a07666f6f2e636f6d12076d792d636572741a310a07666f"
                + "6f2e636f6d12260a240a220a042f626172121222100a047376633112080a046874747010001a0650726566697822056e67696e78"
                + "1a020a001a002200",
            #"""
            {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "ing1"},
             "spec": {"ingressClassName": "nginx",
                      "defaultBackend": {"service": {"name": "def", "port": {"number": 80}}},
                      "tls": [{"hosts": ["foo.com"], "secretName": "my-cert"}],
                      "rules": [{"host": "foo.com", "http": {"paths": [
                          {"path": "/bar", "pathType": "Prefix", "backend": {"service": {"name": "svc1", "port": {"name": "http"}}}}]}}]},
             "status": {"loadBalancer": {}}}
            """#
        ),
        (
            "kubectl create poddisruptionbudget pdb1 --selector=app=web --max-unavailable=50%",
            "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123d0a140a047064623112001a00"
                + "22002a003200380042001219120c0a0a0a0361707012037765621a09080110001a033530251a0a080018002000280030001a0022"
                + "00",
            #"""
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb1"},
             "spec": {"selector": {"matchLabels": {"app": "web"}}, "maxUnavailable": "50%"},
             "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}}
            """#
        ),
    ]

    @Test(arguments: 0..<KubectlCapturedWorkloadBodyTests.fixtures.count)
    func decodesWhatKubectlSends(index: Int) throws {
        let fixture = Self.fixtures[index]
        let expected = try json(fixture.expected)
        let decoded = try decodeBody(hexBytes(fixture.hex))
        #expect(decoded == expected, "\(fixture.command)")
    }

    @Test(arguments: 0..<KubectlCapturedWorkloadBodyTests.fixtures.count)
    func rejectsEveryTruncationWithoutCrashing(index: Int) {
        let body = hexBytes(Self.fixtures[index].hex)
        for length in 4..<body.count {
            do {
                _ = try KubernetesProtobuf.decode(Array(body[0..<length]))
            } catch {
                #expect(error.offset != nil || error.code == .missingTypeInformation, "length \(length): \(error)")
            }
        }
    }
}

/// The pieces kubectl's generators never send, hand-encoded: pointer fields at zero, a
/// volume's inlined source, probes and quantities inside a pod template.
@Suite struct GeneratedSchemaTableTests {
    @Test func keepsPointerZerosAndDropsPlainZeros() throws {
        let body = kubernetesBody(apiVersion: "batch/v1", kind: "Job") { job in
            kubectlMetadata(&job, name: "zero")
            job.message(2) { spec in
                spec.int(1, 0) // parallelism (*int32): kept
                spec.int(7, 0) // backoffLimit (*int32): kept
                spec.bool(10, false) // suspend (*bool): kept
                spec.string(9, "NonIndexed")
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "zero"},
                 "spec": {"parallelism": 0, "backoffLimit": 0, "suspend": false, "completionMode": "NonIndexed"}}
                """#)
    }

    @Test func inlinesAVolumeSourceIntoTheVolume() throws {
        let body = kubernetesBody(apiVersion: "v1", kind: "Pod") { pod in
            kubectlMetadata(&pod, name: "p")
            pod.message(2) { spec in
                spec.message(1) { volume in // volumes[0]
                    volume.string(1, "cache")
                    volume.message(2) { source in // VolumeSource, inline
                        source.message(2) { emptyDir in emptyDir.string(1, "Memory") }
                    }
                }
                spec.message(2) { container in
                    container.string(1, "c")
                    container.string(2, "nginx:1.27")
                    container.message(8) { resources in
                        resources.quantityEntry(1, "memory", "64Mi")
                    }
                    container.message(11) { probe in // readinessProbe
                        probe.message(1) { handler in // ProbeHandler, inline
                            handler.message(2) { http in
                                http.string(1, "/healthz")
                                http.intOrString(2, int: 8080)
                            }
                        }
                        probe.int(4, 5) // periodSeconds
                    }
                }
            }
        }
        try expectDecodes(
            body,
            to: #"""
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                 "spec": {"volumes": [{"name": "cache", "emptyDir": {"medium": "Memory"}}],
                          "containers": [{"name": "c", "image": "nginx:1.27", "resources": {"limits": {"memory": "64Mi"}},
                                          "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                                                             "periodSeconds": 5}}]}}
                """#)
    }
}
