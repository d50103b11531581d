"""`/metrics` on the platform address passes `promtool check metrics` (issue 12, Hygiene;
the Debian package `prometheus` ships promtool, scripts/install-test-deps installs it).

One server with a lab pool, a capacity scenario and a synced disk image, so that every
family a running platform exports is on the page (controller and work-queue metrics of
each reconciler, API request metrics, the store's gauges, Capacity's node text). The only
findings allowed are the names kept for compatibility with the tools that defined them
(docs/capacity.md, "Metric names kept for compatibility").
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Iterable

import pytest

from conftest import _stop_checked, http_request, wait_until
from flaky_http import FlakyHTTPServer
from test_capacity import MIXED, SimulationServer, load_scenario
from test_image_sync import apply, image_manifest, wait_phases

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

# promtool's findings, as it prints them, for the names kept on purpose: node-exporter's
# memory gauges and node-classifier-sim's VM count.
COMPATIBILITY_FINDINGS = {
    "node_memory_MemAvailable_bytes metric names should be written in 'snake_case' not 'camelCase'",
    "node_memory_MemTotal_bytes metric names should be written in 'snake_case' not 'camelCase'",
    'node_vm_count non-histogram and non-summary metrics should not have "_count" suffix',
}

# Families that must be on the page, one or more from each place that defines metrics, so
# the lint cannot pass on a page that lacks them.
EXPECTED_FAMILIES = {
    "apiserver_request_total", "apiserver_request_duration_seconds",
    "virtyard_apiserver_objects", "virtyard_apiserver_resource_version", "virtyard_apiserver_watchers",
    "controller_runtime_reconcile_total", "controller_runtime_reconcile_time_seconds",
    "workqueue_depth", "workqueue_adds_total", "workqueue_work_duration_seconds",
    "node_cpu_usage_ratio", "node_vm_count", "virtyard_capacity_node_classification",
}


def promtool(text: str) -> tuple[int, list[str]]:
    """Exit code and findings (one per line) of `promtool check metrics` on `text`."""
    if not shutil.which("promtool") and not shutil.which(PROMTOOL):
        pytest.fail("promtool is not installed (scripts/install-test-deps installs Debian's prometheus)")
    done = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True,
                          timeout=60)
    lines = (done.stdout + done.stderr).splitlines()
    return done.returncode, [line.strip() for line in lines if line.strip()]


def help_and_type(text: str) -> tuple[set[str], set[str]]:
    """The families with a `# HELP` line, and those with a `# TYPE` line."""
    helped, typed = set(), set()
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 3 and parts[0] == "#" and parts[1] == "HELP":
            helped.add(parts[2])
        elif len(parts) >= 3 and parts[0] == "#" and parts[1] == "TYPE":
            typed.add(parts[2])
    return helped, typed


@pytest.fixture(scope="module")
def busy(tmp_path_factory) -> Iterable[SimulationServer]:
    """A server that has run a lab session, loaded a capacity scenario and synced an image."""
    workdir = tmp_path_factory.mktemp("virtyard-metrics-lint")
    srv = SimulationServer(workdir / "data", ["--lab-pool-size", "1", "--sim-snapshot-duration", "200ms",
                                              "--sim-restore-duration", "200ms"])
    srv.start()
    flaky = FlakyHTTPServer().start()
    try:
        # Lab pool: one session, run and ended (the cluster is reset from its snapshots).
        def pool_available():
            resp = srv.http("GET", "/api/v1/pool", platform=True)
            clusters = resp.json().get("clusters") or [] if resp.status == 200 else []
            return len(clusters) == 1 and clusters[0]["status"] == "available"

        wait_until(pool_available, timeout=60, message="the pool's one cluster available")
        created = srv.http("POST", "/api/v1/sessions", {}, platform=True)
        assert created.status == 201, created
        sid = created.json()["id"]
        wait_until(lambda: srv.http("GET", f"/api/v1/sessions/{sid}", platform=True).json().get("status")
                   == "running", timeout=60, message=f"session {sid} running")
        ended = srv.http("DELETE", f"/api/v1/sessions/{sid}", platform=True)
        assert ended.status == 200, ended

        # Capacity: a scenario of three nodes and their VMs.
        load_scenario(srv, MIXED)

        # Image sync: one image over http, to Ready (DataVolume, VolumeSnapshot).
        flaky.add_blob("/lint.img", bytes(range(256)) * 4096)
        apply(srv, workdir, image_manifest("lint", "default", url=flaky.url("/lint.img")))
        wait_phases(srv, {("default", "lint"): "Ready"}, timeout=60)
        yield srv
    finally:
        flaky.stop()
        _stop_checked(srv)


def test_metrics_pass_promtool_but_for_the_compatibility_names(busy):
    resp = http_request(busy.platform + "/metrics", timeout=30)
    assert resp.status == 200, resp
    text = resp.text
    helped, typed = help_and_type(text)
    assert EXPECTED_FAMILIES <= typed, sorted(EXPECTED_FAMILIES - typed)
    # Every family has its help text (promtool says so too; this names them all at once).
    assert typed - helped == set(), sorted(typed - helped)

    code, findings = promtool(text)
    unexpected = [f for f in findings if f not in COMPATIBILITY_FINDINGS]
    assert unexpected == [], "\n".join(unexpected)
    # promtool exits 3 on lint findings, 1 when it cannot parse the page.
    assert code in (0, 3), (code, findings)


def test_capacity_metrics_path_passes_promtool_but_for_the_compatibility_names(busy):
    resp = http_request(busy.platform + "/api/v1/capacity/metrics", timeout=30)
    assert resp.status == 200, resp
    helped, typed = help_and_type(resp.text)
    assert {"node_cpu_usage_ratio", "node_vm_count"} <= typed, sorted(typed)
    assert typed - helped == set(), sorted(typed - helped)
    code, findings = promtool(resp.text)
    unexpected = [f for f in findings if f not in COMPATIBILITY_FINDINGS]
    assert unexpected == [], "\n".join(unexpected)
    assert code in (0, 3), (code, findings)


def test_promtool_reports_a_family_without_help():
    """The check above can fail: promtool names a family that lacks HELP."""
    code, findings = promtool("# TYPE lint_probe_total counter\nlint_probe_total 1\n")
    assert findings == ["lint_probe_total no help text"], findings
    assert code == 3, code


def test_the_schedulers_queue_is_on_the_page(busy):
    """The scheduler's queue reports as `workqueue_*{name="scheduler"}` (docs/simulation.md):
    a pod it placed counts among the queue's adds."""
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "metrics-queue-probe"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}], "tolerations": [{"operator": "Exists"}]},
    }
    created = busy.http("POST", "/api/v1/namespaces/default/pods", pod)
    assert created.status == 201, created
    wait_until(lambda: busy.http("GET", "/api/v1/namespaces/default/pods/metrics-queue-probe").json()
               .get("spec", {}).get("nodeName"), timeout=30, message="the probe pod bound")
    text = http_request(busy.platform + "/metrics", timeout=30).text
    adds = [line for line in text.splitlines()
            if line.startswith("workqueue_adds_total{") and 'name="scheduler"' in line]
    assert len(adds) == 1, adds
    assert float(adds[0].rsplit(" ", 1)[1]) >= 1, adds
    assert any(line.startswith("workqueue_depth{") and 'name="scheduler"' in line for line in text.splitlines())


