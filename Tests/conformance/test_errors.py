"""Errors come back as `Status` objects with the right code and reason."""

from __future__ import annotations

import pytest
from kubernetes import client as k8s

from conftest import status_body


def assert_status(resp, code: int, reason: str) -> dict:
    assert resp.status == code, f"want {code} {reason}, got {resp!r}"
    body = resp.json()
    assert body.get("kind") == "Status" and body.get("apiVersion") == "v1", body
    assert body.get("status") == "Failure", body
    assert body.get("code") == code, body
    assert body.get("reason") == reason, body
    assert body.get("message"), body
    return body


def test_not_found(server, kubectl, ns):
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/configmaps/nope")
    body = assert_status(resp, 404, "NotFound")
    assert body["details"]["name"] == "nope"
    assert body["details"]["kind"] == "configmaps"
    assert body["message"] == 'configmaps "nope" not found'

    with pytest.raises(k8s.ApiException) as info:
        server.core().read_namespaced_config_map("nope", ns)
    assert info.value.status == 404
    assert status_body(info.value)["reason"] == "NotFound"

    proc = kubectl("get", "configmap", "nope", "-n", ns, check=False)
    assert proc.returncode != 0
    assert 'Error from server (NotFound): configmaps "nope" not found' in proc.stderr, proc.stderr


def test_not_found_for_missing_namespace_on_create(server):
    resp = server.http("POST", "/api/v1/namespaces/ct-no-such-namespace/configmaps",
                       body={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "x"}})
    body = assert_status(resp, 404, "NotFound")
    assert "ct-no-such-namespace" in body["message"]


def test_unknown_resource_is_404(server, ns):
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/frobnicators")
    assert resp.status == 404, resp
    assert server.http("GET", "/apis/no.such.group/v1").status == 404


@pytest.mark.parametrize("bad_name", ["Bad_Name", "UPPER", "-leading-dash", "a" * 254])
def test_invalid_name_is_422(server, ns, bad_name):
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                       body={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": bad_name}, "data": {"a": "b"}})
    body = assert_status(resp, 422, "Invalid")
    causes = body.get("details", {}).get("causes", [])
    assert any(c.get("field") == "metadata.name" for c in causes), causes
    listed = server.http("GET", f"/api/v1/namespaces/{ns}/configmaps").json()["items"]
    assert bad_name not in {i["metadata"]["name"] for i in listed}


def test_invalid_configmap_data_key_is_422(server, ns):
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                       body={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "badkey"}, "data": {"no/slash": "x"}})
    body = assert_status(resp, 422, "Invalid")
    assert "data[no/slash]" in body["message"] or any(
        "data" in c.get("field", "") for c in body.get("details", {}).get("causes", [])), body


def test_malformed_body_is_400(server, ns):
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                       body=b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {')
    assert_status(resp, 400, "BadRequest")
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                       body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": "not-an-object"})
    assert_status(resp, 400, "BadRequest")


def test_malformed_patch_is_400_or_422(server, ns):
    server.core().create_namespaced_config_map(
        ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="p"), data={"a": "b"}))
    resp = server.http("PATCH", f"/api/v1/namespaces/{ns}/configmaps/p", body=b"{not json",
                       headers={"Content-Type": "application/merge-patch+json"})
    assert_status(resp, 400, "BadRequest")
    resp = server.http("PATCH", f"/api/v1/namespaces/{ns}/configmaps/p",
                       body={"op": "not-a-list"},
                       headers={"Content-Type": "application/json-patch+json"})
    assert resp.status in (400, 422), resp


def test_unsupported_patch_content_type_is_415(server, ns):
    server.core().create_namespaced_config_map(
        ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="p415"), data={"a": "b"}))
    resp = server.http("PATCH", f"/api/v1/namespaces/{ns}/configmaps/p415",
                       body={"data": {"a": "c"}}, headers={"Content-Type": "text/plain"})
    assert_status(resp, 415, "UnsupportedMediaType")


def test_namespace_mismatch_is_400(server, ns):
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                       body={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "mm", "namespace": "some-other"}})
    assert_status(resp, 400, "BadRequest")


def test_name_mismatch_on_update_is_400(server, ns):
    server.core().create_namespaced_config_map(
        ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="right"), data={"a": "b"}))
    resp = server.http("PUT", f"/api/v1/namespaces/{ns}/configmaps/right",
                       body={"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "wrong"}, "data": {"a": "c"}})
    assert_status(resp, 400, "BadRequest")


def test_unsupported_field_selector_is_400(server, ns):
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/configmaps?fieldSelector=data.a%3Db")
    assert_status(resp, 400, "BadRequest")


def test_invalid_label_selector_is_400(server, ns):
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/configmaps?labelSelector=a%20in%20b")
    assert_status(resp, 400, "BadRequest")
