"""The lab pool (issue 6, docs/lab-pool.md): `virtyard serve --lab-pool-size N`, sessions on
the platform API, each running on a virtual cluster of the embedded API
(`<kubeAPI>/clusters/<id>/`) reached with the session's own kubeconfig, reset from the
baseline VM snapshots when the session ends.

All tests share one server with a pool of 10 and fast simulated snapshots and restores
(`--sim-snapshot-duration 200ms --sim-restore-duration 200ms`). Every test starts and ends
with an idle pool: no sessions, all 10 clusters Available.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable

import pytest
import yaml

from conftest import (KUBECTL, VALIDATE_OBJECTS, Response, VirtyardServer, _stop_checked, serving,
                      wait_until, write_manifest)

POOL_SIZE = 10
BURST = 100
SETTLE = 30.0
DEFAULT_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
# What an ended session's status reads; it stays listed for the pool's sessionRetention.
ENDED = {"completed", "failed", "expired"}


class LabServer(VirtyardServer):
    """`virtyard serve` with a lab pool and fast simulated snapshots/restores."""

    def __init__(self, data_dir, extra: list[str]):
        super().__init__(data_dir)
        self.extra = list(extra)
        # The pool's size, as the command line gives it (what "idle" waits for).
        self.pool_size = int(extra[extra.index("--lab-pool-size") + 1]) if "--lab-pool-size" in extra else POOL_SIZE

    @property
    def command(self) -> list[str]:
        return super().command + self.extra

    # -- the platform API -------------------------------------------------------------

    def lab(self, method: str, path: str, body=None, token: str | None | bool = True,
            timeout: float = 60.0) -> Response:
        return self.http(method, path, body=body, token=token, platform=True, timeout=timeout)

    def start_session(self, user: str | None = None, token: str | None | bool = True) -> dict:
        body = {} if user is None else {"userId": user}
        resp = self.lab("POST", "/api/v1/sessions", body, token=token)
        assert resp.status == 201, resp
        return resp.json()

    def session(self, sid: str) -> Response:
        return self.lab("GET", f"/api/v1/sessions/{sid}")

    def sessions(self) -> list[dict]:
        resp = self.lab("GET", "/api/v1/sessions")
        assert resp.status == 200, resp
        return resp.json()

    def clusters(self) -> dict[str, dict]:
        resp = self.lab("GET", "/api/v1/pool")
        assert resp.status == 200, resp
        return {c["clusterId"]: c for c in resp.json()["clusters"]}

    def wait_running(self, sid: str, timeout: float = SETTLE) -> dict:
        def running():
            s = self.session(sid).json()
            return s if s.get("status") == "running" and s.get("kubeconfig") else None
        return wait_until(running, timeout=timeout, interval=0.05, message=f"session {sid} running")

    def wait_cluster(self, cid: str, status: str = "available", timeout: float = SETTLE) -> dict:
        return wait_until(lambda: (c := self.clusters().get(cid)) and c["status"] == status and c,
                          timeout=timeout, interval=0.05, message=f"cluster {cid} {status}")

    def end_all(self) -> None:
        """Ends every session (the waiting ones first, so they take no cluster), removes the
        ended ones (which the API keeps readable for the pool's sessionRetention) and waits
        for the pool to be idle."""
        current = [s for s in self.sessions() if s["status"] not in ENDED]
        current.sort(key=lambda s: (s["status"] != "pending", -(s.get("queuePosition") or 0)))
        for s in current:
            resp = self.lab("DELETE", f"/api/v1/sessions/{s['id']}")
            assert resp.status in (200, 404), resp
        wait_until(lambda: all(s["status"] in ENDED for s in self.sessions()), timeout=SETTLE,
                   message="every session ended")
        # Deleting the objects themselves skips the retention (an administrator's kubectl).
        self.kubectl("delete", "labsessions", "-n", "virtyard-system", "--all", "--wait=false")
        wait_until(lambda: self.sessions() == [], timeout=SETTLE, message="no sessions left")
        self.wait_idle()

    def wait_idle(self) -> None:
        wait_until(lambda: len(c := self.clusters()) == self.pool_size
                   and all(x["status"] == "available" and x["assignedSession"] is None for x in c.values()),
                   timeout=SETTLE, interval=0.1, message=f"all {self.pool_size} clusters available")

    def wait_pool_idle(self) -> None:
        """After a start: the platform API answers and the whole pool is available."""
        wait_until(lambda: self.lab("GET", "/api/v1/pool").status == 200, timeout=60,
                   message="platform /api/v1/pool answering")
        self.wait_idle()

    def serving(self, wait_idle: bool = True) -> AbstractContextManager["LabServer"]:
        """Started (with, by default, its pool answering and idle) for the `with` block,
        stopped at its end (which must exit 0)."""
        return serving(self, LabServer.wait_pool_idle if wait_idle else None)

    def cluster_url(self, cid: str, path: str = "/api/v1/namespaces") -> str:
        return f"/clusters/{cid}{path}"


# A scenario kept as a file (`--lab-scenarios`): setup objects the session's cluster starts
# with, and tasks the user completes with kubectl.
SCENARIO = {
    "apiVersion": "virtyard.io/v1alpha1", "kind": "LabScenario",
    "metadata": {"name": "secure-config"},
    "spec": {
        "title": "Secure the workload",
        "description": "Fix the configuration, label the namespace, add the audit ConfigMap.",
        "setup": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "workload"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config", "namespace": "workload"},
             "data": {"mode": "insecure"}},
        ],
        "tasks": [
            {"id": "t1", "title": "Make the configuration secure",
             "checks": [{"type": "field", "apiVersion": "v1", "kind": "ConfigMap", "namespace": "workload",
                         "name": "app-config", "path": "data.mode", "value": "secure"}]},
            {"id": "t2", "title": "Enforce the restricted pod security level",
             "checks": [{"type": "label", "apiVersion": "v1", "kind": "Namespace", "name": "workload",
                         "path": "pod-security.kubernetes.io/enforce", "value": "restricted"}]},
            {"id": "t3", "title": "Create the audit ConfigMap",
             "checks": [{"type": "exists", "apiVersion": "v1", "kind": "ConfigMap", "namespace": "workload",
                         "name": "audit"}]},
        ],
    },
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterable[LabServer]:
    scenarios = tmp_path_factory.mktemp("lab-scenarios")
    (scenarios / "secure-config.yaml").write_text(yaml.safe_dump(SCENARIO, sort_keys=False))
    (scenarios / "README.txt").write_text("not a manifest: ignored\n")
    srv = LabServer(tmp_path_factory.mktemp("virtyard-lab"),
                    ["--lab-pool-size", str(POOL_SIZE), "--lab-scenarios", str(scenarios),
                     "--sim-snapshot-duration", "200ms", "--sim-restore-duration", "200ms"])
    with srv.serving():
        yield srv


@pytest.fixture
def pool(lab) -> Iterable[LabServer]:
    """The shared server, idle before and after the test."""
    lab.end_all()
    yield lab
    if lab.running:
        lab.end_all()


def session_kubectl(session: dict, directory: Path, *args: str, check: bool = True,
                    input: str | None = None) -> subprocess.CompletedProcess:
    """kubectl with the session's own kubeconfig (KUBECONFIG, as a lab user would)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{session['id']}.kubeconfig"
    if not path.exists():
        path.write_text(session["kubeconfig"])
        path.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = str(path)
    proc = subprocess.run([KUBECTL, "--cache-dir", str(directory / f"cache-{session['id']}"), *args],
                          capture_output=True, text=True, timeout=60, env=env, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} (session {session['id']}) exited "
                             f"{proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def names(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def fill_pool(srv: LabServer) -> list[dict]:
    """One running session on every cluster (started one by one)."""
    held = [srv.wait_running(srv.start_session(f"filler-{i}")["id"]) for i in range(POOL_SIZE)]
    assert len({s["assignedCluster"] for s in held}) == POOL_SIZE, held
    return held


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------
# The pool and the API's shapes
# --------------------------------------------------------------------------------------


def test_pool_is_created_with_vms_and_baseline_snapshots(pool, tmp_path):
    clusters = pool.clusters()
    assert sorted(clusters) == sorted(f"cluster{i}" for i in range(1, POOL_SIZE + 1))
    for cid, c in clusters.items():
        assert c == {"clusterId": cid, "namespace": cid, "pool": "default", "status": "available",
                     "assignedSession": None, "lockTime": None, "lastReset": c["lastReset"],
                     "controlPlaneVM": f"cp-{cid}", "workerNodeVM": f"wk-{cid}"}, c
        assert c["lastReset"], c
    listed = yaml.safe_load(pool.kubectl("get", "vm,vmsnapshot", "-n", "cluster3", "-o", "yaml").stdout)
    found = {(o["kind"], o["metadata"]["name"]) for o in listed["items"]}
    assert found == {("VirtualMachine", "cp-cluster3"), ("VirtualMachine", "wk-cluster3"),
                     ("VirtualMachineSnapshot", "cp-cluster3-snapshot"),
                     ("VirtualMachineSnapshot", "wk-cluster3-snapshot")}, found
    for o in listed["items"]:
        if o["kind"] == "VirtualMachine":
            assert o["status"]["printableStatus"] == "Running", o["status"]
        else:
            assert o["status"]["readyToUse"] is True, o["status"]
    lp = yaml.safe_load(pool.kubectl("get", "labpool", "default", "-o", "yaml").stdout)
    assert lp["spec"]["size"] == POOL_SIZE
    wait_until(lambda: yaml.safe_load(pool.kubectl("get", "labpool", "default", "-o", "yaml").stdout)
               ["status"].get("available") == POOL_SIZE, timeout=10, message="LabPool status.available = 10")


def test_single_session_is_running_at_once_with_a_kubeconfig(pool, tmp_path):
    s = pool.start_session("alice")
    assert s["status"] == "running", s
    assert s["userId"] == "alice" and s["scenarioId"] is None and s["pool"] == "default", s
    cid = s["assignedCluster"]
    assert cid in pool.clusters(), s
    assert s["controlPlaneVM"] == f"cp-{cid}" and s["workerNodeVM"] == f"wk-{cid}", s
    assert s["queuePosition"] is None and s["tasks"] == [] and s["token"], s
    start, expires = parse_time(s["startTime"]), parse_time(s["expirationTime"])
    assert abs((expires - start) - timedelta(minutes=60)) <= timedelta(seconds=1), s
    assert s["clusterLockTime"], s
    kc = yaml.safe_load(s["kubeconfig"])
    server = kc["clusters"][0]["cluster"]["server"]
    assert server == f"{pool.kube_api}/clusters/{cid}", server

    c = pool.clusters()[cid]
    assert c["status"] == "locked" and c["assignedSession"] == s["id"] and c["lockTime"], c

    resp = pool.lab("GET", f"/api/v1/sessions/{s['id']}/kubeconfig")
    assert resp.status == 200, resp
    assert resp.headers.get("Content-Type", "").startswith("application/yaml"), resp.headers
    assert yaml.safe_load(resp.text)["clusters"][0]["cluster"]["server"] == server
    resp = pool.lab("GET", f"/api/v1/sessions/{s['id']}/kubeconfig", token=s["token"])
    assert resp.status == 200, resp

    assert pool.lab("GET", f"/api/v1/sessions/{s['id']}/tasks").json() == []
    resp = pool.lab("POST", f"/api/v1/sessions/{s['id']}/tasks/t1/validate")
    assert resp.status == 404 and set(resp.json()) == {"error", "message"}, resp
    resp = pool.lab("GET", "/api/v1/scenarios")
    assert resp.status == 200 and [sc["id"] for sc in resp.json()] == ["secure-config"], resp


def test_api_errors(pool):
    for method, path in [("GET", "/api/v1/sessions/session-nope"), ("DELETE", "/api/v1/sessions/session-nope"),
                         ("GET", "/api/v1/sessions/session-nope/kubeconfig"),
                         ("POST", "/api/v1/admin/clusters/cluster999/reset")]:
        resp = pool.lab(method, path)
        assert resp.status == 404, (method, path, resp)
        assert set(resp.json()) == {"error", "message"}, resp
    for method, path in [("POST", "/api/v1/sessions"), ("GET", "/api/v1/sessions"), ("GET", "/api/v1/pool"),
                         ("POST", "/api/v1/admin/release-all-clusters")]:
        # 401 without a token or with one that is nobody's (403 is for a valid token without
        # the right: test_tokens_are_confined).
        for token in (None, "not-a-token"):
            resp = pool.lab(method, path, {} if method == "POST" else None, token=token)
            assert resp.status == 401, (method, path, token, resp)
            assert set(resp.json()) == {"error", "message"}, resp
    resp = pool.lab("POST", "/api/v1/sessions", b"[1, 2]")
    assert resp.status == 400, resp
    resp = pool.lab("POST", "/api/v1/sessions", {"pool": "no-such-pool"})
    assert resp.status == 400, resp
    resp = pool.lab("POST", "/api/v1/admin/bootstrap-pool", {"size": 5000})
    assert resp.status == 400, resp
    assert pool.sessions() == []


# --------------------------------------------------------------------------------------
# (a) a burst of sessions on a pool of 10
# --------------------------------------------------------------------------------------


def test_burst_of_100_sessions_on_10_clusters(pool):
    barrier = threading.Barrier(BURST)
    responses: list[Response | None] = [None] * BURST

    def post(i: int) -> None:
        barrier.wait()
        responses[i] = pool.lab("POST", "/api/v1/sessions", {"userId": f"user-{i:03d}"}, timeout=120)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(r is not None and r.status == 201 for r in responses), [r for r in responses if not r or r.status != 201][:3]
    posted = [r.json() for r in responses]
    assert len({s["id"] for s in posted}) == BURST
    assert {s["status"] for s in posted} <= {"pending", "provisioning", "running"}, {s["status"] for s in posted}

    def settled():
        listed = pool.sessions()
        running = [s for s in listed if s["status"] == "running"]
        pending = [s for s in listed if s["status"] == "pending"]
        # Positions are rewritten as the queue moves; they converge on 1..90 once it stops.
        if len(running) == POOL_SIZE and len(pending) == BURST - POOL_SIZE \
                and sorted(s["queuePosition"] or 0 for s in pending) == list(range(1, BURST - POOL_SIZE + 1)):
            return listed
        return None
    listed = wait_until(settled, timeout=SETTLE, interval=0.2,
                        message=f"{POOL_SIZE} running and {BURST - POOL_SIZE} pending with positions 1..{BURST - POOL_SIZE}")
    assert len(listed) == BURST and {s["id"] for s in listed} == {s["id"] for s in posted}
    running = [s for s in listed if s["status"] == "running"]
    pending = [s for s in listed if s["status"] == "pending"]
    assert len({s["assignedCluster"] for s in running}) == POOL_SIZE, [s["assignedCluster"] for s in running]
    assert {s["assignedCluster"] for s in running} == set(pool.clusters())
    assert all(s["assignedCluster"] is None and s.get("kubeconfig") is None for s in pending), pending[:2]
    positions = [s["queuePosition"] for s in pending]
    assert sorted(positions) == list(range(1, BURST - POOL_SIZE + 1)), positions
    # The API lists sessions in request order: the positions follow it. (Which ten were served
    # depends on which requests had reached the server when the clusters were handed out: a
    # request stamped a moment earlier may arrive after a later one was served.)
    assert positions == sorted(positions), positions

    clusters = pool.clusters()
    for s in running:
        c = clusters[s["assignedCluster"]]
        assert c["status"] == "locked" and c["assignedSession"] == s["id"], c

    # A pending session has no kubeconfig yet.
    head = next(s for s in pending if s["queuePosition"] == 1)
    resp = pool.lab("GET", f"/api/v1/sessions/{head['id']}/kubeconfig")
    assert resp.status == 409, resp

    # Ending a running session frees its cluster for queue position 1, and for nobody else.
    victim = running[3]
    resp = pool.lab("DELETE", f"/api/v1/sessions/{victim['id']}")
    assert resp.status == 200, resp
    got = pool.wait_running(head["id"])
    assert got["assignedCluster"] == victim["assignedCluster"], (got, victim)
    time.sleep(0.5)
    now = pool.sessions()
    assert sum(1 for s in now if s["status"] == "running") == POOL_SIZE, now
    assert sum(1 for s in now if s["status"] == "pending") == BURST - POOL_SIZE - 1
    # The ended session stays readable, as completed, holding no cluster any more.
    assert {s["id"]: s["status"] for s in now}[victim["id"]] == "completed"


def test_queue_positions_move_up_when_the_head_leaves(pool):
    held = fill_pool(pool)
    waiting = []
    for i in range(5):
        s = pool.start_session(f"waiter-{i}")
        assert s["status"] == "pending" and s["queuePosition"] == i + 1, s
        waiting.append(s)
    # The head takes the freed cluster; everyone behind it moves up one place.
    assert pool.lab("DELETE", f"/api/v1/sessions/{held[0]['id']}").status == 200
    got = pool.wait_running(waiting[0]["id"])
    assert got["assignedCluster"] == held[0]["assignedCluster"]

    def positions():
        return {s["id"]: s["queuePosition"] for s in pool.sessions() if s["status"] == "pending"}
    want = {s["id"]: i + 1 for i, s in enumerate(waiting[1:])}
    try:
        wait_until(lambda: positions() == want, timeout=5, message="positions 1..4")
    except AssertionError:
        raise AssertionError(f"after the head left the queue, positions are {list(positions().values())}, "
                             f"want {list(want.values())}") from None
    # A waiting session that leaves moves the ones behind it up too.
    assert pool.lab("DELETE", f"/api/v1/sessions/{waiting[2]['id']}").status == 200
    want = {waiting[1]["id"]: 1, waiting[3]["id"]: 2, waiting[4]["id"]: 3}
    try:
        wait_until(lambda: positions() == want, timeout=5, message="positions 1..3")
    except AssertionError:
        raise AssertionError(f"after position 2 left the queue, positions are {positions()}, want {want}") from None


# --------------------------------------------------------------------------------------
# (b) kubectl with the session's kubeconfig, and the reset to the baseline
# --------------------------------------------------------------------------------------


def test_kubectl_on_the_session_cluster_and_reset_to_baseline(pool, tmp_path):
    held = fill_pool(pool)
    s = held[0]
    cid = s["assignedCluster"]
    ns_before = names(session_kubectl(s, tmp_path, "get", "ns", "-o", "name").stdout)
    assert {f"namespace/{n}" for n in DEFAULT_NAMESPACES} <= ns_before, ns_before
    cm_before = names(session_kubectl(s, tmp_path, "get", "cm", "-A", "-o", "name").stdout)
    secrets_before = names(session_kubectl(s, tmp_path, "get", "secret", "-A", "-o", "name").stdout)

    # The user's objects: a namespace and objects in it (kubectl apply, JSON), a configmap
    # in default (kubectl create, protobuf).
    manifest = write_manifest(tmp_path, "user.yaml",
                              {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab-work"}},
                              {"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "settings", "namespace": "lab-work"}, "data": {"a": "1"}},
                              {"apiVersion": "v1", "kind": "Secret",
                               "metadata": {"name": "creds", "namespace": "lab-work"},
                               "stringData": {"password": "hunter2"}})
    session_kubectl(s, tmp_path, "apply", "-f", str(manifest))
    session_kubectl(s, tmp_path, "create", "configmap", "mine", "--from-literal=a=b")
    assert "lab-work" in session_kubectl(s, tmp_path, "get", "ns").stdout
    got = json.loads(session_kubectl(s, tmp_path, "get", "cm", "settings", "-n", "lab-work", "-o", "json").stdout)
    assert got["data"] == {"a": "1"}
    assert "mine" in session_kubectl(s, tmp_path, "get", "cm").stdout

    # The user's objects are in that cluster only: not in the embedded server's own tree,
    # not in a neighbour's cluster.
    assert pool.kubectl("get", "ns", "lab-work", check=False).returncode != 0
    other = held[1]
    assert "lab-work" not in session_kubectl(other, tmp_path, "get", "ns").stdout

    # End the session; whoever asks next gets this cluster (all others are held), at baseline.
    resp = pool.lab("DELETE", f"/api/v1/sessions/{s['id']}")
    assert resp.status == 200 and resp.json()["id"] == s["id"], resp
    after = pool.start_session("bob")
    assert after["status"] in ("pending", "running"), after
    after = pool.wait_running(after["id"])
    assert after["assignedCluster"] == cid, after
    c = pool.clusters()[cid]
    assert c["status"] == "locked" and c["assignedSession"] == after["id"], c
    assert parse_time(c["lastReset"]) >= parse_time(s["startTime"]), c

    ns_after = names(session_kubectl(after, tmp_path, "get", "ns", "-o", "name").stdout)
    assert ns_after == ns_before, (ns_before, ns_after)
    assert names(session_kubectl(after, tmp_path, "get", "cm", "-A", "-o", "name").stdout) == cm_before
    assert names(session_kubectl(after, tmp_path, "get", "secret", "-A", "-o", "name").stdout) == secrets_before
    proc = session_kubectl(after, tmp_path, "get", "cm", "mine", check=False)
    assert proc.returncode != 0 and "NotFound" in proc.stderr, proc
    # The reset went through restores of the baseline snapshots.
    restores = yaml.safe_load(pool.kubectl("get", "vmrestore", "-n", cid, "-o", "yaml").stdout)["items"]
    assert {(r["spec"]["target"]["name"], r["spec"]["virtualMachineSnapshotName"]) for r in restores} == \
        {(f"cp-{cid}", f"cp-{cid}-snapshot"), (f"wk-{cid}", f"wk-{cid}-snapshot")}, restores
    assert all(r["status"]["complete"] is True for r in restores), restores


# --------------------------------------------------------------------------------------
# (c) tokens
# --------------------------------------------------------------------------------------


def test_tokens_are_confined(pool):
    a = pool.wait_running(pool.start_session("a")["id"])
    b = pool.wait_running(pool.start_session("b")["id"])
    ca, cb = a["assignedCluster"], b["assignedCluster"]
    assert ca != cb

    # Each token on its own cluster only; the admin token on none.
    assert pool.http("GET", pool.cluster_url(ca), token=a["token"]).status == 200
    assert pool.http("GET", pool.cluster_url(cb), token=b["token"]).status == 200
    assert pool.http("GET", pool.cluster_url(cb), token=a["token"]).status == 401
    assert pool.http("GET", pool.cluster_url(ca), token=b["token"]).status == 401
    idle = next(cid for cid in pool.clusters() if cid not in (ca, cb))
    assert pool.http("GET", pool.cluster_url(idle), token=a["token"]).status == 401
    assert pool.http("GET", pool.cluster_url(ca), token=True).status == 401
    assert pool.http("GET", pool.cluster_url(ca), token=None).status == 401
    # ... and not on the embedded server's own tree.
    assert pool.http("GET", "/api/v1/namespaces", token=a["token"]).status == 401

    # On the platform API: its own session only, no admin calls. Another session is "not
    # found" (404, as one that does not exist); an admin call is forbidden (403).
    own = pool.lab("GET", f"/api/v1/sessions/{a['id']}", token=a["token"])
    assert own.status == 200 and own.json()["id"] == a["id"], own
    listed = pool.lab("GET", "/api/v1/sessions", token=a["token"])
    assert listed.status == 200 and [s["id"] for s in listed.json()] == [a["id"]], listed
    for method, path, body, status in [("GET", f"/api/v1/sessions/{b['id']}", None, 404),
                                       ("DELETE", f"/api/v1/sessions/{b['id']}", None, 404),
                                       ("PUT", f"/api/v1/sessions/{b['id']}/extend", {"minutes": 5}, 404),
                                       ("GET", f"/api/v1/sessions/{b['id']}/kubeconfig", None, 404),
                                       ("GET", f"/api/v1/sessions/{b['id']}/tasks", None, 404),
                                       ("POST", "/api/v1/sessions", {}, 403),
                                       ("GET", "/api/v1/pool", None, 403),
                                       ("POST", "/api/v1/admin/bootstrap-pool", {}, 403),
                                       ("POST", f"/api/v1/admin/clusters/{cb}/reset", None, 403),
                                       ("POST", "/api/v1/admin/release-all-clusters", None, 403)]:
        resp = pool.lab(method, path, body, token=a["token"])
        assert resp.status == status, (method, path, resp)
        assert set(resp.json()) == {"error", "message"}, resp
    assert pool.session(b["id"]).json()["status"] == "running"
    assert len(pool.sessions()) == 2

    # Ending the session (with its own token) revokes the token at once.
    resp = pool.lab("DELETE", f"/api/v1/sessions/{a['id']}", token=a["token"])
    assert resp.status == 200, resp
    wait_until(lambda: pool.http("GET", pool.cluster_url(ca), token=a["token"]).status == 401,
               timeout=1.0, interval=0.01, message="the ended session's token refused on its cluster")
    # Once it is gone the token means nothing on the platform API either.
    wait_until(lambda: pool.lab("GET", f"/api/v1/sessions/{a['id']}", token=a["token"]).status == 401,
               timeout=2.0, interval=0.02, message="the ended session's token refused on the platform API")
    assert pool.http("GET", pool.cluster_url(cb), token=b["token"]).status == 200
    pool.wait_cluster(ca)
    # Still refused once the cluster is back (a new session there gets a new token).
    assert pool.http("GET", pool.cluster_url(ca), token=a["token"]).status == 401


# --------------------------------------------------------------------------------------
# (d) expiry and extension
# --------------------------------------------------------------------------------------


def patch_pool(srv: LabServer, spec: dict) -> None:
    srv.kubectl("patch", "labpool", "default", "--type", "merge", "-p", json.dumps({"spec": spec}))


def test_session_expires_and_its_cluster_is_reset(pool):
    patch_pool(pool, {"sessionTimeout": "3s"})
    try:
        # The controllers read the pool from their caches.
        wait_until(lambda: yaml.safe_load(pool.kubectl("get", "labpool", "default", "-o", "yaml").stdout)
                   ["spec"]["sessionTimeout"] == "3s", timeout=5)
        time.sleep(0.3)
        s = pool.wait_running(pool.start_session("shortlived")["id"])
        cid = s["assignedCluster"]
        start, expires = parse_time(s["startTime"]), parse_time(s["expirationTime"])
        assert expires - start == timedelta(seconds=3), s
        assert pool.http("GET", pool.cluster_url(cid), token=s["token"]).status == 200
        began = time.monotonic()
        ended = wait_until(lambda: (x := pool.session(s["id"]).json())["status"] == "expired" and x,
                           timeout=10, interval=0.05, message="session expired")
        took = time.monotonic() - began
        assert took < 6, f"expired {took:.1f}s after running; timeout 3s"
        assert ended["assignedCluster"] == cid, ended
        assert pool.http("GET", pool.cluster_url(cid), token=s["token"]).status == 401
        assert pool.lab("GET", f"/api/v1/sessions/{s['id']}/kubeconfig").status == 409
        # A reset takes about a second with these simulation durations.
        c = pool.wait_cluster(cid, timeout=15)
        assert c["assignedSession"] is None and parse_time(c["lastReset"]) >= start, c
        # An expired session can no longer be extended.
        assert pool.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 5}).status == 400
    finally:
        patch_pool(pool, {"sessionTimeout": "60m"})


def test_extend_within_max_extension(pool):
    s = pool.wait_running(pool.start_session("extender")["id"])
    expires = parse_time(s["expirationTime"])
    resp = pool.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 30}, token=s["token"])
    assert resp.status == 200, resp
    assert parse_time(resp.json()["expirationTime"]) - expires == timedelta(minutes=30), resp
    resp = pool.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 30})
    assert resp.status == 200, resp
    assert parse_time(resp.json()["expirationTime"]) - expires == timedelta(minutes=60), resp
    # The default maxExtension, 60m, is used up.
    resp = pool.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 1})
    assert resp.status == 400 and set(resp.json()) == {"error", "message"}, resp
    for bad in ({"minutes": 0}, {"minutes": -5}):
        assert pool.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", bad).status == 400, bad
    assert parse_time(pool.session(s["id"]).json()["expirationTime"]) - expires == timedelta(minutes=60)

    # A pool's own maxExtension bounds it.
    patch_pool(pool, {"maxExtension": "10m"})
    try:
        wait_until(lambda: yaml.safe_load(pool.kubectl("get", "labpool", "default", "-o", "yaml").stdout)
                   ["spec"]["maxExtension"] == "10m", timeout=5)
        time.sleep(0.3)
        t = pool.wait_running(pool.start_session("extender2")["id"])
        resp = pool.lab("PUT", f"/api/v1/sessions/{t['id']}/extend", {"minutes": 11})
        assert resp.status == 400, resp
        resp = pool.lab("PUT", f"/api/v1/sessions/{t['id']}/extend", {"minutes": 10})
        assert resp.status == 200, resp
        assert parse_time(resp.json()["expirationTime"]) - parse_time(t["expirationTime"]) == timedelta(minutes=10)
        assert pool.lab("PUT", f"/api/v1/sessions/{t['id']}/extend", {"minutes": 1}).status == 400
    finally:
        patch_pool(pool, {"maxExtension": "60m"})


