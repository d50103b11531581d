"""The platform API against its own OpenAPI document (issue 11, "Fuzzing, kept running").

`GET /openapi.json` describes every route of the platform address; schemathesis (PyPI)
generates requests from it — valid ones and schema-violating ones, without the token and with
methods the paths do not serve — and checks every answer: no 5xx, status codes, content types
and bodies as documented, invalid input refused, authentication not ignored, 405 with `Allow`.

The budget is bounded (a few examples per operation, well under two minutes). Two operations
that rebuild the world are fuzzed with invalid input only: `POST /admin/bootstrap-pool` (a
valid size up to 1000 would build a thousand clusters on the test machine) and the capacity
`POST /scenario` (it replaces the cluster's nodes and VMs; test_capacity.py covers it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import pytest

from conftest import _stop_checked, http_request, wait_until
from test_lab_pool import LabServer

EXAMPLES = int(os.environ.get("VIRTYARD_FUZZ_EXAMPLES", "15"))
# Schema-valid data the API may still refuse: a pool, scenario or session that does not exist
# is a 400/404 the document cannot predict, so "valid data must be accepted" is not checked.
# An ended session stays readable (completed) for its pool's sessionRetention, by design, so
# "a deleted resource answers 404" is not checked either.
EXCLUDED_CHECKS = "positive_data_acceptance,use_after_free"
WORLD_BUILDERS = ["bootstrapPool", "capacityLoadScenario", "capacityLoadScenarioV1", "provisionCluster"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory) -> Iterable[LabServer]:
    srv = LabServer(tmp_path_factory.mktemp("virtyard-fuzz"),
                    ["--lab-pool-size", "2", "--sim-snapshot-duration", "200ms",
                     "--sim-restore-duration", "200ms"])
    srv.start()
    try:
        wait_until(lambda: srv.lab("GET", "/api/v1/pool").status == 200, timeout=60,
                   message="platform /api/v1/pool answering")
        wait_until(lambda: len(c := srv.clusters()) == 2 and all(x["status"] == "available" for x in c.values()),
                   timeout=60, message="the pool's two clusters available")
        yield srv
    finally:
        _stop_checked(srv)


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def run_schemathesis(srv: LabServer, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [*schemathesis_command(), "run", f"{srv.platform}/openapi.json",
           "--header", f"Authorization: Bearer {srv.token}",
           "--max-examples", str(EXAMPLES), "--request-timeout", "60",
           "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
           "--suppress-health-check", "all", "--no-color", *args]
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"schemathesis ran over its budget: {' '.join(cmd[1:3])}\n{exc.stdout}") from None


def findings(run: subprocess.CompletedProcess) -> str:
    """What schemathesis reported, from its failures section on."""
    out = run.stdout
    start = out.find("FAILURES")
    return (out[start:] if start >= 0 else out[-20000:])[:30000] + "\n" + run.stderr[-3000:]


def test_the_document_is_served_and_is_openapi_3(platform):
    resp = http_request(platform.platform + "/openapi.json")
    assert resp.status == 200 and resp.headers.get("Content-Type", "").startswith("application/json"), resp
    doc = resp.json()
    assert doc["openapi"].startswith("3."), doc["openapi"]
    # Every reference resolves; every operation is named once and answers something.
    text = json.dumps(doc)
    for name in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert name in doc["components"]["schemas"], name
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), ids
    assert all(op.get("responses") for item in doc["paths"].values() for op in item.values())
    ops = {(path, method) for path, item in doc["paths"].items() for method in item}
    for wanted in [("/api/v1/sessions", "post"), ("/api/v1/sessions/{id}", "delete"),
                   ("/api/v1/sessions/{id}/extend", "put"), ("/api/v1/pool", "get"),
                   ("/api/v1/admin/release-all-clusters", "post"), ("/feedback", "post"),
                   ("/api/v1/capacity/classification", "get"), ("/openapi.json", "get")]:
        assert wanted in ops, wanted


def test_every_documented_operation_is_served(platform):
    """No operation of the document falls through to the router's "nothing is served" 404."""
    doc = http_request(platform.platform + "/openapi.json").json()
    for path, item in doc["paths"].items():
        for method in item:
            concrete = path.replace("{id}", "no-such-id").replace("{task}", "t").replace("{name}", "no-such-node")
            # Without a token: nothing runs, and nothing is created.
            resp = platform.lab(method.upper(), concrete, token=None, timeout=30)
            assert resp.status != 405, (method, path, resp)
            if resp.status == 404:
                assert "nothing is served" not in resp.json()["message"], (method, path, resp)


def test_schemathesis_finds_no_server_error_and_no_departure_from_the_document(platform, tmp_path):
    # A session of each kind the list shows, so that list and read answers are checked full.
    platform.start_session("fuzz-reader")
    exclusions = [arg for op in WORLD_BUILDERS for arg in ("--exclude-operation-id", op)]
    everything = run_schemathesis(platform, tmp_path / "all", *exclusions)
    assert everything.returncode == 0, f"schemathesis (all modes) found problems:\n{findings(everything)}"
    inclusions = [arg for op in WORLD_BUILDERS for arg in ("--include-operation-id", op)]
    negative = run_schemathesis(platform, tmp_path / "negative", "--mode", "negative", *inclusions)
    assert negative.returncode == 0, f"schemathesis (invalid input) found problems:\n{findings(negative)}"
    assert platform.running, "the server died under the fuzzer"
    # It is still whole: the pool answers and nothing was built beyond its two clusters.
    assert len(platform.clusters()) == 2
    assert http_request(platform.platform + "/healthz").status == 200
