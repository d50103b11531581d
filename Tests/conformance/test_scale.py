"""The `scale` subresource (`kubectl scale`, HPAs): an `autoscaling/v1` Scale over a
workload's `spec.replicas`, for Deployments, ReplicaSets, StatefulSets and
ReplicationControllers, as kube-apiserver serves it — with its concurrency and validation
answers."""

from __future__ import annotations

import json

import kubernetes.client as k8s
import pytest

from conftest import new_name, run_kubectl


def _deployment(kubectl, ns: str, replicas: int = 2) -> str:
    name = new_name("scale")
    kubectl("create", "deployment", name, "--image=nginx:1.27", f"--replicas={replicas}", "-n", ns)
    return name


def test_kubectl_scale_changes_replicas_and_the_scale_reads_back(server, kubectl, ns):
    name = _deployment(kubectl, ns)
    before = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json").stdout)
    kubectl("scale", "deployment", name, "--replicas=5", "-n", ns)
    after = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json").stdout)
    assert after["spec"]["replicas"] == 5
    # A spec change: the generation moves, and nothing else of the spec does.
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert after["spec"]["template"] == before["spec"]["template"]
    scale = json.loads(kubectl("get", "--raw", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale").stdout)
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 5}
    assert scale["status"]["selector"] == f"app={name}"
    assert scale["metadata"]["name"] == name and scale["metadata"]["namespace"] == ns


def test_discovery_lists_scale_for_the_scalable_kinds(kubectl):
    apps = json.loads(kubectl("get", "--raw", "/apis/apps/v1").stdout)
    scales = {r["name"]: r for r in apps["resources"] if r["name"].endswith("/scale")}
    assert set(scales) == {"deployments/scale", "replicasets/scale", "statefulsets/scale"}
    assert scales["deployments/scale"]["kind"] == "Scale"
    assert scales["deployments/scale"]["group"] == "autoscaling"
    core = json.loads(kubectl("get", "--raw", "/api/v1").stdout)
    assert "replicationcontrollers/scale" in {r["name"] for r in core["resources"]}
    assert "configmaps/scale" not in {r["name"] for r in core["resources"]}


def test_python_client_reads_and_replaces_a_scale(server, kubectl, ns):
    name = _deployment(kubectl, ns, replicas=1)
    apps = k8s.AppsV1Api(server.api())
    scale = apps.read_namespaced_deployment_scale(name, ns)
    assert scale.spec.replicas == 1
    scale.spec.replicas = 3
    # Unconditional: the controller writing the Deployment's status in between is no conflict.
    scale.metadata.resource_version = None
    replaced = apps.replace_namespaced_deployment_scale(name, ns, scale)
    assert replaced.spec.replicas == 3
    patched = apps.patch_namespaced_deployment_scale(name, ns, {"spec": {"replicas": 0}})
    assert patched.spec.replicas == 0
    assert apps.read_namespaced_deployment(name, ns).spec.replicas == 0


def test_a_stale_scale_is_a_conflict_and_nothing_changes(server, kubectl, ns):
    name = _deployment(kubectl, ns)
    apps = k8s.AppsV1Api(server.api())
    stale = apps.read_namespaced_deployment_scale(name, ns)
    kubectl("scale", "deployment", name, "--replicas=4", "-n", ns)
    stale.spec.replicas = 9
    with pytest.raises(k8s.ApiException) as raised:
        apps.replace_namespaced_deployment_scale(name, ns, stale)
    assert raised.value.status == 409
    assert apps.read_namespaced_deployment(name, ns).spec.replicas == 4


@pytest.mark.parametrize("replicas", [-1, '"three"', 2**40, "null"])
def test_hostile_replicas_are_refused(server, kubectl, ns, replicas):
    name = _deployment(kubectl, ns)
    proc = run_kubectl(server, "patch", "deployment", name, "-n", ns, "--subresource=scale", "--type=merge",
                       "-p", f'{{"spec": {{"replicas": {replicas}}}}}', check=False)
    assert proc.returncode != 0
    assert "spec.replicas" in proc.stderr and "Invalid value" in proc.stderr
    assert k8s.AppsV1Api(server.api()).read_namespaced_deployment(name, ns).spec.replicas == 2


def test_kinds_without_replicas_have_no_scale(server, kubectl, ns):
    kubectl("create", "configmap", "plain", "-n", ns)
    proc = run_kubectl(server, "get", "--raw", f"/api/v1/namespaces/{ns}/configmaps/plain/scale", check=False)
    assert proc.returncode != 0
    assert "NotFound" in proc.stderr or "not found" in proc.stderr.lower()
