"""CustomResourceDefinitions: discovery, short names and categories, schema validation,
strict field validation and pruning, cluster scope."""

from __future__ import annotations

import json

import pytest
from kubernetes import client as k8s
from kubernetes import watch

from conftest import (MERGE_PATCH, WIDGET_API_VERSION, WIDGET_CATEGORY, WIDGET_CRD_NAME,
                      WIDGET_GROUP, WIDGET_KIND, WIDGET_PLURAL, WIDGET_SHORT, WIDGET_VERSION,
                      new_name, status_body, wait_until, widget, write_manifest)

G, V, P = WIDGET_GROUP, WIDGET_VERSION, WIDGET_PLURAL


def test_crd_is_established_and_discoverable(server, kubectl, widget_crd):
    crd = server.apiext().read_custom_resource_definition(WIDGET_CRD_NAME)
    conditions = {c.type: c.status for c in crd.status.conditions}
    assert conditions.get("Established") == "True", conditions
    assert conditions.get("NamesAccepted") == "True", conditions
    assert crd.status.accepted_names.kind == WIDGET_KIND
    assert crd.status.accepted_names.short_names == [WIDGET_SHORT]

    doc = server.http("GET", f"/apis/{G}/{V}")
    assert doc.status == 200, doc
    resources = {r["name"]: r for r in doc.json()["resources"]}
    assert set(resources) >= {P, f"{P}/status"}, resources
    res = resources[P]
    assert res["kind"] == WIDGET_KIND and res["namespaced"] is True
    assert res["shortNames"] == [WIDGET_SHORT]
    assert res["categories"] == [WIDGET_CATEGORY]
    assert set(res["verbs"]) >= {"create", "delete", "get", "list", "patch", "update", "watch"}

    groups = {g["name"]: g for g in server.http("GET", "/apis").json()["groups"]}
    assert groups[G]["preferredVersion"]["groupVersion"] == WIDGET_API_VERSION

    out = kubectl("api-resources", f"--api-group={G}", "-o", "name").stdout.split()
    assert f"{P}.{G}" in out, out

    index = server.http("GET", "/openapi/v3").json()["paths"]
    assert f"apis/{G}/{V}" in index, "the CRD's group-version is missing from /openapi/v3"


def test_custom_resource_by_short_name_and_category(kubectl, ns, widget_crd, tmp_path):
    path = write_manifest(tmp_path, "w.yaml",
                          widget("alpha", size="medium", replicas=3, color="teal",
                                 owner={"name": "ops", "email": "ops@example.com"},
                                 ports=[{"name": "http", "port": 80}]))
    out = kubectl("apply", "-n", ns, "-f", str(path)).stdout
    assert f"widget.{G}/alpha created" in out, out

    listed = kubectl("get", WIDGET_SHORT, "-n", ns, "-o", "name").stdout.split()
    assert listed == [f"widget.{G}/alpha"], listed
    obj = json.loads(kubectl("get", WIDGET_SHORT, "alpha", "-n", ns, "-o", "json").stdout)
    assert obj["apiVersion"] == WIDGET_API_VERSION and obj["kind"] == WIDGET_KIND
    assert obj["spec"]["owner"] == {"name": "ops", "email": "ops@example.com"}
    assert obj["spec"]["ports"] == [{"name": "http", "port": 80}]
    assert obj["metadata"]["uid"] and obj["metadata"]["generation"] == 1

    assert kubectl("get", WIDGET_CATEGORY, "-n", ns, "-o", "name").stdout.split() == \
        [f"widget.{G}/alpha"]
    assert "alpha" in kubectl("get", "widgets", "-n", ns).stdout
    assert "alpha" in kubectl("describe", WIDGET_SHORT, "alpha", "-n", ns).stdout

    kubectl("label", WIDGET_SHORT, "alpha", "-n", ns, "tier=gold")
    assert kubectl("get", WIDGET_SHORT, "-n", ns, "-l", "tier=gold", "-o", "name").stdout.split() \
        == [f"widget.{G}/alpha"]
    kubectl("patch", WIDGET_SHORT, "alpha", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"replicas":5}}')
    kubectl("patch", WIDGET_SHORT, "alpha", "-n", ns, "--type", "json",
            "-p", '[{"op":"replace","path":"/spec/size","value":"large"}]')
    obj = json.loads(kubectl("get", WIDGET_SHORT, "alpha", "-n", ns, "-o", "json").stdout)
    assert obj["spec"]["replicas"] == 5 and obj["spec"]["size"] == "large"
    # Custom resources have no strategic merge patch (a real server answers 415).
    sm = kubectl("patch", WIDGET_SHORT, "alpha", "-n", ns, "--type", "strategic",
                 "-p", '{"spec":{"replicas":6}}', check=False)
    assert sm.returncode != 0
    kubectl("delete", WIDGET_SHORT, "alpha", "-n", ns)
    assert kubectl("get", WIDGET_SHORT, "-n", ns, "-o", "name").stdout.split() == []


