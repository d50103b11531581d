"""A real Prometheus (the Debian package's `prometheus`, 2.42; installed by
scripts/install-test-deps) scrapes the platform address's /metrics every second, and its
query API then holds the node figures /metrics shows."""

from __future__ import annotations

import math
import shutil
import signal
import socket
import subprocess
import urllib.parse
from typing import Iterable

import pytest
import yaml

from conftest import _stop_checked, http_request, wait_until
from test_capacity import MIXED, SimulationServer, expected_utilization, load_scenario, metrics, \
    per_node, start_capacity_server

JOB = "virtyard"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scraped(tmp_path_factory) -> Iterable[SimulationServer]:
    srv = start_capacity_server(tmp_path_factory.mktemp("virtyard-prometheus"))
    try:
        yield srv
    finally:
        _stop_checked(srv)


class Prometheus:
    def __init__(self, workdir, target: str):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "prometheus.yml"
        self.config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": JOB, "metrics_path": "/metrics",
                                "static_configs": [{"targets": [target]}]}],
        }, sort_keys=False))
        self.log_path = workdir / "prometheus.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Prometheus":
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [PROMETHEUS, f"--config.file={self.config}",
                 f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_until(self.ready, timeout=60, interval=0.25, message="prometheus /-/ready")
        return self

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited {self.proc.returncode}:\n{self.log()}")
        try:
            return http_request(self.url + "/-/ready", timeout=2).status == 200
        except OSError:
            return False

    def query(self, expr: str) -> list[dict]:
        resp = http_request(f"{self.url}/api/v1/query?query={urllib.parse.quote(expr)}", timeout=10)
        assert resp.status == 200, resp
        body = resp.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def test_prometheus_scrapes_node_metrics(scraped, tmp_path):
    if not shutil.which("prometheus") and not shutil.which(PROMETHEUS):
        pytest.fail("prometheus is not installed (scripts/install-test-deps installs it)")
    load_scenario(scraped, MIXED)
    expected = expected_utilization(scraped)
    shown = per_node(metrics(scraped), "node_cpu_usage_ratio")
    assert set(shown) == set(expected) == {"cap-a", "cap-b", "cap-c"}, (shown, list(expected))

    target = urllib.parse.urlsplit(scraped.platform).netloc
    prom = Prometheus(tmp_path, target).start()
    try:
        def up():
            result = prom.query(f'up{{job="{JOB}"}}')
            return result if result and all(r["value"][1] == "1" for r in result) else None

        [sample] = wait_until(up, timeout=60, interval=0.5, message=f"up{{job={JOB}}} == 1")
        assert sample["metric"]["instance"] == target, sample

        def usage():
            result = prom.query(f'node_cpu_usage_ratio{{job="{JOB}"}}')
            got = {r["metric"]["node"]: float(r["value"][1]) for r in result}
            if set(got) != set(shown):
                return None
            return got

        got = wait_until(usage, timeout=60, interval=0.5, message="node_cpu_usage_ratio per node")
        assert len(prom.query(f'node_cpu_usage_ratio{{job="{JOB}"}}')) == len(shown)
        for node, value in shown.items():
            assert math.isclose(got[node], value, rel_tol=1e-9, abs_tol=1e-12), (node, got[node], value)
            assert math.isclose(value, expected[node]["cpu_usage"], rel_tol=1e-9, abs_tol=1e-12)

        # The other families arrive too, one series per node (per node and mode for CPU time).
        for family, count in [("node_memory_pressure_psi", 3), ("node_vm_count", 3),
                              ("virtyard_capacity_node_score", 3), ("node_cpu_seconds_total", 9)]:
            result = prom.query(f'{family}{{job="{JOB}"}}')
            assert len(result) == count, (family, result)
        vm_counts = {r["metric"]["node"]: float(r["value"][1])
                     for r in prom.query(f'node_vm_count{{job="{JOB}"}}')}
        assert vm_counts == {n: float(len(e["vms"])) for n, e in expected.items()}, vm_counts

        # The exporter's own `instance` label becomes `exported_instance` (honor_labels is
        # false by default). Counters grow between scrapes: irate over the last two samples.
        def rate():
            result = prom.query(f'sum by (exported_instance) (irate(node_cpu_seconds_total{{job="{JOB}"}}[5s]))')
            return result if len(result) == 3 else None

        rates = wait_until(rate, timeout=30, interval=0.5, message="rate(node_cpu_seconds_total)")
        for r in rates:
            # idle + system + user: one CPU-second per second of wall time.
            assert math.isclose(float(r["value"][1]), 1.0, rel_tol=0.1), r
        assert {r["metric"]["exported_instance"] for r in rates} == set(shown)
    except BaseException:
        print(f"--- prometheus log ---\n{prom.log()}")
        raise
    finally:
        prom.stop()
