"""Built-in kinds validated by Kubernetes 1.32's own schemas.

The server decodes built-in objects as kube-apiserver's Go decoder does, with the schemas
`scripts/generate-builtin-schemas.py` makes from the PyPI package kubernetes-validate: a
value of the wrong type is a 400, unknown fields are refused, reported or dropped at every
depth by `fieldValidation`, and `/openapi/v3` carries the real schemas for `kubectl explain`.
The last test checks every built-in object the server holds after a short run — written by
kubectl (protobuf and JSON), the Python client and the simulation's own controllers —
against kubernetes-validate's strict 1.32 schemas.
"""

from __future__ import annotations

import json

import kubernetes_validate
import pytest
from kubernetes import client as k8s

from conftest import wait_until, write_manifest

KUBERNETES_VERSION = "1.32"


def configmap(name: str, data) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


# -- wrong types: 400 as kube-apiserver ---------------------------------------------------


@pytest.mark.parametrize("data, message", [
    ("x", "json: cannot unmarshal string into Go struct field ConfigMap.data of type map[string]string"),
    ({"a": 5}, "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"),
])
def test_kubectl_create_refuses_a_configmap_of_the_wrong_type(kubectl, ns, tmp_path, data, message):
    path = write_manifest(tmp_path, "bad.json", json.dumps(configmap("bad", data)))
    proc = kubectl("create", "-n", ns, "-f", str(path), check=False)
    assert proc.returncode != 0, proc.stdout
    assert "BadRequest" in proc.stderr, proc.stderr
    assert f'ConfigMap in version "v1" cannot be handled as a ConfigMap: {message}' in proc.stderr, proc.stderr
    assert kubectl("get", "configmap", "bad", "-n", ns, check=False).returncode != 0


def test_a_raw_request_gets_a_bad_request_status(server, ns):
    # Raw: the Python client checks types itself (pydantic) and would not send this.
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
            "spec": {"ports": [{"port": "eighty"}]}}
    response = server.http("POST", f"/api/v1/namespaces/{ns}/services", body)
    assert response.status == 400, response
    status = response.json()
    assert status["kind"] == "Status" and status["reason"] == "BadRequest", status
    assert status["message"] == ('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal '
                                 'string into Go struct field ServicePort.spec.ports.port of type int32'), status


# -- unknown fields at every depth ---------------------------------------------------------


def pod_with_a_nested_unknown_field(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "imagePullPolicyy": "Always"}]}}


def test_nested_unknown_field_is_refused_under_strict(kubectl, ns, tmp_path):
    # kubectl create sends fieldValidation=Strict (the OpenAPI documents advertise it).
    path = write_manifest(tmp_path, "strict.yaml", pod_with_a_nested_unknown_field("strict"))
    proc = kubectl("create", "-n", ns, "-f", str(path), check=False)
    assert proc.returncode != 0, proc.stdout
    assert 'strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"' in proc.stderr, proc.stderr
    assert kubectl("get", "pod", "strict", "-n", ns, check=False).returncode != 0


def test_nested_unknown_field_is_dropped_with_a_warning(kubectl, core, ns, tmp_path):
    path = write_manifest(tmp_path, "warn.yaml", pod_with_a_nested_unknown_field("warned"))
    proc = kubectl("create", "--validate=warn", "-n", ns, "-f", str(path))
    assert 'unknown field "spec.containers[0].imagePullPolicyy"' in proc.stderr, proc.stderr
    stored = core.read_namespaced_pod("warned", ns, _preload_content=False)
    container = json.loads(stored.data)["spec"]["containers"][0]
    assert "imagePullPolicyy" not in container and container["image"] == "nginx:1.27"


def test_nested_unknown_field_is_dropped_silently_under_ignore(kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "ignore.yaml", pod_with_a_nested_unknown_field("ignored"))
    proc = kubectl("create", "--validate=false", "-n", ns, "-f", str(path))
    assert "unknown field" not in proc.stderr, proc.stderr


# -- kubectl explain has the real text ------------------------------------------------------


def test_kubectl_explain_pods_spec(kubectl):
    out = kubectl("explain", "pods.spec").stdout
    assert "FIELD: spec <PodSpec>" in out, out
    assert "Specification of the desired behavior of the pod" in out, out
    assert "PodSpec is a description of a pod." in out, out
    assert "containers\t<[]Container> -required-" in out, out
    assert "restartPolicy\t<string>" in out, out


