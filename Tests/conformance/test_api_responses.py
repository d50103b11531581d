"""Responses shaped as kube-apiserver sends them: what a DELETE answers, error `Status`
objects without empty fields, and a watch that ends by `timeoutSeconds` leaving its
connection reusable."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.parse

import pytest
from kubernetes import client as k8s

from conftest import WIDGET_GROUP, WIDGET_PLURAL, WIDGET_VERSION, new_name, status_body, widget


def _pod(name: str) -> k8s.V1Pod:
    return k8s.V1Pod(metadata=k8s.V1ObjectMeta(name=name),
                     spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="c", image="busybox")]))


# -- DELETE ----------------------------------------------------------------------------

def test_deleting_a_pod_returns_the_pod(server, ns):
    """Pods' registry sets ReturnDeletedObject: the Python client deserializes a V1Pod
    (it raised on a Status before)."""
    core = server.core()
    core.create_namespaced_pod(ns, _pod("gone"))
    deleted = core.delete_namespaced_pod("gone", ns)
    assert isinstance(deleted, k8s.V1Pod)
    assert deleted.metadata.name == "gone" and deleted.kind == "Pod"
    assert server.http("GET", f"/api/v1/namespaces/{ns}/pods/gone").status == 404


@pytest.mark.parametrize("kind", ["services", "serviceaccounts", "persistentvolumeclaims", "resourcequotas"])
def test_kinds_that_return_the_deleted_object(server, ns, kind):
    core = server.core()
    name = new_name(kind[:-1])
    create, delete, model = {
        "services": (lambda: core.create_namespaced_service(ns, k8s.V1Service(
            metadata=k8s.V1ObjectMeta(name=name),
            spec=k8s.V1ServiceSpec(ports=[k8s.V1ServicePort(port=80)]))),
            core.delete_namespaced_service, k8s.V1Service),
        "serviceaccounts": (lambda: core.create_namespaced_service_account(ns, k8s.V1ServiceAccount(
            metadata=k8s.V1ObjectMeta(name=name))), core.delete_namespaced_service_account, k8s.V1ServiceAccount),
        "persistentvolumeclaims": (lambda: core.create_namespaced_persistent_volume_claim(ns, k8s.V1PersistentVolumeClaim(
            metadata=k8s.V1ObjectMeta(name=name),
            spec=k8s.V1PersistentVolumeClaimSpec(access_modes=["ReadWriteOnce"], resources=k8s.V1VolumeResourceRequirements(
                requests={"storage": "1Gi"})))),
            core.delete_namespaced_persistent_volume_claim, k8s.V1PersistentVolumeClaim),
        "resourcequotas": (lambda: core.create_namespaced_resource_quota(ns, k8s.V1ResourceQuota(
            metadata=k8s.V1ObjectMeta(name=name), spec=k8s.V1ResourceQuotaSpec(hard={"pods": "10"}))),
            core.delete_namespaced_resource_quota, k8s.V1ResourceQuota),
    }[kind]
    create()
    deleted = delete(name, ns)
    assert isinstance(deleted, model), deleted
    assert deleted.metadata.name == name


def test_deleting_a_persistent_volume_returns_it(server):
    core = server.core()
    name = new_name("pv")
    core.create_persistent_volume(k8s.V1PersistentVolume(
        metadata=k8s.V1ObjectMeta(name=name),
        spec=k8s.V1PersistentVolumeSpec(capacity={"storage": "1Gi"}, access_modes=["ReadWriteOnce"],
                                        host_path=k8s.V1HostPathVolumeSource(path="/tmp/x"))))
    deleted = core.delete_persistent_volume(name)
    assert isinstance(deleted, k8s.V1PersistentVolume) and deleted.metadata.name == name


def test_deleting_a_configmap_answers_a_status_without_group(server, ns):
    """ConfigMaps keep the generic registry's Status, with Go's omitempty: no group for
    the core group."""
    server.core().create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="cm")))
    resp = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/cm")
    assert resp.status == 200, resp
    body = resp.json()
    assert body["kind"] == "Status" and body["status"] == "Success", body
    assert body["details"]["name"] == "cm" and body["details"]["kind"] == "configmaps", body
    assert body["details"].get("uid"), body
    assert "group" not in body["details"], body


def test_deleting_a_custom_resource_answers_a_status_with_its_group(server, ns, widget_crd):
    server.custom().create_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, widget("w1"))
    resp = server.http("DELETE", f"/apis/{WIDGET_GROUP}/{WIDGET_VERSION}/namespaces/{ns}/{WIDGET_PLURAL}/w1")
    assert resp.status == 200, resp
    body = resp.json()
    assert body["kind"] == "Status", body
    assert body["details"] == {"name": "w1", "group": WIDGET_GROUP, "kind": WIDGET_PLURAL,
                               "uid": body["details"]["uid"]}, body


def test_a_delete_held_by_a_finalizer_returns_the_object_being_deleted(server, ns):
    """Whatever the kind, an object that finalizers keep comes back with its
    deletionTimestamp (a ConfigMap here, whose plain delete answers a Status)."""
    core = server.core()
    core.create_namespaced_config_map(ns, k8s.V1ConfigMap(
        metadata=k8s.V1ObjectMeta(name="held", finalizers=["example.com/hold"])))
    resp = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/held")
    assert resp.status == 200, resp
    body = resp.json()
    assert body["kind"] == "ConfigMap" and body["metadata"]["deletionTimestamp"], body
    # A second delete answers the same way.
    again = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/held").json()
    assert again["kind"] == "ConfigMap" and again["metadata"]["deletionTimestamp"], again
    core.patch_namespaced_config_map("held", ns, {"metadata": {"finalizers": None}},
                                     _content_type="application/merge-patch+json")


def test_dry_run_delete_answers_as_the_real_one_and_keeps_the_object(server, ns):
    core = server.core()
    core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="kept")))
    core.create_namespaced_service_account(ns, k8s.V1ServiceAccount(metadata=k8s.V1ObjectMeta(name="kept")))
    status = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/kept?dryRun=All").json()
    assert status["kind"] == "Status" and status["status"] == "Success", status
    account = server.http("DELETE", f"/api/v1/namespaces/{ns}/serviceaccounts/kept?dryRun=All").json()
    assert account["kind"] == "ServiceAccount", account
    assert core.read_namespaced_config_map("kept", ns).metadata.name == "kept"
    assert core.read_namespaced_service_account("kept", ns).metadata.name == "kept"


def test_deletecollection_returns_the_list_it_deleted(server, ns):
    core = server.core()
    for name in ("a", "b"):
        core.create_namespaced_config_map(ns, k8s.V1ConfigMap(
            metadata=k8s.V1ObjectMeta(name=name, labels={"sweep": "yes"})))
    core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="stays")))
    resp = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps?labelSelector=sweep%3Dyes")
    assert resp.status == 200, resp
    body = resp.json()
    assert body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1", body
    assert sorted(item["metadata"]["name"] for item in body["items"]) == ["a", "b"], body
    # Each item as it was listed, before its deletion.
    assert all("deletionTimestamp" not in item["metadata"] for item in body["items"]), body
    names = [cm.metadata.name for cm in core.list_namespaced_config_map(ns).items]
    assert "stays" in names and "a" not in names and "b" not in names


# -- Error Status ----------------------------------------------------------------------

def test_error_status_omits_empty_details_fields(server, ns):
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/pods/missing")
    assert resp.status == 404
    assert resp.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'pods "missing" not found', "reason": "NotFound",
        "details": {"name": "missing", "kind": "pods"}, "code": 404,
    }
    grouped = server.http("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/missing").json()
    assert grouped["details"] == {"name": "missing", "group": "apps", "kind": "deployments"}, grouped
    unauthorized = server.http("GET", "/api/v1/pods", token=None).json()
    assert "details" not in unauthorized, unauthorized

    with pytest.raises(k8s.ApiException) as info:
        server.core().read_namespaced_pod("missing", ns)
    assert "group" not in status_body(info.value)["details"]


# -- Watch timeout and keep-alive ------------------------------------------------------

def _connection(server) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(server.kube_api)
    if url.scheme == "https":
        return http.client.HTTPSConnection(url.hostname, url.port, context=server.ssl_context, timeout=30)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def test_a_watch_ended_by_timeout_leaves_the_connection_reusable(server, ns):
    """Go's and Python's clients pool connections: after a watch ends by timeoutSeconds,
    the next request on the same connection must be answered."""
    connection = _connection(server)
    headers = {"Authorization": f"Bearer {server.token}"}
    # Selects nothing, so the watch sends no events (a namespace holds kube-root-ca.crt).
    connection.request("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1"
                       "&fieldSelector=metadata.name%3Dnone", headers=headers)
    watch = connection.getresponse()
    assert watch.status == 200
    assert watch.getheader("Transfer-Encoding") == "chunked"
    assert watch.read() == b""  # raises IncompleteRead without the terminating chunk
    sock = connection.sock
    connection.request("GET", f"/api/v1/namespaces/{ns}/configmaps", headers=headers)
    listed = connection.getresponse()
    assert listed.status == 200
    assert json.loads(listed.read())["kind"] == "ConfigMapList"
    assert connection.sock is sock, "the client had to open a new connection"
    connection.close()


def test_a_watch_ends_with_the_terminating_chunk_on_the_wire(server, ns):
    url = urllib.parse.urlsplit(server.kube_api)
    raw = socket.create_connection((url.hostname, url.port), timeout=30)
    if url.scheme == "https":
        raw = server.ssl_context.wrap_socket(raw, server_hostname=url.hostname)
    raw.sendall((f"GET /api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1 HTTP/1.1\r\n"
                 f"Host: {url.hostname}\r\nAuthorization: Bearer {server.token}\r\n\r\n").encode())
    received = b""
    while not received.endswith(b"\r\n0\r\n\r\n"):
        chunk = raw.recv(65536)
        assert chunk, f"connection closed before the terminating chunk: {received!r}"
        received += chunk
    raw.sendall(f"GET /version HTTP/1.1\r\nHost: {url.hostname}\r\n\r\n".encode())
    answer = raw.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    raw.close()