INVALID_WIDGETS = [
    # (spec overrides, removed spec keys, the field the error must name)
    ({"replicas": 0}, [], "spec.replicas"),                     # minimum
    ({"replicas": 11}, [], "spec.replicas"),                    # maximum
    ({"replicas": "three"}, [], "spec.replicas"),               # type
    ({}, ["replicas"], "spec.replicas"),                        # required
    ({"size": "huge"}, [], "spec.size"),                        # enum
    ({"color": "Red1"}, [], "spec.color"),                      # pattern
    ({"owner": {"email": "x@example.com"}}, [], "spec.owner.name"),   # nested required
    ({"owner": "not-an-object"}, [], "spec.owner"),             # nested type
    ({"ports": [{"port": 70000}]}, [], "spec.ports[0].port"),   # array item maximum
    ({"ports": {"port": 80}}, [], "spec.ports"),                # array type
]


@pytest.mark.parametrize("overrides, removed, field", INVALID_WIDGETS,
                         ids=[f"{f}-{i}" for i, (_, _, f) in enumerate(INVALID_WIDGETS)])
def test_invalid_custom_resource_is_refused_naming_the_field(kubectl, server, ns, widget_crd,
                                                             tmp_path, overrides, removed, field):
    body = widget("bad", **overrides)
    for key in removed:
        del body["spec"][key]
    path = write_manifest(tmp_path, "bad.yaml", body)
    proc = kubectl("apply", "-n", ns, "-f", str(path), check=False)
    assert proc.returncode != 0, f"invalid widget accepted: {proc.stdout}"
    assert field in proc.stderr, proc.stderr
    assert kubectl("get", WIDGET_SHORT, "bad", "-n", ns, check=False).returncode != 0

    # The same through the API: 422 Invalid with a cause naming the field.
    with pytest.raises(k8s.ApiException) as info:
        server.custom().create_namespaced_custom_object(G, V, ns, P, body)
    assert info.value.status == 422
    status = status_body(info.value)
    assert status.get("kind") == "Status" and status.get("reason") == "Invalid", status
    assert status.get("code") == 422
    causes = status.get("details", {}).get("causes", [])
    assert any(field == c.get("field") or field in c.get("field", "") for c in causes), causes


def test_missing_spec_is_refused(server, ns, widget_crd):
    with pytest.raises(k8s.ApiException) as info:
        server.custom().create_namespaced_custom_object(
            G, V, ns, P, {"apiVersion": WIDGET_API_VERSION, "kind": WIDGET_KIND,
                          "metadata": {"name": "nospec"}})
    assert info.value.status == 422
    assert "spec" in info.value.body


def test_invalid_update_is_refused_and_changes_nothing(server, ns, widget_crd):
    api = server.custom()
    api.create_namespaced_custom_object(G, V, ns, P, widget("upd", replicas=2))
    with pytest.raises(k8s.ApiException) as info:
        api.patch_namespaced_custom_object(G, V, ns, P, "upd", {"spec": {"replicas": 99}},
                                           _content_type=MERGE_PATCH)
    assert info.value.status == 422
    assert "spec.replicas" in info.value.body
    assert api.get_namespaced_custom_object(G, V, ns, P, "upd")["spec"]["replicas"] == 2


def test_unknown_field_refused_by_kubectl_apply(kubectl, ns, widget_crd, tmp_path):
    body = widget("strict")
    body["spec"]["bogus"] = 1
    proc = kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "u.yaml", body)),
                   check=False)
    assert proc.returncode != 0, proc.stdout
    assert "unknown field" in proc.stderr and "bogus" in proc.stderr, proc.stderr
    assert kubectl("get", WIDGET_SHORT, "strict", "-n", ns, check=False).returncode != 0


def test_strict_field_validation_answers_400(server, ns, widget_crd):
    body = widget("strict400")
    body["spec"]["bogus"] = 1
    with pytest.raises(k8s.ApiException) as info:
        server.custom().create_namespaced_custom_object(G, V, ns, P, body,
                                                        field_validation="Strict")
    assert info.value.status == 400
    status = status_body(info.value)
    assert status.get("reason") == "BadRequest", status
    assert "unknown field" in status.get("message", "") and "spec.bogus" in status["message"]


@pytest.mark.parametrize("validation", [None, "Ignore", "Warn"])
def test_unknown_fields_are_pruned_without_strict_validation(server, ns, widget_crd,
                                                             validation):
    api = server.custom()
    name = new_name("pruned")
    body = widget(name, owner={"name": "ops", "nickname": "dropped"})
    body["spec"]["bogus"] = 1
    body["topLevelJunk"] = {"a": 1}
    kwargs = {"field_validation": validation} if validation else {}
    created = api.create_namespaced_custom_object(G, V, ns, P, body, **kwargs)
    for obj in (created, api.get_namespaced_custom_object(G, V, ns, P, name)):
        assert "bogus" not in obj["spec"], obj
        assert obj["spec"]["owner"] == {"name": "ops"}, obj
        assert "topLevelJunk" not in obj, obj
        assert obj["spec"]["size"] == "small"


