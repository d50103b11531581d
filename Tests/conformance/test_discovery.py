"""Discovery, version, OpenAPI, authentication, and the platform address."""

from __future__ import annotations

import json
import re
import subprocess

import kubernetes
import pytest
import yaml
from kubernetes import client as k8s

from conftest import KUBECTL, create_configmap, status_body


def _api_resources(kubectl, *extra) -> dict[str, list[str]]:
    """`kubectl api-resources` as {NAME: {column: value}}, split at the header's columns."""
    out = kubectl("api-resources", *extra).stdout
    lines = [l for l in out.splitlines() if l.strip()]
    header = lines[0]
    cols = [(m.start(), m.group()) for m in re.finditer(r"\S+", header)]
    rows = {}
    for line in lines[1:]:
        fields = {}
        for i, (start, name) in enumerate(cols):
            end = cols[i + 1][0] if i + 1 < len(cols) else None
            fields[name] = line[start:end].strip()
        rows[fields["NAME"]] = fields
    return rows


def test_kubectl_api_resources_lists_builtin_kinds(kubectl):
    rows = _api_resources(kubectl)
    for name in ("pods", "configmaps", "namespaces", "secrets", "services", "events",
                 "serviceaccounts", "persistentvolumeclaims", "nodes", "resourcequotas",
                 "leases", "customresourcedefinitions"):
        assert name in rows, f"{name} missing from kubectl api-resources: {sorted(rows)}"
    assert rows["pods"]["NAMESPACED"] == "true"
    assert rows["namespaces"]["NAMESPACED"] == "false"
    assert rows["customresourcedefinitions"]["APIVERSION"] == "apiextensions.k8s.io/v1"
    assert rows["leases"]["APIVERSION"] == "coordination.k8s.io/v1"


def test_builtin_short_names(server, kubectl, ns):
    rows = _api_resources(kubectl)
    assert "cm" in rows["configmaps"]["SHORTNAMES"].split(",")
    assert "po" in rows["pods"]["SHORTNAMES"].split(",")
    assert "ns" in rows["namespaces"]["SHORTNAMES"].split(",")
    assert "crd" in rows["customresourcedefinitions"]["SHORTNAMES"].split(",")
    create_configmap(server, ns, "short", {"a": "b"})
    assert kubectl("get", "cm", "short", "-n", ns, "-o", "name").stdout.strip() == \
        "configmap/short"


def test_kubectl_version_shows_server_version(kubectl):
    out = json.loads(kubectl("version", "-o", "json").stdout)
    server = out.get("serverVersion")
    assert server, f"no serverVersion in kubectl version output: {out}"
    assert re.match(r"^v\d+\.\d+\.\d+", server["gitVersion"]), server
    assert server["major"].isdigit() and server["minor"].rstrip("+").isdigit(), server


def test_version_endpoint(server):
    info = k8s.VersionApi(server.api()).get_code()
    assert info.git_version.startswith("v")
    assert info.major and info.minor
    raw = server.http("GET", "/version")
    assert raw.status == 200
    assert raw.json()["gitVersion"] == info.git_version


def test_core_api_discovery(server):
    versions = k8s.CoreApi(server.api()).get_api_versions()
    assert "v1" in versions.versions
    resources = k8s.CoreV1Api(server.api()).get_api_resources()
    assert resources.group_version == "v1"
    by_name = {r.name: r for r in resources.resources}
    for name in ("pods", "pods/status", "pods/binding", "pods/eviction", "configmaps",
                 "secrets", "services", "namespaces", "nodes", "events", "serviceaccounts",
                 "persistentvolumeclaims", "resourcequotas"):
        assert name in by_name, f"/api/v1 lacks {name}: {sorted(by_name)}"
    pods = by_name["pods"]
    assert pods.namespaced is True and pods.kind == "Pod"
    for verb in ("create", "delete", "deletecollection", "get", "list", "patch", "update",
                 "watch"):
        assert verb in pods.verbs, f"pods verbs {pods.verbs} lack {verb}"
    assert by_name["namespaces"].namespaced is False


def test_apis_group_discovery(server):
    groups = k8s.ApisApi(server.api()).get_api_versions()
    names = {g.name: g for g in groups.groups}
    for group in ("apiextensions.k8s.io", "coordination.k8s.io"):
        assert group in names, f"/apis lacks {group}: {sorted(names)}"
    ext = names["apiextensions.k8s.io"]
    assert ext.preferred_version.group_version == "apiextensions.k8s.io/v1"

    raw = server.http("GET", "/apis/apiextensions.k8s.io/v1")
    assert raw.status == 200, raw
    doc = raw.json()
    assert doc["kind"] == "APIResourceList" and doc["groupVersion"] == "apiextensions.k8s.io/v1"
    names = {r["name"] for r in doc["resources"]}
    assert {"customresourcedefinitions", "customresourcedefinitions/status"} <= names


