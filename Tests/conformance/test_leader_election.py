"""Leader election and external mode: two `virtyard serve --kubeconfig` replicas against one
`virtyard apiserver` (issue 3). Exactly one holds the `virtyard-controller` Lease; when it is
killed with -9 the other takes over.

Takeover bound: the standby times the lease from when it last saw it change (as client-go
does, immune to clock skew), so after a kill it takes over within lease duration (15 s) plus
one retry period (5 s). The test allows 25 s.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from conftest import KUBECTL, VirtyardProcess, http_request, virtyard_bin, wait_until

LEASE_DURATION = 15
RETRY_PERIOD = 5


@pytest.fixture
def cluster(tmp_path):
    processes: list[VirtyardProcess] = []

    def start(args: list[str], name: str) -> VirtyardProcess:
        process = VirtyardProcess(args, tmp_path / name)
        processes.append(process)
        return process

    yield start
    for process in reversed(processes):
        process.stop()


def lease_holder(kubeconfig: Path, cache: Path) -> str | None:
    out = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), "get", "lease",
                          "-n", "virtyard-system", "virtyard-controller", "-o", "json"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)["spec"].get("holderIdentity")


def readyz(endpoints: dict) -> str:
    response = http_request(endpoints["platform"] + "/readyz?verbose")
    assert response.status == 200
    return response.text


def test_two_replicas_one_leader_and_takeover_after_kill(cluster, tmp_path):
    apiserver = cluster(["apiserver", "--kube-listen", "127.0.0.1:0"], "apiserver")
    api = apiserver.endpoints()
    kubeconfig = apiserver.data_dir / "kubeconfig"
    assert api["kubeAPI"].startswith("https://")

    replicas = {}
    for identity in ("replica-1", "replica-2"):
        replica = cluster(["serve", "--kubeconfig", str(kubeconfig), "--listen", "127.0.0.1:0",
                           "--vcd-listen", "127.0.0.1:0", "--identity", identity], identity)
        replicas[identity] = replica
    endpoints = {identity: replica.endpoints() for identity, replica in replicas.items()}
    # External mode: no embedded API of their own.
    assert all(e["kubeAPI"] is None for e in endpoints.values()), endpoints

    cache = tmp_path / "kube-cache"
    leader = wait_until(lambda: lease_holder(kubeconfig, cache), timeout=30, message="a lease holder")
    assert leader in replicas
    standby = next(identity for identity in replicas if identity != leader)

    wait_until(lambda: f"leading as {leader}" in readyz(endpoints[leader]), timeout=10,
               message="the leader to report leading")
    wait_until(lambda: f"standby as {standby}, leader is {leader}" in readyz(endpoints[standby]), timeout=10,
               message="the standby to report standby")
    # Still exactly one leader a few renewals later.
    time.sleep(2)
    assert lease_holder(kubeconfig, cache) == leader
    assert "standby" in readyz(endpoints[standby])

    killed_at = time.monotonic()
    replicas[leader].proc.kill()
    replicas[leader].proc.wait()
    wait_until(lambda: lease_holder(kubeconfig, cache) == standby, timeout=LEASE_DURATION + RETRY_PERIOD + 5,
               interval=0.25, message=f"{standby} to take the lease")
    took_over_after = time.monotonic() - killed_at
    assert took_over_after <= LEASE_DURATION + RETRY_PERIOD + 5, took_over_after
    wait_until(lambda: f"leading as {standby}" in readyz(endpoints[standby]), timeout=10,
               message="the survivor to report leading")
    print(f"takeover after kill -9: {took_over_after:.1f} s")

    # A clean stop releases the lease at once (no holder).
    assert replicas[standby].stop() == 0
    assert lease_holder(kubeconfig, cache) in (None, "")


def test_serve_with_a_bad_kubeconfig_fails_with_one_line(tmp_path):
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\ncontexts: []\n")
    out = subprocess.run([str(virtyard_bin()), "serve", "--kubeconfig", str(bad), "--data-dir", str(tmp_path / "d"),
                          "--listen", "127.0.0.1:0", "--vcd-listen", "off"], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "nowhere" in out.stderr, out.stderr