def test_kubectl_explain_configmap_data_and_nested_fields(kubectl):
    out = kubectl("explain", "configmap.data").stdout
    assert "FIELD: data <map[string]string>" in out, out
    assert "Data contains the configuration data." in out, out
    port = kubectl("explain", "pods.spec.containers.ports.containerPort").stdout
    assert "<integer>" in port and "Number of port to expose on the pod's IP address" in port, port
    lease = kubectl("explain", "leases.spec.renewTime").stdout
    assert "renewTime" in lease and "MicroTime" in lease, lease


# -- everything stored validates with kubernetes-validate ---------------------------------


def _lists(server) -> dict:
    """Every built-in kind the server stores, listed with the Python client, raw."""
    api = server.api()
    core = k8s.CoreV1Api(api)
    return {
        ("v1", "Namespace"): core.list_namespace,
        ("v1", "Node"): core.list_node,
        ("v1", "Pod"): core.list_pod_for_all_namespaces,
        ("v1", "ConfigMap"): core.list_config_map_for_all_namespaces,
        ("v1", "Secret"): core.list_secret_for_all_namespaces,
        ("v1", "Service"): core.list_service_for_all_namespaces,
        ("v1", "Endpoints"): core.list_endpoints_for_all_namespaces,
        ("v1", "Event"): core.list_event_for_all_namespaces,
        ("v1", "ServiceAccount"): core.list_service_account_for_all_namespaces,
        ("v1", "PersistentVolumeClaim"): core.list_persistent_volume_claim_for_all_namespaces,
        ("v1", "PersistentVolume"): core.list_persistent_volume,
        ("v1", "ResourceQuota"): core.list_resource_quota_for_all_namespaces,
        ("coordination.k8s.io/v1", "Lease"): k8s.CoordinationV1Api(api).list_lease_for_all_namespaces,
        ("storage.k8s.io/v1", "StorageClass"): k8s.StorageV1Api(api).list_storage_class,
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
            k8s.ApiextensionsV1Api(api).list_custom_resource_definition,
    }


def test_every_stored_builtin_object_validates_with_kubernetes_validate(server, kubectl, core, ns, tmp_path):
    # A short run: kubectl's generators (protobuf bodies), a Pod the simulation schedules and
    # runs (status, events), a PVC, and whatever the controllers keep writing (nodes, leases).
    kubectl("create", "configmap", "gen-cm", "-n", ns, "--from-literal=a=b")
    kubectl("create", "secret", "generic", "gen-secret", "-n", ns, "--from-literal=token=s3cr3t")
    kubectl("create", "service", "clusterip", "gen-svc", "-n", ns, "--tcp=80:8080")
    kubectl("create", "serviceaccount", "gen-sa", "-n", ns)
    kubectl("create", "quota", "gen-quota", "-n", ns, "--hard=pods=10,requests.cpu=4")
    # The simulated nodes carry KWOK's taint: the pod tolerates it to be scheduled and run.
    tolerate_kwok = {"spec": {"tolerations": [{"key": "kwok.x-k8s.io/node", "operator": "Exists",
                                               "effect": "NoSchedule"}]}}
    kubectl("run", "gen-pod", "-n", ns, "--image=nginx:1.27", "--labels=app=gen", "--port=80",
            f"--overrides={json.dumps(tolerate_kwok)}")
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "pvc.yaml", {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "gen-pvc"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})))
    wait_until(lambda: (core.read_namespaced_pod("gen-pod", ns).status.phase == "Running"),
               timeout=45, message="gen-pod Running")
    wait_until(lambda: core.list_namespaced_event(ns).items, timeout=45, message="an event in the namespace")

    # The checker itself refuses what Kubernetes refuses (so a pass below means something).
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(configmap("x", "not a map"), KUBERNETES_VERSION, strict=True)

    failures = []
    counts = {}
    for (api_version, kind), list_call in _lists(server).items():
        listed = json.loads(list_call(_preload_content=False).data)
        items = listed.get("items") or []
        counts[kind] = len(items)
        for item in items:
            # List items may leave out their type; kubernetes-validate needs it.
            item.setdefault("apiVersion", api_version)
            item.setdefault("kind", kind)
            try:
                kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path)
                meta = item.get("metadata") or {}
                failures.append(f"{kind} {meta.get('namespace', '')}/{meta.get('name')}: {where}: {error.message}")
    for kind in ["Namespace", "Node", "Pod", "ConfigMap", "Secret", "Service", "Event", "ServiceAccount",
                 "PersistentVolumeClaim", "ResourceQuota", "Lease", "CustomResourceDefinition"]:
        assert counts.get(kind, 0) >= 1, (kind, counts)
    assert not failures, (f"{len(failures)} stored objects fail kubernetes-validate {KUBERNETES_VERSION} (strict), "
                          f"of {counts}:\n" + "\n".join(failures[:60]))
