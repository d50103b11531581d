"""The official Python client's own end-to-end suite (kubernetes-client/python
`kubernetes/e2e_test`, version 37; `../shared/peer/python-client-e2e`, unchanged) against
`virtyard serve`: once against the embedded API with the admin kubeconfig, once against a
lab session's virtual cluster with the session's own kubeconfig, as a student would hold it.

Every test of the suite must pass, except the ones that exec into a container or forward a
port to it: pods here are simulated and run no process, so the API answers those requests
with 501 Not Implemented and a message saying why (docs/embedded-api.md, "exec and
port-forward"). Those are expected to fail, and to fail for that reason: if one passes or
fails otherwise, this test fails, so the list cannot go stale silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable

import pytest

from conftest import VALIDATE_OBJECTS, wait_until
from test_lab_pool import LabServer

# Beside the schema checker: the workplace's shared/ (see conftest._validate_objects_tool).
E2E = Path(os.environ.get("VIRTYARD_PEER_E2E", VALIDATE_OBJECTS.parents[1] / "peer" / "python-client-e2e"))

# test id (class::name) -> why it cannot pass against simulated pods.
EXPECTED_FAILURES = {
    "TestClient::test_pod_apis": "exec",
    "TestClient::test_pod_exec_close_channel": "exec",
    "TestClient::test_exit_code": "exec",
    "TestClient::test_portforward_raw": "portforward",
    "TestClient::test_portforward_http": "portforward",
}


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory) -> Iterable[LabServer]:
    if not (E2E / "kubernetes" / "e2e_test").is_dir():
        pytest.fail(f"the Python client's e2e suite is missing at {E2E} (set VIRTYARD_PEER_E2E)",
                    pytrace=False)
    srv = LabServer(tmp_path_factory.mktemp("virtyard-e2e"),
                    ["--lab-pool-size", "1", "--sim-snapshot-duration", "200ms", "--sim-restore-duration", "200ms"])
    # The first test needs only the API; the second waits for the pool itself.
    with srv.serving(wait_idle=False):
        yield srv


def run_suite(kubeconfig: Path, scratch: Path) -> dict[str, tuple[str, str]]:
    """Runs the suite from `scratch` (it writes files into its working directory and reads
    its YAML fixtures by relative path); returns test id -> (outcome, failure text)."""
    scratch.mkdir(parents=True, exist_ok=True)
    link = scratch / "kubernetes"
    if not link.exists():
        link.symlink_to(E2E / "kubernetes")
    report = scratch / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTYARD_")}
    env["KUBECONFIG"] = str(kubeconfig)
    env["HOME"] = str(scratch)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--timeout", "120", "-p", "no:cacheprovider",
         "--rootdir", str(E2E), "--confcutdir", str(E2E), f"--junitxml={report}",
         str(E2E / "kubernetes" / "e2e_test")],
        cwd=scratch, env=env, capture_output=True, text=True, timeout=1500)
    assert report.exists(), f"the e2e suite wrote no report:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    results: dict[str, tuple[str, str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, text = "failed", (child.get("message") or "") + "\n" + (child.text or "")
            elif child.tag == "skipped":
                outcome, text = "skipped", child.get("message") or ""
        results[test_id] = (outcome, text)
    return results


def check(results: dict[str, tuple[str, str]]) -> None:
    assert len(results) >= 40, f"only {len(results)} tests ran: {sorted(results)}"
    unexpected = {}
    for test_id, (outcome, text) in results.items():
        if test_id in EXPECTED_FAILURES:
            if outcome != "failed" or "501" not in text:
                unexpected[test_id] = f"expected to fail with 501 ({EXPECTED_FAILURES[test_id]}), got {outcome}: {text[-600:]}"
        elif outcome == "failed":
            unexpected[test_id] = text[-1500:]
    assert not unexpected, "\n\n".join(f"{k}:\n{v}" for k, v in sorted(unexpected.items()))
    passed = sum(1 for outcome, _ in results.values() if outcome == "passed")
    assert passed >= len(results) - len(EXPECTED_FAILURES) - 1, results


def test_the_suite_passes_against_the_embedded_api(e2e_server, tmp_path):
    check(run_suite(e2e_server.kubeconfig, tmp_path / "host"))


def test_the_suite_passes_as_a_lab_sessions_user(e2e_server, tmp_path):
    wait_until(lambda: e2e_server.lab("GET", "/api/v1/pool").status == 200, timeout=60,
               message="platform /api/v1/pool answering")
    e2e_server.wait_idle()
    session = e2e_server.wait_running(e2e_server.start_session("e2e")["id"], timeout=60)
    kubeconfig = tmp_path / "session.kubeconfig"
    kubeconfig.write_text(session["kubeconfig"])
    kubeconfig.chmod(0o600)
    assert f"/clusters/{session['assignedCluster']}" in session["kubeconfig"]
    check(run_suite(kubeconfig, tmp_path / "session"))