def _resolve(doc: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if not ref:
        return node
    target: dict = doc
    for part in ref.lstrip("#/").split("/"):
        target = target[part]
    return target


def test_openapi_v3_index_and_group_version_document(server):
    index = server.http("GET", "/openapi/v3")
    assert index.status == 200, index
    paths = index.json()["paths"]
    assert "api/v1" in paths, f"/openapi/v3 index lacks api/v1: {sorted(paths)}"
    assert "apis/apiextensions.k8s.io/v1" in paths
    url = paths["api/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/api/v1")

    doc_resp = server.http("GET", url)
    assert doc_resp.status == 200, doc_resp
    doc = doc_resp.json()
    assert str(doc.get("openapi", "")).startswith("3."), doc.get("openapi")
    gvk = {"group": "", "version": "v1", "kind": "ConfigMap"}
    collection = "/api/v1/namespaces/{namespace}/configmaps"
    item = "/api/v1/namespaces/{namespace}/configmaps/{name}"
    assert collection in doc["paths"] and item in doc["paths"], \
        "core document lacks the configmaps paths"
    # What makes kubectl leave validation to the server (DESIGN.md §4; kubectl looks for a
    # PATCH operation carrying the kind's GVK and a fieldValidation query parameter).
    for path, verb, action in ((collection, "post", "post"), (item, "patch", "patch"),
                               (item, "put", "put")):
        op = doc["paths"][path].get(verb)
        assert op, f"no {verb} operation on {path}"
        assert op.get("x-kubernetes-action") == action, (path, verb, op.get("x-kubernetes-action"))
        assert op.get("x-kubernetes-group-version-kind") == gvk, (path, verb)
        params = [_resolve(doc, p) for p in op.get("parameters", [])]
        assert any(p.get("name") == "fieldValidation" and p.get("in") == "query"
                   for p in params), (path, verb, params)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/livez"])
def test_kube_api_health_endpoints(server, path):
    resp = server.http("GET", path)
    assert resp.status == 200, resp
    assert resp.text.strip() == "ok"


def test_requests_without_token_get_401(server):
    for path in ("/api/v1/namespaces", "/apis", "/api/v1/namespaces/default/configmaps"):
        resp = server.http("GET", path, token=None)
        assert resp.status == 401, f"GET {path} without token: {resp!r}"
        body = resp.json()
        assert body.get("kind") == "Status" and body.get("code") == 401, body
        assert body.get("reason") == "Unauthorized", body
    wrong = server.http("GET", "/api/v1/namespaces", token="not-the-token")
    assert wrong.status == 401, wrong
    write = server.http("POST", "/api/v1/namespaces", token=None,
                        body={"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": "ct-unauthenticated"}})
    assert write.status == 401, write
    assert server.http("GET", "/api/v1/namespaces/ct-unauthenticated").status == 404


def test_kubectl_authenticates_with_the_kubeconfig(server, kubectl):
    # client-go (so kubectl) only sends a kubeconfig's credentials over TLS: with an
    # http:// server it sends no Authorization header at all, and every request gets 401.
    assert server.kube_api.startswith("https://"), (
        "kubectl never sends the kubeconfig's bearer token to an http:// server "
        "(clientcmd adds user credentials only when the transport is TLS); serve the "
        "Kubernetes API over https with its CA in certificate-authority-data")
    out = json.loads(kubectl("get", "--raw", "/api").stdout)
    assert out["kind"] == "APIVersions"


def test_python_client_with_wrong_token_gets_401(server):
    config = k8s.Configuration()
    kubernetes.config.load_kube_config(config_file=str(server.kubeconfig), context="virtyard",
                                       client_configuration=config, persist_config=False)
    config.refresh_api_key_hook = None  # would put the kubeconfig's token back
    config.api_key = {"BearerToken": "Bearer wrong-token"}
    api = k8s.CoreV1Api(k8s.ApiClient(config))
    with pytest.raises(k8s.ApiException) as info:
        api.list_namespace()
    assert info.value.status == 401
    assert status_body(info.value).get("reason") == "Unauthorized"


def test_kubectl_with_wrong_token_fails(server, tmp_path):
    kubeconfig = (server.kubeconfig.read_text()).replace(server.token, "wrong-token")
    assert "wrong-token" in kubeconfig, "admin token not found verbatim in the kubeconfig"
    path = tmp_path / "bad-kubeconfig"
    path.write_text(kubeconfig)
    proc = subprocess.run([KUBECTL, "--kubeconfig", str(path), "--cache-dir",
                           str(tmp_path / "cache"), "get", "namespaces"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Unauthorized" in proc.stderr or "must be logged in" in proc.stderr, proc.stderr


def test_kubeconfig_shape(server):
    cfg = yaml.safe_load(server.kubeconfig.read_text())
    assert cfg["current-context"] == "virtyard"
    assert any(c["name"] == "virtyard" for c in cfg["contexts"])
    users = [u["user"] for u in cfg["users"]]
    assert any(u.get("token") == server.token for u in users), "kubeconfig token != admin-token"
    mode = server.kubeconfig.stat().st_mode & 0o777
    assert mode == 0o600, f"kubeconfig mode {oct(mode)}"
    assert server.token_path.stat().st_mode & 0o777 == 0o600


def test_platform_healthz(server):
    resp = server.http("GET", "/healthz", platform=True)
    assert resp.status == 200, resp
    assert resp.text.strip() == "ok"


def test_platform_metrics_is_prometheus_text(server):
    server.http("GET", "/api/v1/namespaces")  # make sure something happened
    resp = server.http("GET", "/metrics", platform=True, headers={"Accept": "text/plain"})
    assert resp.status == 200, resp
    ctype = resp.headers.get("Content-Type", resp.headers.get("content-type", ""))
    assert ctype.startswith("text/plain") or "openmetrics" in ctype, ctype
    sample = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+[-+0-9.eEInfNa]+(\s+-?\d+)?$")
    types = 0
    for line in resp.text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            if line.startswith("# TYPE "):
                types += 1
            continue
        assert sample.match(line), f"not a Prometheus sample line: {line!r}"
    assert types > 0, f"no metric families in /metrics:\n{resp.text[:2000]}"


def test_kubectl_auth_can_i_answers_yes_for_the_admin(server):
    proc = server.kubectl("auth", "can-i", "create", "pods", check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "yes"
    # Reviews are answered, not stored: listing them is not a served verb.
    resp = server.http("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    assert resp.status == 405, resp
