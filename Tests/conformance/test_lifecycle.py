"""Deletion lifecycle: finalizers, owner-reference cascades, namespace deletion."""

from __future__ import annotations

import time

import pytest
from kubernetes import client as k8s

from conftest import (MERGE_PATCH, WIDGET_GROUP, WIDGET_PLURAL, WIDGET_VERSION, new_name,
                      status_body, wait_until, widget)

HOLD = "conformance.virtyard.io/hold"


def make_cm(core, ns: str, name: str, finalizers=None, owners=None) -> k8s.V1ConfigMap:
    meta = k8s.V1ObjectMeta(name=name, finalizers=finalizers, owner_references=owners)
    return core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=meta,
                                                                 data={"name": name}))


def owned_by(parent: k8s.V1ConfigMap, block: bool | None = None) -> k8s.V1OwnerReference:
    return k8s.V1OwnerReference(api_version="v1", kind="ConfigMap",
                                name=parent.metadata.name, uid=parent.metadata.uid,
                                block_owner_deletion=block)


def exists(core, ns: str, name: str) -> bool:
    try:
        core.read_namespaced_config_map(name, ns)
        return True
    except k8s.ApiException as exc:
        if exc.status == 404:
            return False
        raise


def drop_finalizers(core, ns: str, name: str) -> None:
    core.patch_namespaced_config_map(name, ns, {"metadata": {"finalizers": None}},
                                     _content_type=MERGE_PATCH)


# -- finalizers -----------------------------------------------------------------------


def test_finalizer_blocks_deletion_until_removed(server, kubectl, ns):
    core = server.core()
    make_cm(core, ns, "held", finalizers=[HOLD])
    out = kubectl("delete", "configmap", "held", "-n", ns, "--wait=false").stdout
    assert 'configmap "held" deleted' in out, out

    obj = core.read_namespaced_config_map("held", ns)
    assert obj.metadata.deletion_timestamp is not None
    assert obj.metadata.finalizers == [HOLD]
    time.sleep(1)
    assert exists(core, ns, "held"), "object with a finalizer vanished"
    listed = [i.metadata.name for i in core.list_namespaced_config_map(ns).items]
    assert "held" in listed

    # Spec changes are still allowed while it waits.
    core.patch_namespaced_config_map("held", ns, {"data": {"late": "write"}},
                                     _content_type=MERGE_PATCH)
    kubectl("patch", "configmap", "held", "-n", ns, "--type", "json",
            "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    wait_until(lambda: not exists(core, ns, "held"), timeout=10,
               message="the object to go once its last finalizer was removed")


def test_finalizer_on_custom_resource(server, ns, widget_crd):
    api = server.custom()
    body = widget("fin")
    body["metadata"]["finalizers"] = [HOLD, "conformance.virtyard.io/second"]
    api.create_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, body)
    api.delete_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "fin")
    obj = api.get_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "fin")
    assert obj["metadata"].get("deletionTimestamp"), obj["metadata"]

    # Removing one of two finalizers is not enough.
    api.patch_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "fin",
                                       [{"op": "remove", "path": "/metadata/finalizers/0"}],
                                       _content_type="application/json-patch+json")
    time.sleep(1)
    obj = api.get_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "fin")
    assert obj["metadata"]["finalizers"] == ["conformance.virtyard.io/second"]

    api.patch_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "fin",
                                       {"metadata": {"finalizers": None}},
                                       _content_type=MERGE_PATCH)

    def gone() -> bool:
        try:
            api.get_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL,
                                             "fin")
            return False
        except k8s.ApiException as exc:
            return exc.status == 404
    wait_until(gone, timeout=10, message="the custom resource to go")


# -- owner references -----------------------------------------------------------------


def test_owner_cascade_background(server, kubectl, ns):
    core = server.core()
    parent = make_cm(core, ns, "parent")
    other = make_cm(core, ns, "other-owner")
    make_cm(core, ns, "child-1", owners=[owned_by(parent)])
    make_cm(core, ns, "child-2", owners=[owned_by(parent)])
    make_cm(core, ns, "shared", owners=[owned_by(parent), owned_by(other)])

    kubectl("delete", "configmap", "parent", "-n", ns)  # background is kubectl's default
    assert not exists(core, ns, "parent")
    wait_until(lambda: not exists(core, ns, "child-1") and not exists(core, ns, "child-2"),
               timeout=10, message="children to be garbage collected")
    time.sleep(1)
    assert exists(core, ns, "shared"), "a child with another live owner was deleted"
    assert exists(core, ns, "other-owner")


