"""Virtyard as a platform team runs it on a real cluster (issue 18, docs/architecture.md), with
four processes:

1. `virtyard apiserver` is the cluster (RBAC enforced, `--audit-log` records every decision);
2. `virtyard serve --kubeconfig <admin> --sim-kubevirt --sim-cluster --simulation-only` is what
   the cluster runs: simulated nodes, kubelets, scheduler, KubeVirt, CDI and snapshots, and
   the lab VMs' own Kubernetes APIs (`--guest-listen`);
3. and 4. two `virtyard serve --kubeconfig <restricted>` replicas are the product, with the
   ServiceAccount token of `deploy/` and nothing else.

Through the replicas' platform addresses: the pool becomes available, sessions lease and reach
their clusters through the lab proxy, images sync under the policy's cap, a capacity scenario
places its VMs, the tenancy and provisioning APIs work; the leading replica is killed with -9
mid-flow and the other takes over with nothing lost and nothing leased twice. At the end the
audit log shows no request of the product refused, and every rule of deploy/rbac.yaml used.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conftest import KUBECTL, REPO_ROOT, VirtyardProcess, http_request, new_name, wait_until
from flaky_http import FlakyHTTPServer

POOL_SIZE = 3
LEASE = ("virtyard-system", "virtyard-controller")
SA_USER = "system:serviceaccount:virtyard-system:virtyard"
MI = 1 << 20
VMDI = "vmdiskimages.crd.pelotech.ot"
RBAC_KINDS = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
              "CustomResourceDefinition"}


class Replica:
    """A product replica: its platform address (HTTPS, its own CA) and identity."""

    def __init__(self, identity: str, process: VirtyardProcess):
        self.identity = identity
        self.process = process
        endpoints = process.endpoints()
        self.platform = endpoints["platform"].rstrip("/")
        assert self.platform.startswith("https://"), endpoints
        assert endpoints["kubeAPI"] is None, endpoints
        self.ca = str(process.data_dir / "ca.crt")
        self.context = ssl.create_default_context(cafile=self.ca)

    def http(self, method: str, path: str, body: Any = None, token: str | None = None, headers: dict | None = None,
             timeout: float = 30):
        return http_request(self.platform + path, method=method, body=body, token=token, headers=headers,
                            context=self.context, timeout=timeout)


class Topology:
    def __init__(self, root: Path):
        self.root = root
        self.processes: list[VirtyardProcess] = []
        self.kube_cache = root / "kube-cache"

    # -- the cluster ---------------------------------------------------------------------------

    def start_cluster(self) -> None:
        self.apiserver = self._start("apiserver", ["apiserver", "--kube-listen", "127.0.0.1:0",
                                                   "--audit-log", str(self.root / "audit.log")])
        self.apiserver.endpoints()
        self.admin_kubeconfig = self.apiserver.data_dir / "kubeconfig"
        # The installation: deploy/'s RBAC and CRDs as `kubectl apply -k deploy/` applies them
        # (the Deployment itself has no kubelet to run it here), and the KubeVirt, CDI and
        # snapshot CRDs the cluster's own KubeVirt would have installed.
        rendered = self.kubectl_admin("kustomize", str(REPO_ROOT / "deploy")).stdout
        objects = [o for o in yaml.safe_load_all(rendered) if o and o.get("kind") in RBAC_KINDS]
        assert {o["kind"] for o in objects} == RBAC_KINDS, sorted({o["kind"] for o in objects})
        self.rbac_objects = objects
        self.kubectl_admin("apply", "-f", "-", input=yaml.safe_dump_all(objects))
        self.kubectl_admin("apply", "-f", str(REPO_ROOT / "deploy" / "crds"))
        token = self.kubectl_admin("create", "token", "virtyard", "-n", "virtyard-system",
                                   "--duration", "24h").stdout.strip()
        restricted = yaml.safe_load(self.admin_kubeconfig.read_text())
        for user in restricted["users"]:
            user["user"] = {"token": token}
        self.restricted_kubeconfig = self.root / "restricted.kubeconfig"
        self.restricted_kubeconfig.write_text(yaml.safe_dump(restricted))
        self.restricted_kubeconfig.chmod(0o600)
        # The Secret every replica mounts, in files.
        self.admin_token = hashlib.sha256(os.urandom(32)).hexdigest()
        self.vcd_password = "vcd-" + hashlib.sha256(os.urandom(32)).hexdigest()[:20]
        secrets = self.root / "admin-secret"
        secrets.mkdir(mode=0o700, exist_ok=True)
        (secrets / "admin-token").write_text(self.admin_token + "\n")
        (secrets / "vcd-admin-password").write_text(self.vcd_password + "\n")
        self.secret_dir = secrets

    def start_simulation(self) -> None:
        self.simulation = self._start("simulation", [
            "serve", "--kubeconfig", str(self.admin_kubeconfig), "--sim-kubevirt", "--sim-cluster",
            "--simulation-only", "--sim-nodes", "3", "--listen", "127.0.0.1:0", "--vcd-listen", "off",
            "--guest-listen", "127.0.0.1:0", "--identity", "simulation"])
        self.simulation.endpoints()

    def start_replica(self, identity: str) -> Replica:
        process = self._start(identity, [
            "serve", "--kubeconfig", str(self.restricted_kubeconfig), "--identity", identity,
            "--listen", "127.0.0.1:0", "--platform-tls", "--vcd-listen", "127.0.0.1:0",
            "--lab-pool-size", str(POOL_SIZE),
            "--admin-token-file", str(self.secret_dir / "admin-token"),
            "--vcd-admin-password-file", str(self.secret_dir / "vcd-admin-password")])
        return Replica(identity, process)

    def _start(self, name: str, args: list[str]) -> VirtyardProcess:
        process = VirtyardProcess(args, self.root / name, name=name)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    # -- clients -------------------------------------------------------------------------------

    def kubectl_admin(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run([KUBECTL, "--kubeconfig", str(self.admin_kubeconfig), "--cache-dir", str(self.kube_cache),
                              *args], input=input, capture_output=True, text=True, timeout=60)
        if check:
            assert out.returncode == 0, f"kubectl {' '.join(args)}: {out.stderr}"
        return out

    def get(self, *args: str) -> dict:
        return json.loads(self.kubectl_admin("get", *args, "-o", "json").stdout)

    def lease_holder(self) -> str | None:
        out = self.kubectl_admin("get", "lease", "-n", LEASE[0], LEASE[1], "-o", "json", check=False)
        return json.loads(out.stdout)["spec"].get("holderIdentity") if out.returncode == 0 else None

    def lab_clusters(self) -> list[dict]:
        return self.get("labclusters.virtyard.io", "-A")["items"]

    def available(self) -> int:
        return sum(1 for c in self.lab_clusters() if (c.get("status") or {}).get("phase") == "Available")


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    top = Topology(tmp_path_factory.mktemp("real-cluster"))
    try:
        top.start_cluster()
        top.start_simulation()
        top.replicas = {identity: top.start_replica(identity) for identity in ("replica-a", "replica-b")}
        wait_until(lambda: top.lease_holder() in top.replicas, timeout=30, message="a replica to lead")
        wait_until(lambda: top.available() == POOL_SIZE, timeout=90, interval=0.5,
                   message=f"a pool of {POOL_SIZE} available")
        yield top
    finally:
        top.stop()


def leader(top: Topology) -> Replica:
    return top.replicas[top.lease_holder()]


def standby(top: Topology) -> Replica:
    holder = top.lease_holder()
    return next(r for identity, r in top.replicas.items() if identity != holder and r.process.proc.poll() is None)


def start_session(replica: Replica, token: str, user: str) -> dict:
    resp = replica.http("POST", "/api/v1/sessions", {"userId": user}, token=token)
    assert resp.status in (200, 201, 202), resp
    return resp.json()


def session(replica: Replica, token: str, session_id: str) -> dict:
    resp = replica.http("GET", f"/api/v1/sessions/{session_id}", token=token)
    assert resp.status == 200, resp
    return resp.json()


def running_session(replica: Replica, token: str, user: str) -> dict:
    started = start_session(replica, token, user)
    return wait_until(lambda: (s := session(replica, token, started["id"]))["status"] == "running" and s,
                      timeout=30, message=f"session {started['id']} running")


def end_session(replica: Replica, token: str, session_id: str) -> None:
    resp = replica.http("DELETE", f"/api/v1/sessions/{session_id}", token=token)
    assert resp.status == 200, resp


def session_kubectl(tmp: Path, sess: dict, *args: str, check: bool = True, timeout: float = 60):
    path = tmp / f"{sess['id']}.kubeconfig"
    if not path.exists():
        path.write_text(sess["kubeconfig"])
        path.chmod(0o600)
    out = subprocess.run([KUBECTL, "--kubeconfig", str(path), "--cache-dir", str(tmp / "cache"), *args],
                         capture_output=True, text=True, timeout=timeout)
    if check:
        assert out.returncode == 0, f"kubectl {' '.join(args)}: {out.stderr}"
    return out


# -- the lab pool and the proxy --------------------------------------------------------------------


def test_sessions_reach_their_own_clusters_through_either_replica(topology, tmp_path):
    top = topology
    a, b = top.replicas["replica-a"], top.replicas["replica-b"]
    first = running_session(a, top.admin_token, "alice")
    second = running_session(b, top.admin_token, "bob")
    assert first["assignedCluster"] != second["assignedCluster"]
    # The kubeconfig names the replica that answered, over TLS, and carries its CA.
    config = yaml.safe_load(first["kubeconfig"])
    assert config["clusters"][0]["cluster"]["server"] == f"{a.platform}/clusters/{first['assignedCluster']}"
    assert config["clusters"][0]["cluster"]["certificate-authority-data"]
    try:
        nodes = json.loads(session_kubectl(tmp_path, first, "get", "nodes", "-o", "json").stdout)["items"]
        assert {n["metadata"]["name"] for n in nodes} == {f"cp-{first['assignedCluster']}",
                                                         f"wk-{first['assignedCluster']}"}
        # A workload runs inside the lab cluster (its own scheduler and kubelet, in process 2).
        session_kubectl(tmp_path, first, "create", "deployment", "web", "--image=nginx", "--replicas=2")
        wait_until(lambda: len([p for p in json.loads(session_kubectl(tmp_path, first, "get", "pods", "-o", "json")
                                                      .stdout)["items"]
                                if p["status"].get("phase") == "Running"]) == 2,
                   timeout=30, message="two Running pods in the lab cluster")
        # Each cluster is its own: bob's cluster has no deployment `web`.
        assert session_kubectl(tmp_path, second, "get", "deployment", "web", check=False).returncode != 0

        # The same token works through the other replica (it checks sessions in its own caches).
        cluster = first["assignedCluster"]
        via_b = b.http("GET", f"/clusters/{cluster}/apis/apps/v1/namespaces/default/deployments/web",
                       token=first["token"])
        assert via_b.status == 200 and via_b.json()["spec"]["replicas"] == 2, via_b

        # Hostile requests: another session's cluster, no token, a stranger's token, the admin's
        # token (it is not a session's), a name that is not a cluster id, a body too large.
        assert a.http("GET", f"/clusters/{second['assignedCluster']}/api/v1/nodes", token=first["token"]).status == 403
        assert a.http("GET", f"/clusters/{cluster}/api/v1/nodes").status == 401
        assert a.http("GET", f"/clusters/{cluster}/api/v1/nodes", token="x" * 64).status == 401
        assert a.http("GET", f"/clusters/{cluster}/api/v1/nodes", token=top.admin_token).status == 401
        assert a.http("GET", "/clusters/..%2F..%2Fapi/v1/nodes", token=first["token"]).status == 404
        other = second["assignedCluster"]
        for sneaky in (f"/clusters/{cluster}/../{other}/api/v1/nodes", f"/clusters/{cluster}/%2e%2e/{other}/api/v1/nodes",
                       f"/clusters/{cluster}/api/v1/namespaces/default/..%2f..%2f..%2f{other}"):
            assert a.http("GET", sneaky, token=first["token"]).status == 404, sneaky
        assert a.http("GET", "/clusters/Cluster1/api/v1/nodes", token=first["token"]).status == 404
        big = {"metadata": {"name": "big"}, "data": {"x": "a" * (4 << 20)}}
        assert a.http("POST", f"/clusters/{cluster}/api/v1/namespaces/default/configmaps", big,
                      token=first["token"]).status == 413
        # Impersonation never reaches the cluster: as the cluster's admin, impersonating a user
        # with no rights would be refused there.
        impersonating = a.http("GET", f"/clusters/{cluster}/api/v1/namespaces/default/pods", token=first["token"],
                               headers={"Impersonate-User": "nobody"})
        assert impersonating.status == 200, impersonating

        # A watch through replica b is cut when the session ends on replica a.
        watch = subprocess.Popen([KUBECTL, "--kubeconfig", str(tmp_path / f"{first['id']}.kubeconfig"),
                                  "--server", f"{b.platform}/clusters/{cluster}", "--certificate-authority", b.ca,
                                  "--cache-dir", str(tmp_path / "cache"), "get", "pods", "--watch", "-o", "name"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        assert watch.poll() is None, watch.stderr.read()
        session_kubectl(tmp_path, first, "scale", "deployment", "web", "--replicas=3")
        ended_at = time.monotonic()
        end_session(a, top.admin_token, first["id"])
        # At once on the replica that ended it.
        assert a.http("GET", f"/clusters/{cluster}/api/v1/nodes", token=first["token"]).status == 401
        out, err = watch.communicate(timeout=20)
        cut_after = time.monotonic() - ended_at
        assert cut_after < 5, cut_after
        # The two pods listed at first, then the third the scale made: events streamed through.
        assert len({line for line in out.splitlines() if line.startswith("pod/")}) == 3, (out, err)
        wait_until(lambda: b.http("GET", f"/clusters/{cluster}/api/v1/nodes", token=first["token"]).status == 401,
                   timeout=5, message="the other replica to refuse the ended session's token")
    finally:
        for sess in (first, second):
            a.http("DELETE", f"/api/v1/sessions/{sess['id']}", token=top.admin_token)
    wait_until(lambda: top.available() == POOL_SIZE, timeout=60, interval=0.5, message="the pool back to full")


def test_a_scenario_is_set_up_and_checked_through_the_proxy(topology, tmp_path):
    """The leader applies a scenario's setup and runs its checks with the session's token
    through its own proxy, before any cache shows the token."""
    top = topology
    a, b = top.replicas["replica-a"], top.replicas["replica-b"]
    name = new_name("label-it")
    top.kubectl_admin("apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "virtyard.io/v1alpha1", "kind": "LabScenario", "metadata": {"name": name},
        "spec": {"title": "Label the config",
                 "setup": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
                           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "shop"},
                            "data": {"mode": "open"}}],
                 "tasks": [{"id": "1", "title": "Label it",
                            "checks": [{"type": "label", "kind": "ConfigMap", "namespace": "shop", "name": "web",
                                        "path": "tier", "value": "frontend"}]}]}}))
    wait_until(lambda: b.http("GET", f"/api/v1/scenarios/{name}", token=top.admin_token).status == 200, timeout=10,
               message="the scenario listed")
    resp = b.http("POST", "/api/v1/sessions", {"userId": "gina", "scenarioId": name}, token=top.admin_token)
    assert resp.status in (200, 201, 202), resp
    sess = wait_until(lambda: (s := session(b, top.admin_token, resp.json()["id"]))["status"] in ("running", "failed") and s,
                      timeout=30, message="the scenario session settled")
    try:
        assert sess["status"] == "running", sess
        got = session_kubectl(tmp_path, sess, "get", "configmap", "web", "-n", "shop", "-o", "jsonpath={.data.mode}")
        assert got.stdout == "open", got.stdout
        check = a.http("POST", f"/api/v1/sessions/{sess['id']}/tasks/1/validate", token=top.admin_token)
        assert check.status == 200 and check.json()["passed"] is False, check
        session_kubectl(tmp_path, sess, "label", "configmap", "web", "-n", "shop", "tier=frontend")
        check = a.http("POST", f"/api/v1/sessions/{sess['id']}/tasks/1/validate", token=top.admin_token)
        assert check.status == 200 and check.json()["passed"] is True, check
    finally:
        end_session(a, top.admin_token, sess["id"])
    wait_until(lambda: top.available() == POOL_SIZE, timeout=60, interval=0.5, message="the pool back to full")


class EchoCluster:
    """Stands in for a lab cluster's API server that serves WebSockets (the simulated ones serve
    none): it accepts any upgrade with the first subprotocol offered, echoes every message, and
    records each request's path, Authorization header and offered subprotocols. Plain requests
    get `ok`. A minimal RFC 6455 server, in the test so that nothing here is a mock of the
    product."""

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, directory: Path):
        import socket
        # HTTPS with a CA of its own: a published kubeconfig must carry one.
        self.cert, key = directory / "echo.crt", directory / "echo.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", str(key), "-out", str(self.cert), "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(str(self.cert), str(key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[dict] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handshake, args=(raw,), daemon=True).start()

    def _handshake(self, raw) -> None:
        try:
            conn = self.tls.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        self._handle(conn)

    @staticmethod
    def _read_exact(conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _handle(self, conn) -> None:
        import base64
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
            self.requests.append({"path": path, "authorization": headers.get("authorization"),
                                  "protocols": headers.get("sec-websocket-protocol")})
            if headers.get("upgrade", "").lower() != "websocket":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
                return
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + self.GUID).encode()).digest()).decode()
            protocol = (headers.get("sec-websocket-protocol") or "").split(",")[0].strip()
            response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Accept: {accept}\r\n")
            if protocol:
                response += f"Sec-WebSocket-Protocol: {protocol}\r\n"
            conn.sendall((response + "\r\n").encode())
            while True:
                b0, b1 = self._read_exact(conn, 2)
                opcode, length = b0 & 0x0F, b1 & 0x7F
                if length == 126:
                    length = int.from_bytes(self._read_exact(conn, 2), "big")
                elif length == 127:
                    length = int.from_bytes(self._read_exact(conn, 8), "big")
                mask = self._read_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self._read_exact(conn, length)))
                if opcode == 8:
                    conn.sendall(bytes([0x88, len(payload)]) + payload)
                    return
                reply_opcode = 0xA if opcode == 9 else opcode
                size = len(payload)
                header = bytes([0x80 | reply_opcode]) + (bytes([size]) if size < 126 else
                                                         bytes([126]) + size.to_bytes(2, "big"))
                conn.sendall(header + payload)
        except (EOFError, OSError):
            return
        finally:
            conn.close()

    def close(self) -> None:
        self.listener.close()


def test_exec_style_upgrades_pass_through_and_end_with_the_session(topology, tmp_path):
    import websocket
    top = topology
    a, b = top.replicas["replica-a"], top.replicas["replica-b"]
    sess = running_session(a, top.admin_token, "frank")
    cluster = sess["assignedCluster"]
    secret_name = f"{cluster}-kubeconfig"
    original = top.get("secret", secret_name, "-n", cluster)["data"]["value"]
    echo = EchoCluster(tmp_path)
    try:
        # Against the simulated cluster (no containers), kubectl exec gets the cluster's own answer.
        session_kubectl(tmp_path, sess, "create", "deployment", "shell", "--image=busybox")
        wait_until(lambda: json.loads(session_kubectl(tmp_path, sess, "get", "pods", "-o", "json").stdout)["items"],
                   timeout=30, message="a pod")
        pod = json.loads(session_kubectl(tmp_path, sess, "get", "pods", "-o", "json").stdout)["items"][0]
        out = session_kubectl(tmp_path, sess, "exec", pod["metadata"]["name"], "--", "true", check=False)
        assert out.returncode != 0 and "is simulated and runs no processes" in out.stderr, out.stderr

        # A cluster that serves WebSockets: the cluster's published kubeconfig now names it.
        import base64
        ca = base64.b64encode(echo.cert.read_bytes()).decode()
        kubeconfig = ("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                      f"    server: https://127.0.0.1:{echo.port}\n    certificate-authority-data: {ca}\n"
                      "contexts:\n- name: c\n  context:\n    cluster: c\n"
                      "    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: cluster-admin-token\n")
        top.kubectl_admin("patch", "secret", secret_name, "-n", cluster, "--type", "merge", "-p",
                          json.dumps({"stringData": {"value": kubeconfig}}))
        path = f"/clusters/{cluster}/api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true&stdout=true"
        url = b.platform.replace("https://", "wss://") + path

        def connect(token: str):
            return websocket.create_connection(url, header=[f"Authorization: Bearer {token}"],
                                               subprotocols=["v5.channel.k8s.io", "v4.channel.k8s.io"],
                                               sslopt={"ca_certs": b.ca}, timeout=10)
        # The Secret is read again within 5 s; until then the simulated cluster refuses (its
        # answer arrives on the error channel, 3).
        def echoed():
            ws = connect(sess["token"])
            ws.send_binary(b"\x00echo hello\n")
            if ws.recv() == b"\x00echo hello\n":
                return ws
            ws.close()
            return None
        ws = wait_until(echoed, timeout=15, interval=0.5, message="the upgrade relayed to the echoing cluster")
        try:
            assert ws.subprotocol == "v5.channel.k8s.io"
            ws.send("text frames too")
            assert ws.recv() == "text frames too"
            seen = [r for r in echo.requests if r["path"].startswith("/api/v1/namespaces/default/pods/p/exec")]
            assert seen and seen[-1]["authorization"] == "Bearer cluster-admin-token", seen
            assert seen[-1]["protocols"] == "v5.channel.k8s.io", seen
            # Hostile: another token is refused before anything reaches the cluster.
            before = len(echo.requests)
            with pytest.raises(websocket.WebSocketBadStatusException):
                connect("x" * 64)
            assert len(echo.requests) == before
            # The session's end closes the relayed socket.
            end_session(a, top.admin_token, sess["id"])
            ended_at = time.monotonic()
            with pytest.raises((websocket.WebSocketConnectionClosedException, websocket.WebSocketTimeoutException,
                                ConnectionError, OSError)):
                while time.monotonic() - ended_at < 8:
                    ws.send_binary(b"\x00still there?\n")
                    ws.recv()
                    time.sleep(0.2)
            assert time.monotonic() - ended_at < 5
        finally:
            ws.close()
    finally:
        top.kubectl_admin("patch", "secret", secret_name, "-n", cluster, "--type", "merge", "-p",
                          json.dumps({"data": {"value": original}}))
        echo.close()
        a.http("DELETE", f"/api/v1/sessions/{sess['id']}", token=top.admin_token)
    wait_until(lambda: top.available() == POOL_SIZE, timeout=60, interval=0.5, message="the pool back to full")


# -- image sync, capacity, tenancy, provisioning ------------------------------------------------------


def vmdi(name: str, url: str, checksum: str) -> dict:
    return {"apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"sourceType": "http", "url": url, "diskSize": "64Mi", "checksum": checksum}}


class SyncingWatch:
    """The most VMDiskImages ever Syncing at once, from a watch (every event, in order)."""

    def __init__(self, top: Topology):
        self.max_syncing = 0
        self.phases: dict[str, str] = {}
        self.proc = subprocess.Popen([KUBECTL, "--kubeconfig", str(top.admin_kubeconfig), "--cache-dir",
                                      str(top.kube_cache), "get", VMDI, "-A", "--watch", "-o", "json"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        decoder = json.JSONDecoder()
        buffer = ""
        for line in self.proc.stdout:
            buffer += line
            while buffer.strip():
                try:
                    obj, end = decoder.raw_decode(buffer.lstrip())
                except ValueError:
                    break
                buffer = buffer.lstrip()[end:]
                key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
                self.phases[key] = (obj.get("status") or {}).get("phase", "")
                self.max_syncing = max(self.max_syncing, sum(1 for p in self.phases.values() if p == "Syncing"))

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def test_capacity_tenancy_and_provisioning_under_the_restricted_token(topology):
    top = topology
    lead = leader(top)
    # Capacity: a scenario on the cluster's own nodes (the product creates no nodes there).
    scenario = {"placement": [
        {"name": "kwok-node-1", "vms": [{"id": "vm-a", "cpu_cores": 2, "memory_bytes": 2 << 30, "cpu_utilization": 0.5,
                                         "memory_utilization": 0.5}]},
        {"name": "kwok-node-2", "vms": [{"id": "vm-b", "cpu_cores": 4, "memory_bytes": 4 << 30, "cpu_utilization": 0.9,
                                         "memory_utilization": 0.25}]},
    ]}
    resp = lead.http("POST", "/scenario", scenario, token=top.admin_token, timeout=90)
    assert resp.status == 200 and resp.json()["status"] == "success", resp
    def placement():
        nodes = lead.http("GET", "/scenario").json()["nodes"]
        found = {vm["id"]: vm["scheduled_node"] for n in nodes for vm in n.get("vms", []) if vm["id"] in ("vm-a", "vm-b")}
        return found if len(found) == 2 and all(found.values()) else None
    # Without node management the cluster's scheduler places them on its own nodes.
    placed = wait_until(placement, timeout=60, message="scenario VMs placed")
    assert set(placed.values()) <= {"kwok-node-1", "kwok-node-2", "kwok-node-3"}, placed
    # A migration the capacity API asks for: the product writes it, the cluster's KubeVirt moves the VM.
    target = next(n for n in ("kwok-node-3", "kwok-node-2", "kwok-node-1") if n != placed["vm-a"])
    moved = lead.http("POST", "/feedback", {"migrations": [{"vm_id": "vm-a", "from_node": placed["vm-a"],
                                                             "to_node": target}]}, token=top.admin_token)
    assert moved.status == 200 and moved.json()["results"][0]["success"], moved
    wait_until(lambda: (placement() or {}).get("vm-a") == target, timeout=60, message=f"vm-a migrated to {target}")

    # Tenancy: the System administrator's password from the shared file works on both replicas;
    # an organisation and a VDC made on one are seen by the other.
    org = new_name("acme")
    vcds = {}
    for identity, replica in top.replicas.items():
        endpoints = json.loads((replica.process.data_dir / "endpoints.json").read_text())
        vcds[identity] = endpoints["vcd"].rstrip("/")

    def vcd_token(identity: str) -> str:
        login = requests.post(vcds[identity] + "/cloudapi/1.0.0/sessions/provider", auth=("administrator@System",
                              top.vcd_password), headers={"Accept": "application/json;version=36.0"},
                              verify=top.replicas[identity].ca, timeout=30)
        assert login.status_code == 200, login.text
        return login.headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"]

    headers_a = {"Authorization": f"Bearer {vcd_token('replica-a')}", "Accept": "application/json;version=36.0"}
    made = requests.post(vcds["replica-a"] + "/cloudapi/1.0.0/orgs", headers=headers_a, verify=top.replicas["replica-a"].ca,
                         json={"name": org, "displayName": "Acme", "isEnabled": True}, timeout=30)
    assert made.status_code == 201, made.text
    vdc = requests.post(vcds["replica-a"] + f"/api/admin/org/{made.json()['id']}/vdcs", headers=headers_a,
                        verify=top.replicas["replica-a"].ca, timeout=30,
                        json={"name": "dev", "allocationModel": "PayAsYouGo", "isEnabled": True,
                              "computeCapacity": {"cpu": {"allocated": 2000, "limit": 4000, "units": "MHz"},
                                                  "memory": {"allocated": 2048, "limit": 4096, "units": "MB"}}})
    assert vdc.status_code == 201, vdc.text
    headers_b = {"Authorization": f"Bearer {vcd_token('replica-b')}", "Accept": "application/json;version=36.0"}
    orgs = requests.get(vcds["replica-b"] + "/cloudapi/1.0.0/orgs", headers=headers_b,
                        verify=top.replicas["replica-b"].ca, timeout=30).json()["values"]
    assert org in {o["name"] for o in orgs}
    wait_until(lambda: any(ns["metadata"]["name"].startswith(f"vdc-{org}")
                           for ns in top.get("namespaces")["items"]), timeout=30, message="the VDC's namespace")
    catalogs = requests.get(vcds["replica-b"] + "/cloudapi/1.0.0/catalogs", headers=headers_b,
                            verify=top.replicas["replica-b"].ca, timeout=30)
    assert catalogs.status_code == 200, catalogs.text

    # A TemplateInstance, processed by the product's template controller.
    namespace = new_name("templates")
    top.kubectl_admin("create", "namespace", namespace)
    top.kubectl_admin("create", "-n", namespace, "-f", "-", input=yaml.safe_dump({
        "apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance", "metadata": {"name": "app"},
        "spec": {"template": {"apiVersion": "template.openshift.io/v1", "kind": "Template",
                              "metadata": {"name": "app"},
                              "objects": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "made"}}]}}}))

    def instance_ready():
        conditions = (top.get("templateinstance", "app", "-n", namespace).get("status") or {}).get("conditions") or []
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
    wait_until(instance_ready, timeout=30, message="the TemplateInstance Ready")
    assert top.get("configmap", "made", "-n", namespace)["metadata"]["name"] == "made"

    # The web console's tenancy page, signed in with the admin token.
    browser = requests.Session()
    signed_in = browser.post(lead.platform + "/ui/login", data={"token": top.admin_token}, verify=lead.ca, timeout=30)
    assert signed_in.status_code == 200 and "Sign in with the admin token" not in signed_in.text, signed_in.text[:500]
    page = browser.get(lead.platform + "/ui/tenancy", verify=lead.ca, timeout=30)
    assert page.status_code == 200 and org in page.text, page.text[:500]

    # Provisioning: a K3s cluster's VMs and boot configuration are created (no guest boots here).
    name = new_name("k3s")
    resp = lead.http("POST", "/api/v1/clusters/provision", {
        "name": name, "type": "K3S", "version": "v1.32.0+k3s1",
        "nodeGroups": [{"name": "cp", "role": "CONTROL_PLANE", "count": 1,
                        "template": {"cores": 1, "memoryMB": 1024,
                                     "imageSource": {"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}}}],
    }, token=top.admin_token)
    assert resp.status == 202, resp
    wait_until(lambda: [vm for vm in top.get("virtualmachines.kubevirt.io", "-A")["items"]
                        if name in vm["metadata"]["name"]], timeout=60, message="the provisioned cluster's VMs")


# -- failover ----------------------------------------------------------------------------------------


def test_kill_the_leader_mid_flow(topology, tmp_path):
    top = topology
    victim = leader(top)
    survivor = standby(top)
    server = FlakyHTTPServer(bandwidth=2 * MI).start()
    watch = SyncingWatch(top)
    cap = 2
    try:
        top.kubectl_admin("apply", "-f", "-", input=yaml.safe_dump({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sync-operator-policy",
                                                                   "namespace": "virtyard-system"},
            "data": {"concurrency": str(cap), "retryBackoffDuration": "1s"}}))
        images = {}
        for i in range(4):
            body = hashlib.sha256(f"image-{i}".encode()).digest() * (4 * MI // 32)
            server.add_blob(f"/img/{i}.img", body)
            images[f"img-{i}"] = vmdi(f"img-{i}", server.url(f"/img/{i}.img"),
                                      "sha256:" + hashlib.sha256(body).hexdigest())
        top.kubectl_admin("apply", "-f", "-", input=yaml.safe_dump_all(images.values()))
        wait_until(lambda: watch.max_syncing >= 1, timeout=30, message="an image syncing")

        # Sessions asked for on both replicas while the leader dies.
        sessions = [start_session(survivor, top.admin_token, "carol")]
        victim.process.kill9()
        killed_at = time.monotonic()
        sessions += [start_session(survivor, top.admin_token, user) for user in ("dave", "erin")]
        wait_until(lambda: top.lease_holder() == survivor.identity, timeout=30, interval=0.25,
                   message=f"{survivor.identity} to take over")
        took_over = time.monotonic() - killed_at
        assert took_over <= 25, took_over  # lease 15 s + retry 5 s + slack
        running = [wait_until(lambda s=s: (v := session(survivor, top.admin_token, s["id"]))["status"] == "running"
                              and v, timeout=60, message=f"session {s['id']} running") for s in sessions]
        clusters = [s["assignedCluster"] for s in running]
        assert len(set(clusters)) == len(clusters) == 3, clusters
        holders = [(c.get("status") or {}).get("assignedSession") for c in top.lab_clusters()]
        held = [h for h in holders if h]
        assert sorted(held) == sorted(s["id"] for s in running), holders
        for sess in running:
            out = session_kubectl(tmp_path, sess, "get", "nodes", "-o", "name")
            assert f"node/cp-{sess['assignedCluster']}" in out.stdout
        wait_until(lambda: all(p == "Ready" for p in
                               [watch.phases.get(f"default/{n}") for n in images]), timeout=120, interval=0.5,
                   message="every image Ready")
        assert watch.max_syncing <= cap, f"{watch.max_syncing} images syncing at once (cap {cap})"
        print(f"takeover after kill -9: {took_over:.1f} s")
        for sess in running:
            end_session(survivor, top.admin_token, sess["id"])
    finally:
        watch.stop()
        server.stop()
    # The killed replica comes back as a standby.
    victim.process.start()
    victim.process.endpoints()


# -- least privilege -----------------------------------------------------------------------------------


def rule_allows(rule: dict, verb: str, group: str, resource: str) -> bool:
    def matches(values, value):
        return "*" in values or value in values
    return matches(rule.get("verbs", []), verb) and matches(rule.get("apiGroups", []), group) \
        and matches(rule.get("resources", []), resource)


def test_the_product_was_refused_nothing_and_used_every_rule(topology):
    top = topology
    for replica in top.replicas.values():
        log = replica.process.log()
        refused = [line for line in log.splitlines() if " 403 " in line or "orbidden" in line]
        assert not refused, f"{replica.identity} was refused:\n" + "\n".join(refused[:10])
    events = [json.loads(line) for line in (top.root / "audit.log").read_text().splitlines() if line.strip()]
    mine = [e for e in events if e["user"]["username"] == SA_USER]
    assert mine, "no request of the product's service account in the audit log"
    forbidden = [e for e in mine if e["annotations"]["authorization.k8s.io/decision"] != "allow"]
    assert not forbidden, [(e["verb"], e.get("objectRef")) for e in forbidden[:10]]

    roles = [(o["kind"], o["metadata"]["name"], o["rules"]) for o in top.rbac_objects if o["kind"] in ("ClusterRole", "Role")]
    usage: dict[tuple[str, int], dict[tuple[str, str], set]] = {}
    for kind, name, rules in roles:
        for index, rule in enumerate(rules):
            usage[(name, index)] = {}
    for event in mine:
        ref = event.get("objectRef")
        if not ref:
            continue
        resource = ref["resource"] + (f"/{ref['subresource']}" if ref.get("subresource") else "")
        for kind, name, rules in roles:
            found = next((i for i, rule in enumerate(rules) if rule_allows(rule, event["verb"], ref["apiGroup"], resource)),
                         None)
            if found is not None:
                usage[(name, found)].setdefault((ref["apiGroup"], resource), set()).add(event["verb"])
                break
    report = []
    unused = []
    for kind, name, rules in roles:
        for index, rule in enumerate(rules):
            used = usage[(name, index)]
            granted = {(g, r) for g in rule.get("apiGroups", []) for r in rule.get("resources", [])}
            report.append(f"{name}[{index}] {rule.get('apiGroups')} {rule.get('resources')} {rule.get('verbs')}: "
                          + ", ".join(f"{r} {sorted(v)}" for (g, r), v in sorted(used.items())))
            if not used:
                unused.append(f"{name}[{index}]")
            for group, resource in granted:
                if "*" not in (group, resource) and (group, resource) not in used:
                    unused.append(f"{name}[{index}] {group or 'core'}/{resource}")
    print("RBAC rules and what used them:\n" + "\n".join(report))
    assert not unused, "rules (or resources in them) no request used:\n" + "\n".join(unused) \
        + "\n\nreport:\n" + "\n".join(report)


def test_every_process_stops_cleanly_on_sigterm(topology):
    """Last: SIGTERM ends each process within its shutdown budget with status 0 (the standby
    first, then the leader, which releases the Lease)."""
    top = topology
    order = [standby(top), leader(top)]
    for replica in order:
        replica.process.proc.send_signal(signal.SIGTERM)
        assert replica.process.proc.wait(timeout=25) == 0, replica.process.log()[-3000:]
    assert top.lease_holder() in (None, "")
    top.simulation.proc.send_signal(signal.SIGTERM)
    assert top.simulation.proc.wait(timeout=25) == 0, top.simulation.log()[-3000:]
