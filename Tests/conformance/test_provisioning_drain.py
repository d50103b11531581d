"""Scale down drains the node first (issue 15, docs/provisioning.md "Scale"): inside the
provisioned cluster the node is cordoned, its pods are evicted as `kubectl drain` does
(mirror pods stay), and only then are the Node, its VM and its Secret deleted. A drain that
takes longer than the request's `drainTimeout` goes on anyway and says so on the operation.

A pod with a finalizer keeps the drain waiting for as long as the test wants, so the test sees
the cordoned node and the waiting operation without timing anything.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import VirtyardServer, new_name, provisioner_attached, run_kubectl, wait_until
from test_provisioning import (NAMESPACE, cluster_vms, nested, nested_kubeconfig, nested_nodes, operation,
                               platform, provision, spec, wait_operation)

HOLD = "example.com/hold"


@pytest.fixture(autouse=True)
def _provisioner_attached(server):
    provisioner_attached(server)


def pod(name: str, node: str, finalizers=(), annotations=None) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "finalizers": list(finalizers),
                         "annotations": annotations or {}},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}]}}


def nested_pod(kubeconfig: Path, name: str) -> dict | None:
    found = nested(kubeconfig, "get", "pod", name, "-n", "default", "-o", "json", check=False)
    return json.loads(found.stdout) if found.returncode == 0 else None


def scale_down_with_a_held_pod(server: VirtyardServer, tmp_path: Path, drain_timeout: str):
    name = new_name("drain")
    provision(server, spec(name, workers=2))
    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    leaving = f"{name}-work-02"
    nested(kubeconfig, "apply", "-f", "-", input=json.dumps(pod("held", leaving, finalizers=[HOLD])))
    nested(kubeconfig, "apply", "-f", "-",
           input=json.dumps(pod("static", leaving, annotations={"kubernetes.io/config.mirror": "mirror"})))
    nested(kubeconfig, "apply", "-f", "-", input=json.dumps(pod("stays", f"{name}-work-01")))
    response = platform(server, "PUT", f"/api/v1/clusters/{name}/scale",
                        {"nodeGroup": "work", "targetCount": 1, "drainTimeout": drain_timeout})
    assert response.status == 202, response
    return name, kubeconfig, leaving, response.json()["operationId"]


def test_scale_down_cordons_and_evicts_before_removing_the_node(server, tmp_path):
    name, kubeconfig, leaving, op_id = scale_down_with_a_held_pod(server, tmp_path, "10m")
    # Evicted (marked for deletion), held by its finalizer: the drain waits with the node cordoned.
    held = wait_until(lambda: (p := nested_pod(kubeconfig, "held")) and p["metadata"].get("deletionTimestamp") and p,
                      timeout=60, message="the pod on the leaving node evicted")
    assert held["spec"]["nodeName"] == leaving
    assert nested_nodes(kubeconfig)[leaving]["spec"].get("unschedulable") is True
    waiting = wait_until(lambda: (o := operation(server, op_id))["currentOperation"].startswith("Draining") and o,
                         timeout=30, message="the operation reporting the drain")
    assert waiting["status"] not in ("COMPLETED", "FAILED"), waiting
    assert leaving in [vm["metadata"]["name"] for vm in cluster_vms(server, name)]
    # Mirror pods and pods on other nodes are not drained.
    assert "deletionTimestamp" not in nested_pod(kubeconfig, "static")["metadata"]
    assert "deletionTimestamp" not in nested_pod(kubeconfig, "stays")["metadata"]
    assert not nested_nodes(kubeconfig)[f"{name}-work-01"]["spec"].get("unschedulable")

    # The pod goes: the node, its VM and its Secret follow.
    nested(kubeconfig, "patch", "pod", "held", "-n", "default", "--type", "merge", "-p",
           json.dumps({"metadata": {"finalizers": None}}))
    wait_operation(server, op_id, {"COMPLETED"})
    assert sorted(vm["metadata"]["name"] for vm in cluster_vms(server, name)) == [f"{name}-cp-01", f"{name}-work-01"]
    assert leaving not in nested_nodes(kubeconfig)
    assert run_kubectl(server, "get", "secret", "-n", NAMESPACE, f"{leaving}-userdata", check=False).returncode != 0
    cop = json.loads(run_kubectl(server, "get", "clusteroperation", "-n", NAMESPACE, op_id, "-o", "json").stdout)
    assert not [c for c in cop["status"].get("conditions", []) if c["type"] == "DrainTimedOut"]


def test_a_drain_that_times_out_removes_the_node_and_records_it(server, tmp_path):
    name, kubeconfig, leaving, op_id = scale_down_with_a_held_pod(server, tmp_path, "0s")
    wait_operation(server, op_id, {"COMPLETED"})
    assert sorted(vm["metadata"]["name"] for vm in cluster_vms(server, name)) == [f"{name}-cp-01", f"{name}-work-01"]
    assert leaving not in nested_nodes(kubeconfig)
    cop = json.loads(run_kubectl(server, "get", "clusteroperation", "-n", NAMESPACE, op_id, "-o", "json").stdout)
    timed_out = [c for c in cop["status"].get("conditions", []) if c["type"] == "DrainTimedOut"]
    assert timed_out and timed_out[0]["status"] == "True", cop["status"]
    assert leaving in timed_out[0]["message"] and "default/held" in timed_out[0]["message"], timed_out
