"""`kubectl wait` and `kubectl get -w` reacting to changes another client makes."""

from __future__ import annotations

import datetime
import time

from kubernetes import client as k8s

from conftest import (MERGE_PATCH, STRATEGIC_PATCH, WIDGET_GROUP, WIDGET_PLURAL,
                      WIDGET_VERSION, create_configmap, widget, write_manifest)

JSONPATH_NAME_V = 'jsonpath={.metadata.name}={.data.v}{"\\n"}'


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _still_waiting(proc, seconds: float = 1.5) -> None:
    time.sleep(seconds)
    assert proc.proc.poll() is None, (
        f"kubectl exited before the change was made: lines={proc.seen!r} "
        f"stderr={proc.stderr!r}")


def test_wait_for_condition_set_through_custom_resource_status(server, kubectl, ns, widget_crd,
                                                                tmp_path):
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "w.yaml", widget("w1"))))
    waiter = server.kubectl_bg("wait", "-n", ns, f"{WIDGET_PLURAL}.{WIDGET_GROUP}/w1",
                               "--for=condition=Ready", "--timeout=30s")
    try:
        _still_waiting(waiter)
        server.custom().patch_namespaced_custom_object_status(
            WIDGET_GROUP, WIDGET_VERSION, ns, WIDGET_PLURAL, "w1",
            {"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Test",
                                        "message": "set by the conformance suite",
                                        "lastTransitionTime": _now()}]}},
            _content_type=MERGE_PATCH)
        code, out, err = waiter.finish(timeout=30)
    finally:
        waiter.kill()
    assert code == 0, f"kubectl wait exited {code}: {err}"
    assert "condition met" in "\n".join(waiter.seen), waiter.seen


def test_wait_for_pod_ready_set_through_pod_status(server, kubectl, ns, tmp_path):
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "waitpod"},
                "spec": {"nodeName": "ct-no-such-node",
                         "containers": [{"name": "c", "image": "busybox:1.36"}]}}
    kubectl("apply", "-n", ns, "-f", str(write_manifest(tmp_path, "pod.yaml", manifest)))
    waiter = server.kubectl_bg("wait", "-n", ns, "pod/waitpod", "--for=condition=Ready",
                               "--timeout=30s")
    try:
        _still_waiting(waiter)
        server.core().patch_namespaced_pod_status(
            "waitpod", ns,
            {"status": {"conditions": [{"type": "Ready", "status": "True",
                                        "lastTransitionTime": _now()}]}},
            _content_type=STRATEGIC_PATCH)
        code, out, err = waiter.finish(timeout=30)
    finally:
        waiter.kill()
    assert code == 0, f"kubectl wait exited {code}: {err}"
    assert "pod/waitpod condition met" in "\n".join(waiter.seen), waiter.seen


def test_wait_for_delete(server, kubectl, ns):
    create_configmap(server, ns, "doomed", {"a": "b"})
    waiter = server.kubectl_bg("wait", "-n", ns, "configmap/doomed", "--for=delete",
                               "--timeout=30s")
    try:
        _still_waiting(waiter)
        server.core().delete_namespaced_config_map("doomed", ns)
        code, out, err = waiter.finish(timeout=30)
    finally:
        waiter.kill()
    assert code == 0, f"kubectl wait --for=delete exited {code}: {err}"
    assert "condition met" in "\n".join(waiter.seen), waiter.seen


def test_wait_times_out_when_condition_never_comes(server, kubectl, ns):
    create_configmap(server, ns, "stays", {"a": "b"})
    proc = kubectl("wait", "-n", ns, "configmap/stays", "--for=delete", "--timeout=2s",
                   check=False, timeout=30)
    assert proc.returncode != 0
    assert "timed out" in proc.stderr, proc.stderr


def test_get_watch_receives_changes_from_another_client(server, kubectl, ns):
    core = server.core()
    create_configmap(server, ns, "watched", {"v": "1"})
    watcher = server.kubectl_bg("get", "configmaps", "-n", ns, "-w", "-o", JSONPATH_NAME_V)
    try:
        watcher.wait_for_line(lambda l: l == "watched=1", timeout=15)
        core.patch_namespaced_config_map("watched", ns, {"data": {"v": "2"}},
                                         _content_type=MERGE_PATCH)
        watcher.wait_for_line(lambda l: l == "watched=2", timeout=10)
        core.create_namespaced_config_map(
            ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="newcomer"), data={"v": "9"}))
        watcher.wait_for_line(lambda l: l == "newcomer=9", timeout=10)
        assert watcher.proc.poll() is None, "kubectl get -w ended on its own"
    finally:
        watcher.kill()


def test_get_watch_single_object_default_output(server, kubectl, ns):
    core = server.core()
    create_configmap(server, ns, "one", {"v": "1"})
    create_configmap(server, ns, "unrelated", {"v": "1"})
    watcher = server.kubectl_bg("get", "configmap", "one", "-n", ns, "-w")
    try:
        watcher.wait_for_line(lambda l: l.split()[:1] == ["one"], timeout=15)
        core.patch_namespaced_config_map("unrelated", ns, {"data": {"v": "2"}},
                                         _content_type=MERGE_PATCH)
        # For one named object kubectl prints a GET, then watches from resourceVersion "0"
        # and skips that watch's initial event: a change made before the watch is set up
        # is never printed. So change it until a change shows (real servers alike).
        deadline = time.monotonic() + 15
        for n in range(2, 100):
            core.patch_namespaced_config_map("one", ns, {"data": {"w": str(n)}},
                                             _content_type=MERGE_PATCH)
            try:
                watcher.wait_for_line(lambda l: l.split()[:1] == ["one"], timeout=1.5)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        assert not any(l.split()[:1] == ["unrelated"] for l in watcher.seen), watcher.seen
    finally:
        watcher.kill()
