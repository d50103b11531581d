"""Hardening (issue 11): what a hostile tenant or a newcomer's mistake sends must get a clear
4xx and leave the process serving, with nothing acknowledged lost.

Each test here failed (or hung, or crashed the server) before its fix.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import ssl
import stat
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Iterable

import pytest

from conftest import (
    JSON_PATCH,
    MERGE_PATCH,
    VirtyardServer,
    _stop_checked,
    new_name,
    status_body,
    virtyard_bin,
    wait_until,
)
from kubernetes import client as k8s

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def alive(srv: VirtyardServer) -> bool:
    return srv.running and srv.http("GET", "/api/v1/namespaces/default").status == 200


def configmap(name: str, data: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"k": "v"}}


def raw_post(srv: VirtyardServer, path: str, body: bytes, content_type: str = "application/json",
             method: str = "POST", platform: bool = False):
    return srv.http(method, path, body=body, headers={"Content-Type": content_type}, platform=platform)


# --------------------------------------------------------------------------------------
# Crashes and data loss
# --------------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_with_400_and_the_server_lives(server):
    for depth in (129, 5_000, 200_000):
        body = ("[" * depth + "]" * depth).encode()
        resp = raw_post(server, CONFIGMAPS, body)
        assert resp.status == 400, resp
        assert "nesting deeper than 128 levels" in resp.json()["message"]
        wrapped = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":'
                   + '{"a":' * depth + '"x"' + "}" * depth + "}").encode()
        assert raw_post(server, CONFIGMAPS, wrapped).status == 400
    assert alive(server)


def test_patches_cannot_grow_an_object_past_the_depth_bound(server, core):
    name = new_name("grow")
    core.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name)))
    path = f"{CONFIGMAPS}/{name}"
    nested = "x"
    for _ in range(100):
        nested = {"a": nested}
    # JSON patch: each add nests a hundred levels under the previous ones.
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {}},
           {"op": "add", "path": "/spec", "value": nested},
           {"op": "add", "path": "/spec" + "/a" * 99, "value": nested}]
    resp = server.http("PATCH", path, body=ops, headers={"Content-Type": JSON_PATCH})
    assert resp.status == 422, resp
    assert "deeper than 128 levels" in resp.json()["message"]
    # A merge patch nested past the bound is refused as it is read.
    deep = "x"
    for _ in range(200):
        deep = {"a": deep}
    resp = server.http("PATCH", path, body={"metadata": deep}, headers={"Content-Type": MERGE_PATCH})
    assert resp.status == 400, resp
    # JSON patch copies that double the object each time.
    ops = [{"op": "add", "path": "/data", "value": {"seed": "y" * 65536}}]
    ops += [{"op": "copy", "from": "/data/seed", "path": f"/data/c{i}"} for i in range(100)]
    resp = server.http("PATCH", path, body=ops, headers={"Content-Type": JSON_PATCH})
    assert resp.status == 422, resp
    assert alive(server)
    current = core.read_namespaced_config_map(name, "default")
    assert current.data is None, "a refused patch changed nothing"


def test_bodies_over_3_mib_get_413_and_objects_over_1_5_mib_get_422(server):
    big = json.dumps(configmap(new_name("huge"), {"blob": "x" * (3 * 1024 * 1024)})).encode()
    resp = raw_post(server, CONFIGMAPS, big)
    assert resp.status == 413, resp
    assert resp.json()["reason"] == "RequestEntityTooLarge"
    name = new_name("large")
    resp = server.http("POST", CONFIGMAPS, body=configmap(name, {"blob": "x" * (1_600_000)}))
    assert resp.status == 422, resp
    assert "1572864" in resp.json()["message"]
    assert server.http("GET", f"{CONFIGMAPS}/{name}").status == 404
    assert alive(server)


def test_second_process_on_one_data_directory_exits_at_once_naming_the_holder(server):
    started = time.monotonic()
    proc = subprocess.run([str(virtyard_bin()), "serve", "--data-dir", str(server.data_dir),
                           "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
                           "--vcd-listen", "127.0.0.1:0"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert f"in use by process {server.proc.pid}" in proc.stderr, proc.stderr
    assert time.monotonic() - started < 20
    # The holder was not disturbed: its files still point at it.
    assert json.loads((server.data_dir / "endpoints.json").read_text())["kubeAPI"] == server.kube_api
    assert alive(server)


def test_a_busy_port_fails_start_up_with_a_message(server, tmp_path):
    port = urllib.parse.urlparse(server.platform).port
    data = tmp_path / "second"
    data.mkdir(mode=0o700)
    proc = subprocess.Popen([str(virtyard_bin()), "serve", "--data-dir", str(data),
                             "--kube-listen", "127.0.0.1:0", "--listen", f"127.0.0.1:{port}",
                             "--vcd-listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"serve hung on a busy port\n{err[-3000:]}")
    assert proc.returncode != 0
    assert f"127.0.0.1:{port}" in err and "in use" in err.lower(), err[-3000:]


def test_sigterm_during_start_up_ends_the_process(tmp_path):
    data = tmp_path / "early"
    data.mkdir(mode=0o700)
    proc = subprocess.Popen([str(virtyard_bin()), "serve", "--data-dir", str(data),
                             "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
                           "--vcd-listen", "127.0.0.1:0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("serve ignored SIGTERM during start-up")


def test_unreadable_stored_objects_are_quarantined_loudly(fresh_server):
    srv = fresh_server
    name = new_name("keep")
    assert srv.http("POST", CONFIGMAPS, body=configmap(name)).status == 201
    srv.stop()
    with sqlite3.connect(srv.data_dir / "store.db") as db:
        db.execute("INSERT INTO objects (resource, namespace, name, resource_version, body) VALUES (?, ?, ?, ?, ?)",
                   ("configmaps", "default", "broken", 10_000, b'{"kind": '))
    since = srv.log_size()
    srv.restart()
    assert srv.http("GET", f"{CONFIGMAPS}/{name}").status == 200
    log = srv.log_tail(since)
    assert "quarantined_objects" in log and "broken" in log, log
    with sqlite3.connect(srv.data_dir / "store.db") as db:
        rows = db.execute("SELECT name, body FROM quarantined_objects").fetchall()
    assert rows == [("broken", b'{"kind": ')]


def test_a_restarted_server_takes_the_controller_lease_at_once(fresh_server):
    srv = fresh_server
    wait_until(lambda: "leading" in srv.http("GET", "/readyz?verbose", platform=True).text, timeout=30,
               message="the first process leading")
    srv.kill9()
    srv.restart()
    # The dead predecessor's lease would hold 15 s; the data-directory lock proves it is dead.
    wait_until(lambda: "leading" in srv.http("GET", "/readyz?verbose", platform=True).text, timeout=10,
               message="the restarted process leading before the old lease expired")


# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------


def _silent_connection_closes(address: str, wrap_tls: bool) -> bool:
    parsed = urllib.parse.urlparse(address)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=15)
    try:
        if wrap_tls:
            # Half a handshake: a ClientHello is never sent.
            sock.sendall(b"\x16\x03\x01")
        else:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        return sock.recv(1024) == b""
    except (ConnectionResetError, socket.timeout):
        return False
    finally:
        sock.close()


@pytest.fixture(scope="module")
def short_idle(tmp_path_factory) -> Iterable[VirtyardServer]:
    class Server(VirtyardServer):
        @property
        def command(self) -> list[str]:
            return super().command + ["--idle-timeout", "2"]

    srv = Server(tmp_path_factory.mktemp("idle"))
    srv.start()
    try:
        yield srv
    finally:
        _stop_checked(srv)


def test_slow_and_silent_connections_are_closed(short_idle):
    assert _silent_connection_closes(short_idle.kube_api, wrap_tls=True)
    assert _silent_connection_closes(short_idle.platform, wrap_tls=False)
    # A watch that is streaming is not idle.
    resp = short_idle.http("GET", CONFIGMAPS + "?watch=1&timeoutSeconds=4")
    assert resp.status == 200


def test_oversized_selectors_and_urls_get_400(server):
    long_selector = "a in (" + ",".join(f"v{i}" for i in range(5000)) + ")"
    resp = server.http("GET", CONFIGMAPS + "?labelSelector=" + urllib.parse.quote(long_selector))
    assert resp.status == 400, resp
    assert resp.json()["kind"] == "Status"
    resp = server.http("GET", CONFIGMAPS + "?fieldSelector=" + "metadata.name%3Dx%2C" * 3000)
    assert resp.status in (400, 431), resp


# --------------------------------------------------------------------------------------
# Bad input gets a clear answer
# --------------------------------------------------------------------------------------


def test_non_json_media_types_get_415(server):
    body = json.dumps(configmap(new_name("form"))).encode()
    for media_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        resp = raw_post(server, CONFIGMAPS, body, content_type=media_type)
        assert resp.status == 415, (media_type, resp)
        assert resp.json()["reason"] == "UnsupportedMediaType"
    name = new_name("ok")
    assert raw_post(server, CONFIGMAPS, json.dumps(configmap(name)).encode()).status == 201
    resp = server.http("PATCH", f"{CONFIGMAPS}/{name}", body={"data": {"a": "b"}},
                       headers={"Content-Type": "text/plain"})
    assert resp.status == 415, resp


def test_streaming_subresources_say_why_they_are_not_served(server, core):
    """exec and port-forward need a process; simulated pods have none (501, saying so).
    proxy is not served (405). Logs of a pod that does not exist are 404."""
    name = new_name("pod")
    core.create_namespaced_pod("default", k8s.V1Pod(
        metadata=k8s.V1ObjectMeta(name=name),
        spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="c", image="busybox")])))
    for sub in ("exec", "portforward", "attach"):
        for method in ("GET", "POST"):
            resp = server.http(method, f"/api/v1/namespaces/default/pods/{name}/{sub}")
            assert resp.status == 501, (sub, method, resp)
            assert "runs no processes" in resp.json()["message"], resp
    resp = server.http("GET", f"/api/v1/namespaces/default/pods/{name}/proxy")
    assert resp.status == 405 and "does not serve" in resp.json()["message"], resp
    assert server.http("GET", "/api/v1/namespaces/default/pods/nope/log").status == 404


def test_resource_version_edge_cases(server):
    for bogus in ("abc", "-5", "1.5"):
        resp = server.http("GET", f"{CONFIGMAPS}?resourceVersion={bogus}")
        assert resp.status == 400, (bogus, resp)
    current = int(server.http("GET", CONFIGMAPS).json()["metadata"]["resourceVersion"])
    resp = server.http("GET", f"{CONFIGMAPS}?resourceVersion={current + 1_000_000}")
    assert resp.status == 504, resp
    assert "Too large resource version" in resp.json()["message"]
    resp = server.http("GET", f"{CONFIGMAPS}?watch=1&resourceVersion={current + 1_000_000}")
    assert resp.status == 504, resp


VM = {
    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
    "metadata": {"name": "vm"},
    "spec": {"template": {"spec": {"domain": {"devices": {}, "resources": {"requests": {"memory": "64Mi"}}}}}},
}


def vm(**spec) -> dict:
    """VM with a fresh name and `spec` fields set."""
    made = json.loads(json.dumps(VM))
    made["metadata"]["name"] = new_name("vm")
    made["spec"].update(spec)
    return made


def test_virtual_machines_are_refused_as_kubevirts_webhook_refuses_them(server):
    path = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines"
    resp = server.http("POST", path, body=vm(runStrategy="Sometimes"))
    assert resp.status == 422, resp
    assert "Invalid RunStrategy (Sometimes)" in resp.json()["message"]
    resp = server.http("POST", path, body=vm(runStrategy="Always", running=True))
    assert resp.status == 422, resp
    assert "mutually exclusive" in resp.json()["message"]
    assert server.http("POST", path, body=vm(runStrategy="Halted")).status == 201


def test_every_error_has_a_status_body_and_401_without_a_token(server):
    resp = server.http("GET", CONFIGMAPS, token=None)
    assert resp.status == 401 and resp.json()["kind"] == "Status"
    resp = server.http("GET", CONFIGMAPS, token="not-a-token")
    assert resp.status == 401 and resp.json()["reason"] == "Unauthorized"


# --------------------------------------------------------------------------------------
# Secrets and files
# --------------------------------------------------------------------------------------


def test_state_files_are_private(server):
    mode = stat.S_IMODE(server.data_dir.stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)
    for name in ("store.db", "admin-token", "kubeconfig", "ca.key", "serving.key", "lock"):
        path = server.data_dir / name
        assert path.exists(), name
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (name, oct(path.stat().st_mode))
    for extra in server.data_dir.glob("store.db-*"):
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra


def test_a_data_directory_others_can_read_is_refused_unless_allowed(fresh_server):
    srv = fresh_server
    srv.stop()
    srv.data_dir.chmod(0o755)
    (srv.data_dir / "admin-token").chmod(0o644)
    token = (srv.data_dir / "admin-token").read_text()
    proc = subprocess.run([str(virtyard_bin()), "apiserver", "--data-dir", str(srv.data_dir), "--kube-listen", "127.0.0.1:0"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "can be read by other users" in proc.stderr and "--allow-shared-data-dir" in proc.stderr, proc.stderr
    assert (srv.data_dir / "admin-token").read_text() == token, "nothing was changed"
    # A new, empty directory is simply made private.
    empty = srv.data_dir.parent / "empty"
    empty.mkdir(mode=0o755)
    allowed = subprocess.Popen([str(virtyard_bin()), "apiserver", "--data-dir", str(empty),
                                "--kube-listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: (empty / "endpoints.json").exists(), timeout=30, message="apiserver started")
        assert stat.S_IMODE(empty.stat().st_mode) == 0o700
        assert stat.S_IMODE((empty / "admin-token").stat().st_mode) == 0o600
    finally:
        allowed.terminate()
        allowed.wait(timeout=30)


def test_version_and_log_level_are_checked():
    proc = subprocess.run([str(virtyard_bin()), "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout.strip(), proc
    proc = subprocess.run([str(virtyard_bin()), "serve", "--log-level", "loud"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode != 0
    assert "--log-level" in proc.stderr, proc.stderr


def test_an_unreadable_ca_is_not_silently_replaced(fresh_server):
    srv = fresh_server
    srv.stop()
    (srv.data_dir / "ca.key").write_text("not a key\n")
    kubeconfig = (srv.data_dir / "kubeconfig").read_text()
    proc = subprocess.run(srv.command, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "cannot be read" in proc.stderr and "ca.key" in proc.stderr, proc.stderr
    assert (srv.data_dir / "ca.key").read_text() == "not a key\n"
    assert (srv.data_dir / "kubeconfig").read_text() == kubeconfig


# --------------------------------------------------------------------------------------
# A lab session's cluster has a quota
# --------------------------------------------------------------------------------------


def test_a_lab_clusters_quota_stops_one_session_filling_the_host(tmp_path):
    class LabServer(VirtyardServer):
        @property
        def command(self) -> list[str]:
            return super().command + ["--sim-snapshot-duration", "200ms", "--sim-restore-duration", "200ms"]

    srv = LabServer(tmp_path / "quota")
    srv.start()
    try:
        pool = {"apiVersion": "virtyard.io/v1alpha1", "kind": "LabPool", "metadata": {"name": "tiny"},
                "spec": {"size": 1, "quota": {"objects": 40, "bytes": "1Mi"}}}
        # The CRDs are installed by the controllers, just after start-up.
        wait_until(lambda: srv.http("POST", "/apis/virtyard.io/v1alpha1/labpools", body=pool).status == 201,
                   timeout=60, message="the LabPool created")

        def running_session():
            resp = srv.http("POST", "/api/v1/sessions", body={"pool": "tiny", "userId": "mallory"}, platform=True)
            if resp.status != 201:
                return None
            sid = resp.json()["id"]
            return wait_until(lambda: (s := srv.http("GET", f"/api/v1/sessions/{sid}", platform=True).json())
                              .get("status") == "running" and s, timeout=60, message="session running")

        session = wait_until(running_session, timeout=90, interval=1, message="a session on the tiny pool")
        token = session["token"]
        cluster = session["assignedCluster"]
        base = f"/clusters/{cluster}/api/v1/namespaces/default/configmaps"
        codes = []
        for index in range(60):
            resp = srv.http("POST", base, body=configmap(f"fill-{index}"), token=token)
            codes.append(resp.status)
            if resp.status == 403:
                assert "exceeded quota" in resp.json()["message"], resp
                break
        assert codes[-1] == 403 and codes[:-1] and set(codes[:-1]) == {201}, codes
        # Bytes: one large object past 1 MiB in all.
        resp = srv.http("POST", base.replace("fill", "x"), body=configmap("big", {"b": "x" * 1_100_000}), token=token)
        assert resp.status == 403, resp
        # Cleaning up always works, and makes room again.
        assert srv.http("DELETE", f"{base}/fill-0", token=token).status == 200
        assert srv.http("POST", base, body=configmap("after-cleanup"), token=token).status == 201
        # The host itself is not bound by the session's quota.
        assert srv.http("POST", CONFIGMAPS, body=configmap(new_name("host"))).status == 201
    finally:
        _stop_checked(srv)