# --------------------------------------------------------------------------------------
# (f) admin calls
# --------------------------------------------------------------------------------------


def test_admin_reset_of_a_locked_cluster_ends_its_session(pool):
    s = pool.wait_running(pool.start_session("victim")["id"])
    cid = s["assignedCluster"]
    before = pool.clusters()[cid]
    assert before["status"] == "locked"
    resp = pool.lab("POST", f"/api/v1/admin/clusters/{cid}/reset")
    assert resp.status == 200 and resp.json()["clusterId"] == cid, resp
    # The session is over: gone or ended, its token refused, its cluster reset.
    wait_until(lambda: (r := pool.session(s["id"])).status == 404
               or r.json()["status"] in ("completed", "failed", "expired"),
               timeout=5, interval=0.05, message="the session ended")
    wait_until(lambda: pool.http("GET", pool.cluster_url(cid), token=s["token"]).status == 401,
               timeout=2, interval=0.02, message="token refused")
    after = pool.wait_cluster(cid)
    assert after["assignedSession"] is None and after["lastReset"] != before["lastReset"], after

    # Resetting an available cluster works too, and it comes back.
    resp = pool.lab("POST", f"/api/v1/admin/clusters/{cid}/reset")
    assert resp.status == 200, resp
    pool.wait_cluster(cid)