def test_owner_cascade_foreground(server, kubectl, ns):
    core = server.core()
    parent = make_cm(core, ns, "parent")
    make_cm(core, ns, "child", owners=[owned_by(parent, block=True)])
    make_cm(core, ns, "held-child", finalizers=[HOLD], owners=[owned_by(parent, block=True)])

    kubectl("delete", "configmap", "parent", "-n", ns, "--cascade=foreground", "--wait=false")
    p = core.read_namespaced_config_map("parent", ns)
    assert p.metadata.deletion_timestamp is not None
    assert "foregroundDeletion" in (p.metadata.finalizers or []), p.metadata.finalizers

    wait_until(lambda: not exists(core, ns, "child"), timeout=10,
               message="the unblocked child to be deleted")
    held = wait_until(lambda: core.read_namespaced_config_map("held-child", ns)
                      .metadata.deletion_timestamp, timeout=10,
                      message="the held child to get a deletionTimestamp")
    assert held
    time.sleep(1)
    assert exists(core, ns, "parent"), "parent went before a blocking child"

    drop_finalizers(core, ns, "held-child")
    wait_until(lambda: not exists(core, ns, "held-child"), timeout=10,
               message="the held child to go")
    wait_until(lambda: not exists(core, ns, "parent"), timeout=10,
               message="the parent to go after its children")


def test_owner_cascade_orphan(server, kubectl, ns):
    core = server.core()
    parent = make_cm(core, ns, "parent")
    make_cm(core, ns, "child", owners=[owned_by(parent)])
    kubectl("delete", "configmap", "parent", "-n", ns, "--cascade=orphan", timeout=60)
    assert not exists(core, ns, "parent")
    time.sleep(1)
    child = core.read_namespaced_config_map("child", ns)
    assert not any(r.uid == parent.metadata.uid for r in child.metadata.owner_references or [])


def test_python_client_propagation_policy(server, ns):
    core = server.core()
    parent = make_cm(core, ns, "parent")
    make_cm(core, ns, "child", owners=[owned_by(parent)])
    core.delete_namespaced_config_map("parent", ns, propagation_policy="Background")
    wait_until(lambda: not exists(core, ns, "child"), timeout=10,
               message="the child to be garbage collected")


# -- namespaces -----------------------------------------------------------------------


def test_namespace_deletion_removes_contents(server, kubectl, widget_crd):
    core, api = server.core(), server.custom()
    name = new_name("ct-nsdel")
    core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=name)))
    assert core.read_namespace(name).status.phase == "Active"
    make_cm(core, name, "a")
    make_cm(core, name, "b")
    core.create_namespaced_secret(name, k8s.V1Secret(metadata=k8s.V1ObjectMeta(name="s"),
                                                     string_data={"k": "v"}))
    api.create_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, name, WIDGET_PLURAL,
                                        widget("w"))
    make_cm(core, name, "held", finalizers=[HOLD])

    kubectl("delete", "namespace", name, "--wait=false")
    ns_obj = core.read_namespace(name)
    assert ns_obj.metadata.deletion_timestamp is not None
    assert ns_obj.status.phase == "Terminating"

    def contents() -> set[str]:
        cms = {f"cm/{i.metadata.name}" for i in core.list_namespaced_config_map(name).items}
        secrets = {f"secret/{i.metadata.name}"
                   for i in core.list_namespaced_secret(name).items}
        widgets = {f"widget/{i['metadata']['name']}" for i in api.list_namespaced_custom_object(
            WIDGET_GROUP, WIDGET_VERSION, name, WIDGET_PLURAL)["items"]}
        return cms | secrets | widgets

    wait_until(lambda: contents() == {"cm/held"}, timeout=15,
               message="the namespace's contents (but the held object) to be deleted")
    assert core.read_namespaced_config_map("held", name).metadata.deletion_timestamp
    assert core.read_namespace(name).status.phase == "Terminating"

    # No new content in a terminating namespace.
    with pytest.raises(k8s.ApiException) as info:
        make_cm(core, name, "late")
    assert info.value.status == 403, info.value.body
    assert status_body(info.value).get("reason") == "Forbidden"

    drop_finalizers(core, name, "held")

    def ns_gone() -> bool:
        try:
            core.read_namespace(name)
            return False
        except k8s.ApiException as exc:
            return exc.status == 404
    wait_until(ns_gone, timeout=15, message="the namespace to go")
    gone = kubectl("get", "namespace", name, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr

    # The name is free again, and nothing of the old namespace comes back with it.
    core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=name)))
    try:
        leftovers = {i.metadata.name for i in core.list_namespaced_config_map(name).items}
        assert not leftovers & {"a", "b", "held", "late"}, leftovers
    finally:
        core.delete_namespace(name)
