"""Persistence: clean shutdown, and acknowledged writes surviving kill -9 (own server)."""

from __future__ import annotations

import json
import signal
import threading

from kubernetes import client as k8s

from conftest import (MERGE_PATCH, WIDGET_CRD, WIDGET_CRD_NAME, WIDGET_GROUP, WIDGET_PLURAL,
                      WIDGET_SHORT, WIDGET_VERSION, rv_int, widget, write_manifest)


def _ns(core, name: str) -> str:
    core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=name)))
    return name


def _cm(name: str, **data: str) -> k8s.V1ConfigMap:
    return k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name), data=dict(data))


def _snapshot(core, ns: str) -> tuple[dict, int]:
    listed = core.list_namespaced_config_map(ns)
    objs = {i.metadata.name: (i.metadata.uid, i.metadata.resource_version, i.data,
                              i.metadata.creation_timestamp)
            for i in listed.items if i.metadata.name != "kube-root-ca.crt"}
    highest = max([int(listed.metadata.resource_version)] +
                  [int(v[1]) for v in objs.values()])
    return objs, highest


def test_sigterm_exits_zero_and_data_survives(fresh_server):
    srv = fresh_server
    core = srv.core()
    ns = _ns(core, "persist-clean")
    core.create_namespaced_config_map(ns, _cm("kept", a="1"))
    before, _ = _snapshot(core, ns)

    code = srv.stop()
    assert code == 0, f"exit code {code} after SIGTERM\n{srv.log_tail(lines=40)}"
    srv.restart()
    after, _ = _snapshot(srv.core(), ns)
    assert after == before
    assert srv.kubectl("get", "configmap", "kept", "-n", ns, "-o", "name").stdout.strip() == \
        "configmap/kept"


def test_kill9_then_restart_keeps_every_acknowledged_write(fresh_server, tmp_path):
    srv = fresh_server
    core, api = srv.core(), srv.custom()
    ns = _ns(core, "persist-kill")

    srv.kubectl("apply", "-f", str(write_manifest(tmp_path, "crd.yaml", WIDGET_CRD)))
    srv.kubectl("wait", "--for=condition=Established", "--timeout=30s",
                f"crd/{WIDGET_CRD_NAME}", timeout=45)
    api.create_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL,
                                        widget("kept-widget", replicas=4))
    api.patch_namespaced_custom_object_status(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL,
                                              "kept-widget", {"status": {"phase": "Ready"}},
                                              _content_type=MERGE_PATCH)

    for i in range(20):
        core.create_namespaced_config_map(ns, _cm(f"cm-{i}", i=str(i)))
    core.patch_namespaced_config_map("cm-3", ns, {"data": {"i": "patched"}},
                                     _content_type=MERGE_PATCH)
    core.delete_namespaced_config_map("cm-5", ns)
    core.create_namespaced_secret(ns, k8s.V1Secret(metadata=k8s.V1ObjectMeta(name="s"),
                                                   string_data={"password": "hunter2"}))
    held = _cm("held")
    held.metadata.finalizers = ["conformance.virtyard.io/hold"]
    core.create_namespaced_config_map(ns, held)
    core.delete_namespaced_config_map("held", ns)
    # The very last write goes through kubectl, and kill -9 follows its exit at once.
    last = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "last"},
            "data": {"k": "v"}}
    srv.kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "last.yaml", last)))

    before, highest = _snapshot(core, ns)
    assert "cm-5" not in before and "last" in before and len(before) == 21
    srv.kill9()

    srv.restart()
    core, api = srv.core(), srv.custom()
    after, _ = _snapshot(core, ns)
    assert after == before, "objects changed across kill -9"
    assert after["cm-3"][2] == {"i": "patched"}
    assert core.read_namespaced_config_map("held", ns).metadata.deletion_timestamp is not None
    secret = core.read_namespaced_secret("s", ns)
    assert secret.data["password"] == "aHVudGVyMg=="  # base64("hunter2")

    crd = srv.apiext().read_custom_resource_definition(WIDGET_CRD_NAME)
    assert {c.type: c.status for c in crd.status.conditions}.get("Established") == "True"
    w = api.get_namespaced_custom_object(WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL,
                                         "kept-widget")
    assert w["spec"]["replicas"] == 4 and w["status"]["phase"] == "Ready"
    assert srv.kubectl("get", WIDGET_SHORT, "-n", ns, "-o", "name").stdout.split() == \
        [f"widget.{WIDGET_GROUP}/kept-widget"]

    # resourceVersions continue upward.
    new = core.create_namespaced_config_map(ns, _cm("after-restart"))
    assert rv_int(new) > highest, (new.metadata.resource_version, highest)
    patched = core.patch_namespaced_config_map("cm-0", ns, {"data": {"i": "again"}},
                                               _content_type=MERGE_PATCH)
    assert rv_int(patched) > rv_int(new)
    assert int(core.list_namespaced_config_map(ns).metadata.resource_version) >= rv_int(patched)


def test_kill9_after_concurrent_writes(fresh_server):
    """Writes acknowledged under load (group commit) survive kill -9 too."""
    srv = fresh_server
    core = srv.core()
    ns = _ns(core, "persist-load")
    acknowledged: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        try:
            for i in range(40):
                name = f"w{w}-{i}"
                core.create_namespaced_config_map(ns, _cm(name, v=str(i)))
                with lock:
                    acknowledged.append(name)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    srv.kill9()
    srv.restart()
    names = {i.metadata.name for i in srv.core().list_namespaced_config_map(ns).items}
    missing = set(acknowledged) - names
    assert not missing, f"{len(missing)} acknowledged creates lost: {sorted(missing)[:10]}"
    assert len(acknowledged) == 320


def test_kubeconfig_and_token_work_after_restart(fresh_server):
    srv = fresh_server
    srv.kill9()
    srv.restart()
    out = json.loads(srv.kubectl("get", "namespaces", "-o", "json").stdout)
    assert out["kind"] in ("List", "NamespaceList")
    assert srv.http("GET", "/api/v1/namespaces").status == 200


def test_sigint_exits_zero_and_startup_says_where_it_listens(fresh_server):
    srv = fresh_server
    banner = srv.log_tail()
    assert srv.kube_api in banner, "start-up output does not name the Kubernetes API address"
    assert srv.platform in banner, "start-up output does not name the platform address"
    assert "kubectl" in banner, "start-up output does not say how to use kubectl"
    assert srv.stop(sig=signal.SIGINT) == 0
