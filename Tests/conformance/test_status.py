"""Subresources: status (spec and status written separately, generation), pod binding
and eviction."""

from __future__ import annotations

import copy

from kubernetes import client as k8s

from conftest import (MERGE_PATCH, STRATEGIC_PATCH, WIDGET_GROUP, WIDGET_PLURAL,
                      WIDGET_VERSION, rv_int, wait_until, widget)

G, V, P = WIDGET_GROUP, WIDGET_VERSION, WIDGET_PLURAL


def test_custom_resource_spec_and_status_are_written_separately(server, ns, widget_crd):
    api = server.custom()
    body = widget("st", replicas=2)
    body["status"] = {"phase": "FromCreate"}
    created = api.create_namespaced_custom_object(G, V, ns, P, body)
    # With a status subresource, create ignores status.
    assert "phase" not in (created.get("status") or {}), created
    assert created["metadata"]["generation"] == 1

    # Updating the main resource ignores status changes but applies spec changes.
    obj = copy.deepcopy(created)
    obj["spec"]["replicas"] = 3
    obj["status"] = {"phase": "FromMainUpdate"}
    updated = api.replace_namespaced_custom_object(G, V, ns, P, "st", obj)
    assert updated["spec"]["replicas"] == 3
    assert "phase" not in (updated.get("status") or {}), updated
    assert updated["metadata"]["generation"] == 2

    # Updating /status ignores spec changes but applies status changes.
    obj = copy.deepcopy(updated)
    obj["spec"]["replicas"] = 7
    obj["status"] = {"phase": "Running", "observedGeneration": 2}
    via_status = api.replace_namespaced_custom_object_status(G, V, ns, P, "st", obj)
    assert via_status["spec"]["replicas"] == 3
    assert via_status["status"] == {"phase": "Running", "observedGeneration": 2}
    # A status write is not a spec change: generation stays, resourceVersion moves.
    assert via_status["metadata"]["generation"] == 2
    assert rv_int(via_status) > rv_int(updated)

    # Same through PATCH.
    patched = api.patch_namespaced_custom_object_status(
        G, V, ns, P, "st", {"spec": {"replicas": 9}, "status": {"phase": "Patched"}},
        _content_type=MERGE_PATCH)
    assert patched["spec"]["replicas"] == 3 and patched["status"]["phase"] == "Patched"
    patched = api.patch_namespaced_custom_object(
        G, V, ns, P, "st", {"spec": {"replicas": 4}, "status": {"phase": "Ignored"}},
        _content_type=MERGE_PATCH)
    assert patched["spec"]["replicas"] == 4 and patched["status"]["phase"] == "Patched"
    assert patched["metadata"]["generation"] == 3

    fetched = api.get_namespaced_custom_object(G, V, ns, P, "st")
    assert fetched["spec"]["replicas"] == 4
    assert fetched["status"]["phase"] == "Patched"

    # GET on /status returns the whole object.
    st = api.get_namespaced_custom_object_status(G, V, ns, P, "st")
    assert st["metadata"]["name"] == "st" and st["status"]["phase"] == "Patched"


def test_generation_bumps_on_spec_change_only(server, ns, widget_crd):
    api = server.custom()
    api.create_namespaced_custom_object(G, V, ns, P, widget("gen"))

    def generation() -> int:
        return api.get_namespaced_custom_object(G, V, ns, P, "gen")["metadata"]["generation"]

    assert generation() == 1
    api.patch_namespaced_custom_object(G, V, ns, P, "gen",
                                       {"metadata": {"labels": {"touched": "yes"}}},
                                       _content_type=MERGE_PATCH)
    assert generation() == 1, "a metadata change bumped generation"
    api.patch_namespaced_custom_object_status(G, V, ns, P, "gen",
                                              {"status": {"phase": "Busy"}},
                                              _content_type=MERGE_PATCH)
    assert generation() == 1, "a status change bumped generation"
    api.patch_namespaced_custom_object(G, V, ns, P, "gen", {"spec": {"size": "large"}},
                                       _content_type=MERGE_PATCH)
    assert generation() == 2
    # A patch that changes nothing does not bump it either.
    api.patch_namespaced_custom_object(G, V, ns, P, "gen", {"spec": {"size": "large"}},
                                       _content_type=MERGE_PATCH)
    assert generation() == 2


def test_pod_status_subresource(server, ns):
    core = server.core()
    pod = k8s.V1Pod(
        metadata=k8s.V1ObjectMeta(name="stpod"),
        spec=k8s.V1PodSpec(node_name="ct-no-such-node",
                           containers=[k8s.V1Container(name="c", image="busybox:1.36")]))
    created = core.create_namespaced_pod(ns, pod)

    # The main resource ignores status.
    created.status = k8s.V1PodStatus(phase="Running", message="from main update")
    updated = core.replace_namespaced_pod("stpod", ns, created)
    assert updated.status is None or updated.status.message != "from main update"

    # /status ignores spec; conditions merge by type with a strategic merge patch.
    core.patch_namespaced_pod_status(
        "stpod", ns,
        {"spec": {"activeDeadlineSeconds": 100},
         "status": {"phase": "Running",
                    "conditions": [{"type": "PodScheduled", "status": "True"}]}},
        _content_type=STRATEGIC_PATCH)
    core.patch_namespaced_pod_status(
        "stpod", ns, {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        _content_type=STRATEGIC_PATCH)
    got = core.read_namespaced_pod("stpod", ns)
    assert got.spec.active_deadline_seconds is None
    assert got.status.phase == "Running"
    conditions = {c.type: c.status for c in got.status.conditions}
    assert conditions == {"PodScheduled": "True", "Ready": "True"}
    assert core.read_namespaced_pod_status("stpod", ns).status.phase == "Running"


def test_pod_binding_and_eviction_subresources(server, ns):
    core = server.core()
    # A scheduler name nobody serves, so no (simulated) scheduler binds it first.
    pod = k8s.V1Pod(
        metadata=k8s.V1ObjectMeta(name="bindme"),
        spec=k8s.V1PodSpec(scheduler_name="ct-no-such-scheduler",
                           containers=[k8s.V1Container(name="c", image="busybox:1.36")]))
    core.create_namespaced_pod(ns, pod)
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bindme"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "ct-node-1"}}
    # Raw HTTP: a real server answers a binding with a `Status`, which the Python client's
    # V1Binding model cannot hold.
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/pods/bindme/binding", body=binding)
    assert resp.status == 201, resp
    assert core.read_namespaced_pod("bindme", ns).spec.node_name == "ct-node-1"
    again = server.http("POST", f"/api/v1/namespaces/{ns}/pods/bindme/binding", body=binding)
    assert again.status == 409, again

    eviction = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": "bindme", "namespace": ns}}
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/pods/bindme/eviction", body=eviction)
    assert resp.status == 201, resp

    def gone_or_terminating() -> bool:
        try:
            return core.read_namespaced_pod("bindme", ns).metadata.deletion_timestamp is not None
        except k8s.ApiException as exc:
            return exc.status == 404
    wait_until(gone_or_terminating, timeout=10, message="the evicted pod to be deleted")