def series_value(text: str, family: str, **labels: str) -> float:
    """The value of the one series of `family` whose labels include `labels` (0 when absent)."""
    found = []
    for line in text.splitlines():
        if not line.startswith(family + "{"):
            continue
        label_text, value = line[len(family) + 1:].rsplit("} ", 1)
        pairs = dict(part.split("=", 1) for part in label_text.split(","))
        if all(pairs.get(key) == f'"{wanted}"' for key, wanted in labels.items()):
            found.append(float(value))
    assert len(found) <= 1, (family, labels, found)
    return found[0] if found else 0.0


def test_request_metrics_count_every_request(busy):
    """The request counter and duration histogram are made once per set of labels and kept
    (`RequestMetrics`): every later request must still count, in its own series."""
    def counts():
        text = http_request(busy.platform + "/metrics", timeout=30).text
        return (series_value(text, "apiserver_request_total", verb="POST", resource="configmaps", code="201"),
                series_value(text, "apiserver_request_total", verb="POST", resource="configmaps", code="409"),
                series_value(text, "apiserver_request_duration_seconds_count", verb="POST", resource="configmaps"))
    created, conflicts, timed = counts()
    for index in range(5):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"request-metrics-{index}"}}
        assert busy.http("POST", "/api/v1/namespaces/default/configmaps", body).status == 201
    for _ in range(2):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "request-metrics-0"}}
        assert busy.http("POST", "/api/v1/namespaces/default/configmaps", body).status == 409
    assert counts() == (created + 5, conflicts + 2, timed + 7)