def test_custom_resource_watch(server, ns, widget_crd):
    api = server.custom()
    created = api.create_namespaced_custom_object(G, V, ns, P, widget("watched"))
    rv = created["metadata"]["resourceVersion"]
    api.patch_namespaced_custom_object_status(G, V, ns, P, "watched",
                                              {"status": {"phase": "Ready"}},
                                              _content_type=MERGE_PATCH)
    api.delete_namespaced_custom_object(G, V, ns, P, "watched")
    events = []
    for ev in watch.Watch().stream(api.list_namespaced_custom_object, G, V, ns, P,
                                   resource_version=rv, timeout_seconds=3,
                                   _request_timeout=15):
        if ev["type"] != "BOOKMARK":
            events.append((ev["type"], ev["raw_object"]["metadata"]["name"],
                           (ev["raw_object"].get("status") or {}).get("phase")))
        if len(events) == 2:
            break
    assert events == [("MODIFIED", "watched", "Ready"), ("DELETED", "watched", "Ready")]


GIZMO_GROUP = "cluster.conformance.virtyard.io"


def cluster_crd(group: str, plural: str, kind: str, short: str) -> dict:
    """A cluster-scoped CRD without a status subresource."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Cluster",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind,
                      "shortNames": [short]},
            "versions": [{
                "name": "v1alpha1", "served": True, "storage": True,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {"spec": {
                        "type": "object",
                        "properties": {"level": {"type": "integer", "minimum": 0}},
                    }},
                }},
            }],
        },
    }


GIZMO_CRD = cluster_crd(GIZMO_GROUP, "gizmos", "Gizmo", "gzm")


def test_cluster_scoped_crd(server, kubectl, tmp_path):
    kubectl("apply", "-f", str(write_manifest(tmp_path, "gizmo-crd.yaml", GIZMO_CRD)))
    kubectl("wait", "--for=condition=Established", "--timeout=30s",
            f"crd/gizmos.{GIZMO_GROUP}", timeout=45)
    name = new_name("gizmo")
    gizmo = {"apiVersion": f"{GIZMO_GROUP}/v1alpha1", "kind": "Gizmo",
             "metadata": {"name": name}, "spec": {"level": 3}}
    out = kubectl("apply", "-f", str(write_manifest(tmp_path, "gizmo.yaml", gizmo))).stdout
    assert f"gizmo.{GIZMO_GROUP}/{name} created" in out, out

    obj = json.loads(kubectl("get", "gzm", name, "-o", "json").stdout)
    assert "namespace" not in obj["metadata"] or not obj["metadata"]["namespace"]
    assert obj["spec"] == {"level": 3}
    # Without a status subresource, any non-metadata change bumps generation.
    kubectl("patch", "gzm", name, "--type", "merge", "-p", '{"spec":{"level":4}}')
    got = server.custom().get_cluster_custom_object(GIZMO_GROUP, "v1alpha1", "gizmos", name)
    assert got["spec"]["level"] == 4 and got["metadata"]["generation"] == 2

    rows = kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.split()
    assert f"gizmos.{GIZMO_GROUP}" in rows
    with pytest.raises(k8s.ApiException) as info:
        server.custom().create_cluster_custom_object(
            GIZMO_GROUP, "v1alpha1", "gizmos",
            {"apiVersion": f"{GIZMO_GROUP}/v1alpha1", "kind": "Gizmo",
             "metadata": {"name": new_name("neg")}, "spec": {"level": -1}})
    assert info.value.status == 422 and "spec.level" in info.value.body

    kubectl("delete", "gzm", name)
    assert f"gizmo.{GIZMO_GROUP}/{name}" not in kubectl("get", "gzm", "-o", "name").stdout.split()


def test_deleting_a_crd_removes_its_resource(server, kubectl, tmp_path):
    group = "temp.conformance.virtyard.io"
    crd = cluster_crd(group, "tempgizmos", "TempGizmo", "tgzm")
    kubectl("apply", "-f", str(write_manifest(tmp_path, "crd.yaml", crd)))
    kubectl("wait", "--for=condition=Established", "--timeout=30s", f"crd/tempgizmos.{group}",
            timeout=45)
    server.custom().create_cluster_custom_object(
        group, "v1alpha1", "tempgizmos",
        {"apiVersion": f"{group}/v1alpha1", "kind": "TempGizmo", "metadata": {"name": "t1"}})
    kubectl("delete", "crd", f"tempgizmos.{group}", timeout=60)
    wait_until(lambda: server.http("GET", f"/apis/{group}/v1alpha1/tempgizmos").status == 404,
               timeout=15, message="the deleted CRD's resource to stop being served")
    assert kubectl("get", "crd", f"tempgizmos.{group}", check=False).returncode != 0
