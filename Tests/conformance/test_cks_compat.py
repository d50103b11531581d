"""cks-backend compatibility of the lab pool (issue 13, docs/lab-pool.md): its scenario folders
load unchanged with `--lab-scenarios` (Tests/Fixtures/cks-scenarios follows its format), their
resource rules run against the session's cluster, command/script/file rules are reported as not
runnable (failed, never passed), and the API answers in cks-backend's shapes: `sessionId` on
create, `success`/`results`/`timestamp` on validation, `/api/v1/scenarios/{id}`,
`/api/v1/scenarios/categories`, `/api/v1/admin/clusters`, `/api/v1/admin/sessions` and
`/api/v1/admin/create-snapshots`.

One server with a pool of 2 and fast simulated snapshots; every test leaves the pool idle.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Iterable

import pytest
import yaml

from conftest import Response, wait_until
from test_lab_pool import LabServer, session_kubectl

FIXTURE = Path(__file__).resolve().parent.parent / "Fixtures" / "cks-scenarios"
POOL_SIZE = 2
SETTLE = 30.0
SANDBOX = "command checks need the lab terminal's sandbox"

# Virtyard's own format, in the same directory as the cks-backend folder.
OWN_SCENARIO = {
    "apiVersion": "virtyard.io/v1alpha1", "kind": "LabScenario",
    "metadata": {"name": "own-format"},
    "spec": {
        "title": "Virtyard's own format",
        "tasks": [{"id": "t1", "title": "A ConfigMap",
                   "checks": [{"type": "exists", "kind": "ConfigMap", "namespace": "default", "name": "x"}]}],
    },
}


class CKSServer(LabServer):
    """`virtyard serve` with a lab pool and a scenario directory."""

    def start_running(self, user: str, scenario: str | None = "pod-hardening") -> dict:
        body = {"userId": user} if scenario is None else {"userId": user, "scenarioId": scenario}
        resp = self.lab("POST", "/api/v1/sessions", body)
        assert resp.status == 201, resp
        sid = resp.json()["sessionId"]

        def running():
            s = self.lab("GET", f"/api/v1/sessions/{sid}").json()
            return s if s.get("status") == "running" and s.get("kubeconfig") else None
        return wait_until(running, timeout=SETTLE, interval=0.05, message=f"session {sid} running")

    def validate(self, session: dict, task: str, token: str | None | bool = None) -> Response:
        return self.lab("POST", f"/api/v1/sessions/{session['id']}/tasks/{task}/validate",
                        token=session["token"] if token is None else token)


def copy_fixture(to: Path) -> Path:
    shutil.copytree(FIXTURE, to)
    return to


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterable[CKSServer]:
    scenarios = copy_fixture(tmp_path_factory.mktemp("cks") / "scenarios")
    (scenarios / "own-format.yaml").write_text(yaml.safe_dump(OWN_SCENARIO, sort_keys=False))
    srv = CKSServer(tmp_path_factory.mktemp("virtyard-cks"),
                    ["--lab-pool-size", str(POOL_SIZE), "--lab-scenarios", str(scenarios),
                     "--sim-snapshot-duration", "200ms", "--sim-restore-duration", "200ms"])
    with srv.serving():
        yield srv


@pytest.fixture
def pool(lab) -> Iterable[CKSServer]:
    lab.end_all()
    yield lab
    if lab.running:
        lab.end_all()


def results_by_rule(answer: dict) -> dict[str, dict]:
    return {r["ruleId"]: r for r in answer["results"]}


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def test_the_cks_folder_loads_with_its_metadata_tasks_rules_and_categories(pool):
    listed = {s["id"]: s for s in pool.lab("GET", "/api/v1/scenarios").json()}
    assert set(listed) == {"pod-hardening", "own-format"}, listed
    assert listed["own-format"]["title"] == "Virtyard's own format", listed

    resp = pool.lab("GET", "/api/v1/scenarios/pod-hardening")
    assert resp.status == 200, resp
    sc = resp.json()
    assert sc["title"] == "Harden a Pod and its Namespace" and sc["difficulty"] == "beginner", sc
    assert sc["timeEstimate"] == "20m" and sc["version"] == "1.0.0", sc
    assert sc["topics"] == ["pod-security", "rbac"] and sc["requirements"]["resources"]["memory"] == "2Gi", sc
    assert [t["id"] for t in sc["tasks"]] == ["01", "02", "03"], sc
    assert sc["tasks"][0]["title"] == "Task 1: Run a Pod as a non-root user", sc
    assert [len(t["validation"]) for t in sc["tasks"]] == [5, 2, 3], sc
    rule = sc["tasks"][0]["validation"][2]
    assert rule == {"id": "no-privilege-escalation", "type": "resource_property",
                    "resource": {"kind": "Pod", "name": "secure-pod", "namespace": "default",
                                 "property": ".spec.containers[0].securityContext.allowPrivilegeEscalation"},
                    "condition": "equals", "value": "false",
                    "errorMessage": "Privilege escalation is not disabled"}, rule
    assert [s["runnable"] for s in sc["setupSteps"]] == [True, False], sc["setupSteps"]

    resp = pool.lab("GET", "/api/v1/scenarios/categories")
    assert resp.status == 200, resp
    assert resp.json() == {"pod-security": "Pod Security", "rbac": "RBAC and Authentication"}, resp

    # The objects are LabScenarios in the cluster, as kubectl shows them.
    out = pool.kubectl("get", "labscenarios", "-o", "name").stdout.split()
    assert sorted(out) == ["labscenario.virtyard.io/own-format", "labscenario.virtyard.io/pod-hardening"], out


def test_scenario_reads_need_a_token_and_names_are_checked(pool):
    assert pool.lab("GET", "/api/v1/scenarios/pod-hardening", token=None).status == 401
    assert pool.lab("GET", "/api/v1/scenarios/categories", token=None).status == 401
    resp = pool.lab("GET", "/api/v1/scenarios/no-such-scenario")
    assert resp.status == 404 and resp.json()["error"] == "NotFound", resp
    resp = pool.lab("GET", "/api/v1/scenarios/Bad_Name")
    assert resp.status == 400 and '"id"' in resp.json()["message"], resp


def test_malformed_or_oversized_scenario_files_stop_the_server_with_the_file_and_field_named(tmp_path):
    cases = [
        ("pod-hardening/validation/01-validation.yaml",
         "validation:\n- {id: a, type: resource_exist, resource: {kind: Pod, name: p}}\n",
         "pod-hardening/validation/01-validation.yaml: validation[0].type"),
        ("pod-hardening/validation/02-validation.yaml",
         "validation:\n- {id: a, type: resource_property, resource: {kind: Pod, name: p, property: 'spec[x]'}, value: 1}\n",
         "validation[0].resource.property"),
        ("pod-hardening/metadata.yaml", "title: T\ndescription: D\ndifficulty: expert\n",
         "pod-hardening/metadata.yaml: difficulty"),
        ("pod-hardening/metadata.yaml", "title: " + "x" * (2 << 20) + "\n",
         "pod-hardening/metadata.yaml: is 2097160 bytes; a scenario file may have at most 1048576"),
        ("categories.yaml", "categories: [1, 2]\n", "categories.yaml: categories: must be a mapping"),
        ("pod-hardening/setup/init.yaml",
         "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
         "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
         "pod-hardening/setup/init.yaml: document 1 expands to more than 100000 YAML nodes"),
    ]
    for index, (file, text, expected) in enumerate(cases):
        scenarios = copy_fixture(tmp_path / f"case-{index}")
        (scenarios / file).write_text(text)
        srv = CKSServer(tmp_path / f"data-{index}", ["--lab-scenarios", str(scenarios)])
        proc = subprocess.run(srv.command, capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0, (file, proc.stdout[-2000:])
        assert expected in proc.stderr, (file, proc.stderr[-2000:])
        assert "Fatal error" not in proc.stderr and "Stack dump" not in proc.stderr, proc.stderr[-2000:]


# --------------------------------------------------------------------------------------
# Sessions and validation
# --------------------------------------------------------------------------------------


def test_create_session_answers_with_session_id_and_its_own_fields(pool):
    resp = pool.lab("POST", "/api/v1/sessions", {"userId": "dana", "scenarioId": "pod-hardening"})
    assert resp.status == 201, resp
    s = resp.json()
    assert s["sessionId"] == s["id"] and s["id"].startswith("session-"), s
    assert s["scenarioId"] == "pod-hardening" and s["userId"] == "dana", s


def test_resource_rules_run_against_the_session_cluster_and_command_rules_never_pass(pool, tmp_path):
    s = pool.start_running("erin")
    # The setup's resource step ran in the session's cluster; its command step did not.
    assert "namespace/team-a" in session_kubectl(s, tmp_path, "get", "namespaces", "-o", "name").stdout.split()
    level = session_kubectl(s, tmp_path, "get", "configmap", "audit-policy", "-n", "team-a",
                            "-o", "jsonpath={.data.level}").stdout
    assert level == "Metadata", level

    # Nothing done: resource rules fail and say why; the command rule is not runnable.
    resp = pool.validate(s, "01")
    assert resp.status == 200, resp
    answer = resp.json()
    assert answer["success"] is False and answer["passed"] is False and answer["status"] == "failed", answer
    assert answer["taskId"] == "01" and answer["timestamp"].endswith("Z"), answer
    results = results_by_rule(answer)
    assert list(results) == ["pod-exists", "run-as-user", "no-privilege-escalation", "every-image-is-nginx",
                             "pod-running"], answer
    assert results["pod-exists"]["errorCode"] == "RESOURCE_NOT_FOUND", results
    assert "Pod 'secure-pod' does not exist" in results["pod-exists"]["message"], results
    command = results["pod-running"]
    assert command["passed"] is False and command["runnable"] is False, command
    assert SANDBOX in command["message"] and command["errorCode"] == "NOT_RUNNABLE", command
    assert all(r["runnable"] for rid, r in results.items() if rid != "pod-running"), results
    assert len(answer["checks"]) == 5, answer

    # The user does the work on the lab cluster; the resource rules pass, reaching into lists.
    session_kubectl(s, tmp_path, "apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "secure-pod", "namespace": "default"},
        "spec": {"securityContext": {"runAsUser": 1000},
                 "containers": [{"name": "nginx", "image": "nginx:1.25",
                                 "securityContext": {"allowPrivilegeEscalation": False}}]}}))
    answer = pool.validate(s, "01").json()
    results = results_by_rule(answer)
    assert [results[r]["passed"] for r in ("pod-exists", "run-as-user", "no-privilege-escalation",
                                           "every-image-is-nginx")] == [True] * 4, answer
    assert results["run-as-user"]["actual"] == 1000 and results["run-as-user"]["expected"] == "1000", results
    # ... but the task is not passed on a command that did not run.
    assert answer["success"] is False and results["pod-running"]["runnable"] is False, answer
    assert "need the lab terminal's sandbox" in answer["message"], answer

    # Task 2: the escaped-dot label path passes; the file rule is not runnable.
    session_kubectl(s, tmp_path, "label", "namespace", "team-a", "pod-security.kubernetes.io/enforce=restricted")
    results = results_by_rule(pool.validate(s, "02").json())
    assert results["enforce-label"]["passed"] is True, results
    assert results["level-file"]["runnable"] is False and results["level-file"]["passed"] is False, results
    assert "file checks need the lab terminal's sandbox" in results["level-file"]["message"], results

    # Task 3 has resource rules only: done right, it passes.
    answer = pool.validate(s, "03").json()
    assert answer["success"] is False, answer
    session_kubectl(s, tmp_path, "apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "auditor", "namespace": "team-a"},
        "automountServiceAccountToken": False}))
    answer = pool.validate(s, "03").json()
    assert answer["success"] is True and answer["passed"] is True and answer["status"] == "completed", answer
    assert answer["message"] == "All validations passed", answer
    tasks = pool.lab("GET", f"/api/v1/sessions/{s['id']}/tasks", token=s["token"]).json()
    assert [(t["id"], t["status"]) for t in tasks] == [("01", "failed"), ("02", "failed"), ("03", "completed")], tasks


def test_hostile_calls_on_validation_get_clear_4xx(pool):
    a = pool.start_running("frank")
    b = pool.start_running("grace")
    resp = pool.validate(a, "99")
    assert resp.status == 404 and "task 99 not found" in resp.json()["message"], resp
    # Another session's token: the same 404 as a session that does not exist.
    resp = pool.validate(a, "01", token=b["token"])
    assert resp.status == 404 and resp.json() == {"error": "NotFound", "message": f"session {a['id']} not found"}, resp
    resp = pool.validate(a, "01", token="not-a-token")
    assert resp.status == 401 and resp.json()["error"] == "Unauthorized", resp
    # A body on a call that takes none names the field.
    resp = pool.lab("POST", f"/api/v1/sessions/{a['id']}/tasks/01/validate", {"force": True}, token=a["token"])
    assert resp.status == 400 and "force" in resp.json()["message"], resp
    # A session token on the admin routes: 403.
    for method, path in (("GET", "/api/v1/admin/clusters"), ("GET", "/api/v1/admin/sessions"),
                         ("POST", "/api/v1/admin/create-snapshots")):
        resp = pool.lab(method, path, token=a["token"])
        assert resp.status == 403 and resp.json()["error"] == "Forbidden", (path, resp)
        assert pool.lab(method, path, token=None).status == 401, path
    # Unknown routes under /api/v1 answer {"error", "message"}.
    resp = pool.lab("GET", "/api/v1/admin/no-such-thing")
    assert resp.status == 404 and set(resp.json()) == {"error", "message"}, resp


# --------------------------------------------------------------------------------------
# Admin
# --------------------------------------------------------------------------------------


def test_admin_clusters_and_sessions_answer_in_cks_backend_shapes(pool):
    s = pool.start_running("heidi")
    resp = pool.lab("GET", "/api/v1/admin/clusters")
    assert resp.status == 200, resp
    stats = resp.json()
    assert stats["totalClusters"] == POOL_SIZE, stats
    assert stats["lockedClusters"] == 1 and stats["availableClusters"] == POOL_SIZE - 1, stats
    assert stats["statusByCluster"][s["assignedCluster"]] == "locked", stats
    detail = stats["detailedClusters"][s["assignedCluster"]]
    assert detail["assignedSession"] == s["id"] and detail["controlPlaneVM"] == f"cp-{s['assignedCluster']}", detail
    assert detail["createdAt"], detail

    resp = pool.lab("GET", "/api/v1/admin/sessions")
    assert resp.status == 200, resp
    body = resp.json()
    assert [x["id"] for x in body["sessions"]] == [s["id"]], body
    assert body["stats"]["totalSessions"] == 1 and body["stats"]["runningSessions"] == 1, body


def test_create_snapshots_keeps_every_available_cluster_s_baseline(pool):
    s = pool.start_running("ivan", scenario=None)
    locked = s["assignedCluster"]
    free = next(c for c in pool.clusters() if c != locked)
    # A baseline snapshot lost by hand is taken again; the locked cluster is left alone.
    pool.kubectl("delete", "virtualmachinesnapshot", f"wk-{free}-snapshot", "-n", free)
    resp = pool.lab("POST", "/api/v1/admin/create-snapshots")
    assert resp.status == 200, resp
    results = resp.json()["results"]
    assert results[free]["success"] is True, results
    assert results[free]["snapshots"] == {"controlPlane": f"cp-{free}-snapshot", "worker": f"wk-{free}-snapshot"}, results
    assert results[free]["created"] == [f"wk-{free}-snapshot"], results
    assert results[locked]["success"] is False and "locked" in results[locked]["error"], results
    wait_until(lambda: pool.lab("POST", "/api/v1/admin/create-snapshots").json()["results"][free].get("readyToUse"),
               timeout=SETTLE, message="the new snapshot ready")
    again = pool.lab("POST", "/api/v1/admin/create-snapshots").json()["results"][free]
    assert again["created"] == [] and again["readyToUse"] is True, again
    # It takes no fields.
    resp = pool.lab("POST", "/api/v1/admin/create-snapshots", {"clusters": ["x"]})
    assert resp.status == 400 and "clusters" in resp.json()["message"], resp