def test_release_all_clusters(pool):
    held = [pool.wait_running(pool.start_session(f"r{i}")["id"]) for i in range(3)]
    resp = pool.lab("POST", "/api/v1/admin/release-all-clusters")
    assert resp.status == 200, resp
    assert sorted(resp.json()["released"]) == sorted(s["assignedCluster"] for s in held), resp
    for s in held:
        assert pool.http("GET", pool.cluster_url(s["assignedCluster"]), token=s["token"]).status == 401
    wait_until(lambda: all(pool.session(s["id"]).status == 404
                           or pool.session(s["id"]).json()["status"] != "running" for s in held), timeout=5)
    pool.wait_idle()


# --------------------------------------------------------------------------------------
# (e) what the pool wrote validates against KubeVirt's schemas
# --------------------------------------------------------------------------------------


def test_pool_objects_validate_against_the_real_schemas(pool, tmp_path):
    if not VALIDATE_OBJECTS.exists():
        pytest.fail(f"{VALIDATE_OBJECTS} is missing (shared/ must sit beside the repository)")
    # At least one reset, so that restores exist.
    s = pool.wait_running(pool.start_session("v")["id"])
    assert pool.lab("DELETE", f"/api/v1/sessions/{s['id']}").status == 200
    pool.wait_cluster(s["assignedCluster"])
    text = pool.kubectl("get", "vm,vmsnapshot,vmrestore", "-A", "-o", "yaml").stdout
    listed = yaml.safe_load(text)
    kinds = {}
    for o in listed["items"]:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    assert kinds.get("VirtualMachine", 0) >= 2 * POOL_SIZE, kinds
    assert kinds.get("VirtualMachineSnapshot", 0) >= 2 * POOL_SIZE, kinds
    assert kinds.get("VirtualMachineRestore", 0) >= 2, kinds
    dump = tmp_path / "lab-objects.yaml"
    dump.write_text(text)
    proc = subprocess.run([sys.executable, str(VALIDATE_OBJECTS), str(dump)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (f"validate-objects exited {proc.returncode} on {dump} ({kinds})\nstdout:\n"
                                  f"{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-3000:]}")


# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------


def test_scenario_from_a_file_sets_up_the_cluster_and_validates_tasks(pool, tmp_path):
    resp = pool.lab("GET", "/api/v1/scenarios")
    assert resp.status == 200, resp
    listed = {sc["id"]: sc for sc in resp.json()}
    assert listed["secure-config"]["title"] == "Secure the workload", listed
    assert [t["id"] for t in listed["secure-config"]["tasks"]] == ["t1", "t2", "t3"], listed

    resp = pool.lab("POST", "/api/v1/sessions", {"userId": "carol", "scenarioId": "secure-config"})
    assert resp.status == 201, resp
    s = pool.wait_running(resp.json()["id"])
    assert s["scenarioId"] == "secure-config", s

    # The setup objects are in the session's cluster before the user does anything.
    got = session_kubectl(s, tmp_path, "get", "configmap", "app-config", "-n", "workload",
                          "-o", "jsonpath={.data.mode}")
    assert got.stdout == "insecure", got.stdout

    tasks = pool.lab("GET", f"/api/v1/sessions/{s['id']}/tasks", token=s["token"]).json()
    assert [(t["id"], t["status"]) for t in tasks] == [("t1", "pending"), ("t2", "pending"), ("t3", "pending")], tasks

    # Not done yet: each check fails and says why.
    for task in ("t1", "t2", "t3"):
        resp = pool.lab("POST", f"/api/v1/sessions/{s['id']}/tasks/{task}/validate", token=s["token"])
        assert resp.status == 200, resp
        result = resp.json()
        assert result["passed"] is False and result["status"] == "failed", result
        assert all(not c["passed"] and c["message"] for c in result["checks"]), result

    # The user does the work with kubectl on the lab cluster.
    session_kubectl(s, tmp_path, "patch", "configmap", "app-config", "-n", "workload",
                    "--type", "merge", "-p", '{"data":{"mode":"secure"}}')
    session_kubectl(s, tmp_path, "label", "namespace", "workload", "pod-security.kubernetes.io/enforce=restricted")
    session_kubectl(s, tmp_path, "create", "configmap", "audit", "-n", "workload", "--from-literal=level=full")
    for task in ("t1", "t2", "t3"):
        resp = pool.lab("POST", f"/api/v1/sessions/{s['id']}/tasks/{task}/validate", token=s["token"])
        assert resp.status == 200 and resp.json()["passed"] is True, resp
    tasks = pool.lab("GET", f"/api/v1/sessions/{s['id']}/tasks").json()
    assert [t["status"] for t in tasks] == ["completed"] * 3, tasks

    # After the session the cluster is back to its baseline: no scenario objects are left for
    # the next user (the next scenario session gets its setup afresh).
    cluster = s["assignedCluster"]
    assert pool.lab("DELETE", f"/api/v1/sessions/{s['id']}").status == 200
    pool.wait_cluster(cluster)
    held = fill_pool(pool)
    again = next(h for h in held if h["assignedCluster"] == cluster)
    got = session_kubectl(again, tmp_path, "get", "namespaces", "-o", "name")
    assert "namespace/workload" not in got.stdout.split(), got.stdout


def test_invalid_scenario_files_stop_the_server_with_the_file_named(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    broken = dict(SCENARIO, spec=dict(SCENARIO["spec"], tasks=[{"id": "t1", "checks": [{"type": "exists"}]}]))
    (scenarios / "broken.yaml").write_text(yaml.safe_dump(broken))
    srv = LabServer(tmp_path / "data", ["--lab-scenarios", str(scenarios)])
    proc = subprocess.run(srv.command, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0, proc
    assert "broken.yaml" in proc.stderr and "a check needs type, kind and name" in proc.stderr, proc.stderr

    (scenarios / "broken.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                                                            "metadata": {"name": "x"}}))
    proc = subprocess.run(srv.command, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "broken.yaml: not a LabScenario" in proc.stderr, proc.stderr


def test_a_large_pool_gets_enough_simulated_nodes_by_default(tmp_path):
    """Without --sim-nodes a pool gets one node per (node memory ÷ 7Gi) clusters, at least
    three: 32Gi nodes hold 4 clusters, so a pool of 13 gets 4 nodes. --sim-nodes wins."""
    for extra, wanted in ((["--lab-pool-size", "13"], 4), (["--lab-pool-size", "13", "--sim-nodes", "2"], 2)):
        srv = LabServer(tmp_path / f"data-{wanted}", extra + ["--sim-node-memory", "32Gi",
                                                             "--sim-snapshot-duration", "100ms"])
        with srv.serving(wait_idle=False):
            wait_until(lambda: len(srv.core().list_node().items) >= wanted, timeout=60, message=f"{wanted} nodes")
            time.sleep(0.5)
            names = sorted(n.metadata.name for n in srv.core().list_node().items)
            assert names == [f"kwok-node-{i}" for i in range(1, wanted + 1)], names
