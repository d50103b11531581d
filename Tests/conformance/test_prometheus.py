"""A real Prometheus (the Debian package's `prometheus`, 2.42; installed by
scripts/install-test-deps) scrapes the platform address's /metrics every second, and its
query API then holds the node figures /metrics shows."""

from __future__ import annotations

import math
import pathlib
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
# node-classifier-sim's PrometheusRule (16 descheduler recording rules), vendored unchanged.
NODE_CLASSIFIER_RULES = (pathlib.Path(__file__).resolve().parent.parent / "Fixtures" / "node-classifier-sim"
                         / "prometheus-rules.yaml")


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
    def __init__(self, workdir, target: str, honor_labels: bool = False, rule_files: list | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "prometheus.yml"
        scrape = {"job_name": JOB, "metrics_path": "/metrics", "static_configs": [{"targets": [target]}]}
        if honor_labels:
            scrape["honor_labels"] = True
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [scrape],
        }
        if rule_files:
            config["rule_files"] = [str(f) for f in rule_files]
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))
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


def node_classifier_rule_file(workdir) -> tuple[pathlib.Path, list[dict]]:
    """The PrometheusRule's `spec` as a plain rule file, and its rules in order. Only the
    group's interval changes (30s to 1s) so the test does not wait half a minute per round;
    the expressions are the file's."""
    [rule] = [d for d in yaml.safe_load_all(NODE_CLASSIFIER_RULES.read_text()) if d]
    assert rule["kind"] == "PrometheusRule", rule.get("kind")
    groups = rule["spec"]["groups"]
    for group in groups:
        group["interval"] = "1s"
    path = workdir / "node-classifier-rules.yml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path, [r for g in groups for r in g["rules"]]


def test_node_classifier_recording_rules_all_yield(scraped, tmp_path):
    """Every recording rule of node-classifier-sim, evaluated by a real Prometheus against
    /metrics with a scenario loaded, yields at least one sample (one per node for the per-node
    rules), and the memory pressure and utilisation rules give the figures /metrics shows."""
    if not shutil.which("prometheus") and not shutil.which(PROMETHEUS):
        pytest.fail("prometheus is not installed (scripts/install-test-deps installs it)")
    load_scenario(scraped, MIXED)
    expected = expected_utilization(scraped)
    nodes = set(expected)
    assert nodes == {"cap-a", "cap-b", "cap-c"}, list(expected)
    rule_file, rules = node_classifier_rule_file(tmp_path)
    assert len(rules) == 16, [r["record"] for r in rules]
    checked = subprocess.run([shutil.which("promtool") or "/usr/bin/promtool", "check", "rules", str(rule_file)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # node-classifier-sim's exporter labels each series with the node as `instance`, and its
    # rules join on that label: keep the exporter's labels, as its deployment does.
    target = urllib.parse.urlsplit(scraped.platform).netloc
    prom = Prometheus(tmp_path, target, honor_labels=True, rule_files=[rule_file]).start()
    try:
        names = list(dict.fromkeys(r["record"] for r in rules))

        def recorded():
            got = {name: prom.query(f"{name}") for name in names}
            return got if all(got.values()) else None

        try:
            got = wait_until(recorded, timeout=90, interval=1, message="every recording rule recorded")
        except BaseException:
            empty = [name for name in names if not prom.query(name)]
            print(f"empty recording rules: {empty}")
            raise
        # Each rule's own expression, evaluated now, yields samples too (the file records one
        # name twice; this checks both rules, not just the name).
        for rule in rules:
            result = prom.query(rule["expr"])
            assert result, (rule["record"], rule["expr"])
        for name, result in got.items():
            if name.startswith("descheduler:average"):
                assert len(result) == 1, (name, result)
            else:
                assert {r["metric"].get("instance") for r in result} == nodes, (name, result)

        # The health Prometheus reports for each rule.
        resp = http_request(f"{prom.url}/api/v1/rules?type=record", timeout=10)
        assert resp.status == 200, resp
        reported = [r for g in resp.json()["data"]["groups"] for r in g["rules"]]
        assert len(reported) == 16, reported
        assert all(r["health"] == "ok" for r in reported), [(r["name"], r.get("lastError")) for r in reported]

        # Memory: rate(node_pressure_memory_waiting_seconds_total) is the memory pressure, and
        # 1 - MemAvailable / allocatable memory is the memory usage.
        def per_instance(name):
            return {r["metric"]["instance"]: float(r["value"][1]) for r in prom.query(name)}

        # rate() over [1m] divides by the whole minute even while Prometheus holds only a few
        # seconds of samples, so compare each node's share of the total pressure, which does
        # not depend on how long Prometheus has been scraping.
        pressure = per_instance("descheduler:nodepressure:memory:avg1m")
        usage = per_instance("descheduler:nodeutilization:memory:avg1m")
        total, expected_total = sum(pressure.values()), sum(e["memory_pressure"] for e in expected.values())
        assert total > 0 and expected_total > 0, (pressure, expected)
        for node, exp in expected.items():
            share, expected_share = pressure[node] / total, exp["memory_pressure"] / expected_total
            assert math.isclose(share, expected_share, rel_tol=0.05, abs_tol=1e-3), (node, share, expected_share)
            assert math.isclose(usage[node], exp["memory_usage"], rel_tol=1e-6, abs_tol=1e-9), \
                (node, usage[node], exp["memory_usage"])
    except BaseException:
        print(f"--- prometheus log ---\n{prom.log()}")
        raise
    finally:
        prom.stop()
