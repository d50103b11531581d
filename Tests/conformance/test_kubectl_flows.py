"""Everyday kubectl flows: apply, get, describe, selectors, label, annotate, patch,
delete, chunked lists, server-side dry run."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes import client as k8s

from conftest import create_configmap, new_name, write_manifest

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def configmap(name: str, data: dict, labels: dict | None = None) -> dict:
    meta: dict = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def pod(name: str, app_image: str = "nginx:1.25", labels: dict | None = None) -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": "web"}},
        "spec": {
            # A node that does not exist: nothing (no simulated kubelet either) acts on it.
            "nodeName": "ct-no-such-node",
            "containers": [
                {"name": "app", "image": app_image,
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "ports": [{"name": "http", "containerPort": 8080}]},
                {"name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]},
            ],
        },
    }


def get_json(kubectl, *args) -> dict:
    return json.loads(kubectl("get", *args, "-o", "json").stdout)


def names(kubectl, *args) -> set[str]:
    out = kubectl("get", *args, "-o", "name").stdout
    return {line.split("/", 1)[1] for line in out.split() if line}


# -- apply, get, describe -------------------------------------------------------------


def test_apply_configmap_and_pod_then_get(kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "app.yaml",
                          configmap("app-config", {"color": "blue", "size": "3"}),
                          pod("web"))
    out = kubectl("apply", "-n", ns, "-f", str(path)).stdout
    assert "configmap/app-config created" in out, out
    assert "pod/web created" in out, out

    cm = get_json(kubectl, "configmap", "app-config", "-n", ns)
    assert cm["kind"] == "ConfigMap"
    assert cm["data"] == {"color": "blue", "size": "3"}
    meta = cm["metadata"]
    assert meta["namespace"] == ns
    assert meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
    assert LAST_APPLIED in meta.get("annotations", {}), meta

    listed = yaml.safe_load(kubectl("get", "pods", "-n", ns, "-o", "yaml").stdout)
    assert listed["kind"] == "List"
    [p] = listed["items"]
    assert p["metadata"]["name"] == "web"
    assert [c["name"] for c in p["spec"]["containers"]] == ["app", "sidecar"]
    assert p["spec"]["containers"][0]["image"] == "nginx:1.25"

    table = kubectl("get", "configmaps", "-n", ns).stdout
    assert "NAME" in table and "app-config" in table, table


def test_describe(kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "app.yaml",
                          configmap("described", {"greeting": "hello"}), pod("web"))
    kubectl("apply", "-n", ns, "-f", str(path))
    cm = kubectl("describe", "configmap", "described", "-n", ns).stdout
    assert "Name:" in cm and "described" in cm, cm
    assert f"Namespace:" in cm and ns in cm, cm
    assert "greeting" in cm and "hello" in cm, cm
    pd = kubectl("describe", "pod", "web", "-n", ns).stdout
    assert "Containers:" in pd and "nginx:1.25" in pd and "sidecar:" in pd, pd


def test_apply_again_uses_strategic_merge_and_updates_last_applied(kubectl, ns, tmp_path):
    first = write_manifest(tmp_path, "v1.yaml",
                           configmap("cfg", {"keep": "1", "change": "old", "drop": "x"}),
                           pod("web"))
    kubectl("apply", "-n", ns, "-f", str(first))
    before = get_json(kubectl, "configmap", "cfg", "-n", ns)

    second = write_manifest(tmp_path, "v2.yaml",
                            configmap("cfg", {"keep": "1", "change": "new", "add": "added"}),
                            pod("web", app_image="nginx:1.27", labels={"app": "web",
                                                                        "rev": "2"}))
    out = kubectl("apply", "-n", ns, "-f", str(second)).stdout
    assert "configmap/cfg configured" in out and "pod/web configured" in out, out

    after = get_json(kubectl, "configmap", "cfg", "-n", ns)
    # Three-way merge: "drop" was in the last applied configuration and is gone now.
    assert after["data"] == {"keep": "1", "change": "new", "add": "added"}
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    last = json.loads(after["metadata"]["annotations"][LAST_APPLIED])
    assert last["data"] == {"keep": "1", "change": "new", "add": "added"}

    p = get_json(kubectl, "pod", "web", "-n", ns)
    assert p["metadata"]["labels"] == {"app": "web", "rev": "2"}
    containers = {c["name"]: c for c in p["spec"]["containers"]}
    # Merged by name ($setElementOrder/containers), not replaced.
    assert list(containers) == ["app", "sidecar"]
    assert containers["app"]["image"] == "nginx:1.27"
    assert containers["app"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert containers["sidecar"]["image"] == "busybox:1.36"


def test_apply_unknown_field_is_refused(kubectl, ns, tmp_path):
    bad = configmap("strict", {"a": "b"})
    bad["bogusField"] = "x"
    path = write_manifest(tmp_path, "bad.yaml", bad)
    proc = kubectl("apply", "-n", ns, "-f", str(path), check=False)
    assert proc.returncode != 0, proc.stdout
    assert "unknown field" in proc.stderr and "bogusField" in proc.stderr, proc.stderr
    assert kubectl("get", "cm", "strict", "-n", ns, check=False).returncode != 0


def test_kubectl_create_generators(kubectl, ns):
    """`kubectl create namespace|configmap|secret` build typed objects and send them as
    protobuf (Content-Type: application/vnd.kubernetes.protobuf), with no JSON fallback on
    415: serving them needs protobuf request bodies for these core kinds."""
    extra = ns + "-gen"
    try:
        out = kubectl("create", "namespace", extra).stdout
        assert f"namespace/{extra} created" in out, out
        kubectl("create", "configmap", "gen-cm", "-n", extra, "--from-literal=a=1",
                "--from-literal=b=2")
        kubectl("create", "secret", "generic", "gen-secret", "-n", extra,
                "--from-literal=password=hunter2")
        cm = get_json(kubectl, "configmap", "gen-cm", "-n", extra)
        assert cm["data"] == {"a": "1", "b": "2"}
        secret = get_json(kubectl, "secret", "gen-secret", "-n", extra)
        assert secret["data"] == {"password": "aHVudGVyMg=="}
        assert secret.get("type") == "Opaque"
    finally:
        kubectl("delete", "namespace", extra, "--wait=false", "--ignore-not-found",
                check=False)


BUILTIN_OBJECTS = {
    "secret": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "rt"},
               "type": "Opaque", "data": {"k": "dg=="}},
    "service": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "rt"},
                "spec": {"selector": {"app": "rt"}, "ports": [{"port": 80}]}},
    "serviceaccount": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "rt"}},
    "event": {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "rt"},
              "involvedObject": {"apiVersion": "v1", "kind": "ConfigMap", "name": "x"},
              "reason": "Testing", "message": "conformance", "type": "Normal",
              "source": {"component": "conformance"}},
    "persistentvolumeclaim": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                              "metadata": {"name": "rt"},
                              "spec": {"accessModes": ["ReadWriteOnce"],
                                       "resources": {"requests": {"storage": "1Gi"}}}},
    "resourcequota": {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "rt"},
                      "spec": {"hard": {"pods": "10"}}},
    "lease": {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
              "metadata": {"name": "rt"},
              "spec": {"holderIdentity": "conformance", "leaseDurationSeconds": 15}},
}


@pytest.mark.parametrize("kind", sorted(BUILTIN_OBJECTS))
def test_builtin_kind_round_trip(kubectl, ns, tmp_path, kind):
    manifest = BUILTIN_OBJECTS[kind]
    if kind == "event":
        manifest = json.loads(json.dumps(manifest))
        manifest["involvedObject"]["namespace"] = ns
    out = kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "o.yaml", manifest)))
    assert "created" in out.stdout, out.stdout
    got = get_json(kubectl, kind, "rt", "-n", ns)
    assert got["kind"] == manifest["kind"] and got["apiVersion"] == manifest["apiVersion"]
    for field in ("data", "reason", "message", "type"):
        if field in manifest:
            assert got[field] == manifest[field], (field, got)
    for key, value in manifest.get("spec", {}).items():
        if key == "ports":  # defaulting adds protocol and targetPort
            assert [p["port"] for p in got["spec"]["ports"]] == [p["port"] for p in value]
        else:
            assert got["spec"][key] == value, (key, got["spec"])
    # Every namespace also holds its `default` ServiceAccount and `kube-root-ca.crt`.
    assert names(kubectl, kind, "-n", ns) - {"default", "kube-root-ca.crt"} == {"rt"}
    kubectl("delete", kind, "rt", "-n", ns)
    assert names(kubectl, kind, "-n", ns) - {"default", "kube-root-ca.crt"} == set()


def test_node_cluster_scoped_round_trip(kubectl, tmp_path):
    name = new_name("ct-node")
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"conformance": "yes"}}}
    try:
        kubectl("apply", "-f", str(write_manifest(tmp_path, "node.yaml", node)))
        got = get_json(kubectl, "node", name)
        assert "namespace" not in got["metadata"] or not got["metadata"]["namespace"]
        assert name in names(kubectl, "nodes", "-l", "conformance=yes")
    finally:
        kubectl("delete", "node", name, "--ignore-not-found")
    assert name not in names(kubectl, "nodes")


# -- selectors ------------------------------------------------------------------------

SELECTOR_SET = {
    "a": {"suite": "sel", "env": "prod", "tier": "web"},
    "b": {"suite": "sel", "env": "prod", "tier": "db"},
    "c": {"suite": "sel", "env": "dev", "tier": "web"},
    "d": {"suite": "sel", "env": "staging"},
    "e": {"suite": "sel", "tier": "cache"},
}


@pytest.fixture
def labelled(kubectl, ns, tmp_path) -> str:
    docs = [configmap(n, {"letter": n}, labels) for n, labels in SELECTOR_SET.items()]
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "set.yaml", *docs)))
    return ns


@pytest.mark.parametrize("selector, expected", [
    ("env=prod", {"a", "b"}),
    ("env==prod", {"a", "b"}),
    ("env!=prod", {"c", "d", "e"}),
    ("env in (dev,staging)", {"c", "d"}),
    ("env notin (prod,dev)", {"d", "e"}),
    ("env", {"a", "b", "c", "d"}),
    ("!env", {"e"}),
    ("env=prod,tier=web", {"a"}),
    ("tier in (web),env!=dev", {"a"}),
    ("env=nope", set()),
])
def test_label_selectors(kubectl, labelled, selector, expected):
    assert names(kubectl, "configmaps", "-n", labelled, "-l", f"suite=sel,{selector}") == expected


def test_field_selectors(kubectl, labelled, server):
    ns = labelled
    assert names(kubectl, "cm", "-n", ns, "--field-selector", "metadata.name=b") == {"b"}
    assert names(kubectl, "cm", "-n", ns, "-l", "suite=sel",
                 "--field-selector", "metadata.name!=b") == {"a", "c", "d", "e"}
    everywhere = server.core().list_config_map_for_all_namespaces(
        field_selector=f"metadata.namespace={ns}", label_selector="suite=sel")
    assert {(i.metadata.namespace, i.metadata.name) for i in everywhere.items} == \
        {(ns, n) for n in SELECTOR_SET}


def test_pod_field_selectors(kubectl, ns, server, tmp_path):
    first, second = pod("p1"), pod("p2")
    second["spec"]["nodeName"] = "ct-other-node"
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "pods.yaml", first, second)))
    core = server.core()
    core.patch_namespaced_pod_status("p1", ns, {"status": {"phase": "Running"}},
                                     _content_type="application/merge-patch+json")
    core.patch_namespaced_pod_status("p2", ns, {"status": {"phase": "Succeeded"}},
                                     _content_type="application/merge-patch+json")
    assert names(kubectl, "pods", "-n", ns, "--field-selector",
                 "spec.nodeName=ct-no-such-node") == {"p1"}
    assert names(kubectl, "pods", "-n", ns, "--field-selector", "status.phase=Running") == {"p1"}
    assert names(kubectl, "pods", "-n", ns, "--field-selector",
                 "status.phase!=Running") == {"p2"}


# -- label, annotate ------------------------------------------------------------------


def test_label(server, kubectl, ns):
    create_configmap(server, ns, "lbl", {"k": "v"})
    kubectl("label", "configmap", "lbl", "-n", ns, "color=blue", "team=core")
    assert get_json(kubectl, "cm", "lbl", "-n", ns)["metadata"]["labels"] == \
        {"color": "blue", "team": "core"}

    refused = kubectl("label", "configmap", "lbl", "-n", ns, "color=red", check=False)
    assert refused.returncode != 0 and "already has a value" in refused.stderr, refused.stderr

    kubectl("label", "configmap", "lbl", "-n", ns, "color=red", "--overwrite")
    assert get_json(kubectl, "cm", "lbl", "-n", ns)["metadata"]["labels"]["color"] == "red"

    kubectl("label", "configmap", "lbl", "-n", ns, "color-")
    assert get_json(kubectl, "cm", "lbl", "-n", ns)["metadata"]["labels"] == {"team": "core"}
    assert names(kubectl, "cm", "-n", ns, "-l", "team=core") == {"lbl"}


def test_annotate(server, kubectl, ns):
    create_configmap(server, ns, "ann", {"k": "v"})
    kubectl("annotate", "configmap", "ann", "-n", ns, "example.com/owner=alice", "note=hi")
    ann = get_json(kubectl, "cm", "ann", "-n", ns)["metadata"]["annotations"]
    assert ann["example.com/owner"] == "alice" and ann["note"] == "hi"

    refused = kubectl("annotate", "configmap", "ann", "-n", ns, "note=bye", check=False)
    assert refused.returncode != 0, refused.stdout

    kubectl("annotate", "configmap", "ann", "-n", ns, "note=bye", "--overwrite")
    kubectl("annotate", "configmap", "ann", "-n", ns, "example.com/owner-")
    ann = get_json(kubectl, "cm", "ann", "-n", ns)["metadata"]["annotations"]
    assert ann.get("note") == "bye"
    assert "example.com/owner" not in ann


# -- patch ----------------------------------------------------------------------------


def test_patch_merge(server, kubectl, ns):
    create_configmap(server, ns, "m", {"k0": "v0", "k1": "v1"})
    kubectl("patch", "configmap", "m", "-n", ns, "--type", "merge",
            "-p", json.dumps({"data": {"k1": None, "k2": "v2"},
                              "metadata": {"labels": {"patched": "yes"}}}))
    cm = get_json(kubectl, "cm", "m", "-n", ns)
    assert cm["data"] == {"k0": "v0", "k2": "v2"}
    assert cm["metadata"]["labels"] == {"patched": "yes"}


def test_patch_json(server, kubectl, ns):
    create_configmap(server, ns, "j", {"k0": "v0", "k2": "v2"})
    kubectl("annotate", "configmap", "j", "-n", ns, "example.com/x=1")
    ops = [
        {"op": "add", "path": "/data/k3", "value": "v3"},
        {"op": "replace", "path": "/data/k0", "value": "new"},
        {"op": "remove", "path": "/data/k2"},
        {"op": "replace", "path": "/metadata/annotations/example.com~1x", "value": "2"},
    ]
    kubectl("patch", "configmap", "j", "-n", ns, "--type", "json", "-p", json.dumps(ops))
    cm = get_json(kubectl, "cm", "j", "-n", ns)
    assert cm["data"] == {"k0": "new", "k3": "v3"}
    assert cm["metadata"]["annotations"]["example.com/x"] == "2"

    # A failing "test" op makes the whole patch fail and change nothing.
    rv = cm["metadata"]["resourceVersion"]
    failing = [{"op": "replace", "path": "/data/k3", "value": "changed"},
               {"op": "test", "path": "/data/k0", "value": "wrong"}]
    proc = kubectl("patch", "configmap", "j", "-n", ns, "--type", "json",
                   "-p", json.dumps(failing), check=False)
    assert proc.returncode != 0
    cm = get_json(kubectl, "cm", "j", "-n", ns)
    assert cm["data"] == {"k0": "new", "k3": "v3"}
    assert cm["metadata"]["resourceVersion"] == rv


def test_patch_strategic_merges_containers_by_name(kubectl, ns, tmp_path):
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "pod.yaml", pod("web"))))
    # Pod specs are mostly immutable; a container image is one of the mutable fields.
    kubectl("patch", "pod", "web", "-n", ns, "--type", "strategic",
            "-p", json.dumps({"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}))
    p = get_json(kubectl, "pod", "web", "-n", ns)
    containers = {c["name"]: c for c in p["spec"]["containers"]}
    assert list(containers) == ["app", "sidecar"]
    assert containers["app"]["image"] == "nginx:1.27"
    assert containers["app"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert [(p["name"], p["containerPort"]) for p in containers["app"]["ports"]] == \
        [("http", 8080)]
    assert containers["sidecar"]["image"] == "busybox:1.36"


def test_patch_strategic_service_ports_merge_and_delete_directive(kubectl, ns, tmp_path):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
           "spec": {"selector": {"app": "web"},
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "svc.yaml", svc)))
    kubectl("patch", "service", "svc", "-n", ns, "--type", "strategic", "-p", json.dumps(
        {"spec": {"ports": [{"name": "https", "port": 443, "targetPort": 8443}]}}))
    ports = {p["port"]: p for p in get_json(kubectl, "svc", "svc", "-n", ns)["spec"]["ports"]}
    assert set(ports) == {80, 443}, ports
    assert ports[80]["name"] == "http" and ports[443]["name"] == "https"

    kubectl("patch", "service", "svc", "-n", ns, "--type", "strategic", "-p", json.dumps(
        {"spec": {"ports": [{"port": 80, "$patch": "delete"}]}}))
    ports = [p["port"] for p in get_json(kubectl, "svc", "svc", "-n", ns)["spec"]["ports"]]
    assert ports == [443]


# -- delete ---------------------------------------------------------------------------


def test_delete(kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "two.yaml", configmap("d1", {"a": "1"}),
                          configmap("d2", {"a": "2"}))
    kubectl("apply", "-n", ns, "-f", str(path))
    out = kubectl("delete", "configmap", "d1", "-n", ns).stdout
    assert 'configmap "d1" deleted' in out, out
    gone = kubectl("get", "configmap", "d1", "-n", ns, check=False)
    assert gone.returncode != 0
    assert "NotFound" in gone.stderr and '"d1" not found' in gone.stderr, gone.stderr

    kubectl("delete", "-n", ns, "-f", str(path), "--ignore-not-found")
    assert kubectl("get", "configmap", "d2", "-n", ns, check=False).returncode != 0

    missing = kubectl("delete", "configmap", "never-was", "-n", ns, check=False)
    assert missing.returncode != 0 and "NotFound" in missing.stderr, missing.stderr


def test_delete_collection_by_label(kubectl, ns, server):
    for i in range(3):
        create_configmap(server, ns, f"dc{i}", {"a": "b"}, labels={"batch": "x"})
    create_configmap(server, ns, "keep", {"a": "b"})
    server.core().delete_collection_namespaced_config_map(ns, label_selector="batch=x")
    assert names(kubectl, "cm", "-n", ns, "-l", "batch=x") == set()
    assert "keep" in names(kubectl, "cm", "-n", ns)


# -- chunked lists --------------------------------------------------------------------


def test_get_with_chunk_size_returns_everything(kubectl, ns, tmp_path, server):
    docs = [configmap(f"chunk-{i}", {"i": str(i)}, {"chunk": "yes"}) for i in range(5)]
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "five.yaml", *docs)))
    got = names(kubectl, "configmaps", "-n", ns, "-l", "chunk=yes", "--chunk-size=2")
    assert got == {f"chunk-{i}" for i in range(5)}

    # The same through the API: pages of 2 with a continue token, no duplicates.
    core = server.core()
    seen, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_config_map(ns, label_selector="chunk=yes", limit=2,
                                               _continue=token)
        pages += 1
        assert len(page.items) <= 2
        seen += [i.metadata.name for i in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert pages < 10, "continue token never ends"
    assert pages == 3, f"expected 3 pages of 2, 2, 1; got {pages}"
    assert sorted(seen) == sorted(f"chunk-{i}" for i in range(5))


# -- server-side dry run --------------------------------------------------------------


def test_dry_run_server_changes_nothing(server, kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "dry.yaml", configmap("dry", {"a": "1"}))
    out = kubectl("apply", "-n", ns, "-f", str(path), "--dry-run=server").stdout
    assert "configmap/dry created (server dry run)" in out, out
    assert kubectl("get", "cm", "dry", "-n", ns, check=False).returncode != 0

    path2 = write_manifest(tmp_path, "dry2.yaml", configmap("dry2", {"a": "b"}))
    created = json.loads(kubectl("create", "-n", ns, "-f", str(path2), "--dry-run=server",
                                 "-o", "json").stdout)
    assert created["metadata"]["name"] == "dry2"
    assert kubectl("get", "cm", "dry2", "-n", ns, check=False).returncode != 0

    create_configmap(server, ns, "real", {"a": "1"})
    before = get_json(kubectl, "cm", "real", "-n", ns)
    preview = json.loads(kubectl("patch", "cm", "real", "-n", ns, "--type", "merge",
                                 "-p", '{"data":{"a":"2"}}', "--dry-run=server",
                                 "-o", "json").stdout)
    assert preview["data"] == {"a": "2"}
    kubectl("delete", "cm", "real", "-n", ns, "--dry-run=server")
    after = get_json(kubectl, "cm", "real", "-n", ns)
    assert after["data"] == {"a": "1"}
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert names(kubectl, "cm", "-n", ns) >= {"real"}
    assert not names(kubectl, "cm", "-n", ns) & {"dry", "dry2"}


def test_dry_run_via_python_client(server, ns):
    core = server.core()
    body = k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="pydry"), data={"a": "b"})
    result = core.create_namespaced_config_map(ns, body, dry_run="All")
    assert result.metadata.name == "pydry"
    with pytest.raises(k8s.ApiException) as info:
        core.read_namespaced_config_map("pydry", ns)
    assert info.value.status == 404
