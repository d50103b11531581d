"""The web console's Labs section (issue 16, page 2): the pool and sessions at /ui/labs with
"Start lab", and a session's own page (instructions, tasks with Check, the countdown with
Extend, End session, the kubeconfig, the terminal panel), live over Server-Sent Events.

The shared `server` has no lab pool of its own, so this module makes one the way an
administrator would, through the API (`POST /api/v1/admin/bootstrap-pool`, a pool of 3 unless
one exists), and adds its scenario as a LabScenario object with kubectl. Every test ends the
sessions it started.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Iterable

import pytest
import yaml
from playwright.sync_api import expect

from conftest import KUBECTL, new_name, wait_until
from console_support import PageProblems, assert_accessible, screenshot, sign_in, open_live, wait_live

SETTLE = 90.0
ENDED = {"completed", "failed", "expired"}


def scenario_manifest(name: str) -> dict:
    return {
        "apiVersion": "virtyard.io/v1alpha1", "kind": "LabScenario",
        "metadata": {"name": name},
        "spec": {
            "title": "Console: audit ConfigMap",
            "description": (
                "Create the **audit** ConfigMap in `default`, then press Check. "
                "The [Kubernetes docs](https://kubernetes.io/docs/) help."),
            "tasks": [
                {"id": "audit", "title": "Create the audit ConfigMap",
                 "description": "Run `kubectl create configmap audit` with the session's kubeconfig.",
                 # Markdown from a scenario author, hostile: it must stay inert text.
                 "hints": ["<script>window.labPwned = 1</script> <img src=x onerror=\"window.labPwned=3\"> "
                           "[a trap](javascript:window.labPwned=2)"],
                 "checks": [{"type": "exists", "apiVersion": "v1", "kind": "ConfigMap",
                             "namespace": "default", "name": "audit"}]},
                {"id": "label", "title": "Label it",
                 "checks": [{"type": "label", "apiVersion": "v1", "kind": "ConfigMap", "namespace": "default",
                             "name": "audit", "path": "team", "value": "labs"}]},
            ],
        },
    }


class Lab:
    """The lab API on the shared server, as the admin (or a session's token) calls it."""

    def __init__(self, server, scenario: str):
        self.server = server
        self.scenario = scenario
        self.started: list[str] = []

    def call(self, method: str, path: str, body=None, token: str | bool = True):
        return self.server.http(method, path, body=body, token=token, platform=True)

    def clusters(self) -> list[dict]:
        resp = self.call("GET", "/api/v1/pool")
        assert resp.status == 200, resp
        return resp.json()["clusters"]

    def sessions(self) -> list[dict]:
        resp = self.call("GET", "/api/v1/sessions")
        assert resp.status == 200, resp
        return resp.json()

    def session(self, sid: str) -> dict:
        resp = self.call("GET", f"/api/v1/sessions/{sid}")
        assert resp.status == 200, resp
        return resp.json()

    def start(self, scenario: str | None = None) -> str:
        body = {"userId": "console-test"}
        if scenario:
            body["scenarioId"] = scenario
        resp = self.call("POST", "/api/v1/sessions", body)
        assert resp.status == 201, resp
        sid = resp.json()["sessionId"]
        self.started.append(sid)
        return sid

    def wait_running(self, sid: str) -> dict:
        return wait_until(lambda: (s := self.session(sid))["status"] == "running" and s.get("token") and s,
                          timeout=SETTLE, interval=0.1, message=f"session {sid} running")

    def end(self, sid: str) -> None:
        resp = self.call("DELETE", f"/api/v1/sessions/{sid}")
        assert resp.status in (200, 404), resp

    def end_all(self) -> None:
        """Ends every live session (the waiting ones first, so that none takes a cluster)."""
        live = [s for s in self.sessions() if s["status"] not in ENDED]
        live.sort(key=lambda s: s["status"] != "pending")
        for s in live:
            self.end(s["id"])

    def wait_idle(self) -> None:
        wait_until(lambda: (c := self.clusters()) and all(x["status"] == "available" for x in c),
                   timeout=SETTLE, interval=0.2, message="every lab cluster available")


@pytest.fixture(scope="module")
def lab_pool(server) -> Iterable[Lab]:
    resp = server.http("POST", "/api/v1/admin/bootstrap-pool", body={}, platform=True)
    assert resp.status == 200, resp
    name = new_name("console-labs")
    server.kubectl("apply", "-f", "-", input=yaml.safe_dump(scenario_manifest(name)))
    lab = Lab(server, name)
    wait_until(lambda: any(s["id"] == name for s in lab.call("GET", "/api/v1/scenarios").json()),
               timeout=30, message="the scenario listed")
    lab.end_all()
    lab.wait_idle()
    yield lab
    lab.end_all()
    server.kubectl("delete", "labscenario", name, "--wait=false")


@pytest.fixture
def lab(lab_pool) -> Iterable[Lab]:
    """The pool, idle before the test; the test's sessions ended after it."""
    lab_pool.wait_idle()
    lab_pool.started = []
    yield lab_pool
    for sid in lab_pool.started:
        lab_pool.end(sid)


def accept_dialogs(page) -> None:
    """hx-confirm asks with window.confirm; Playwright would dismiss it."""
    page.on("dialog", lambda dialog: dialog.accept())


def session_kubectl(kubeconfig: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "kubeconfig"
        path.write_text(kubeconfig)
        path.chmod(0o600)
        proc = subprocess.run([KUBECTL, "--kubeconfig", str(path), "--cache-dir", str(Path(directory) / "cache"), *args],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc


def countdown_end(page, sid: str) -> datetime:
    text = page.locator(f"#live-session-{sid} time[data-countdown]").get_attribute("datetime")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------
# /ui/labs
# --------------------------------------------------------------------------------------


def test_labs_page_shows_the_pool_sessions_and_the_start_form(console_page, server, lab):
    page = console_page
    sid = lab.start(lab.scenario)
    running = lab.wait_running(sid)
    page.goto(server.platform + "/ui/labs")
    expect(page.get_by_role("heading", name="Labs", level=1)).to_be_visible()
    pool = page.locator("#live-pool")
    for cluster in lab.clusters():
        expect(pool.get_by_role("row").filter(has_text=cluster["clusterId"]).first).to_be_visible()
    # The cluster holding the session says so in words, and links to the session.
    row = pool.get_by_role("row").filter(has_text=running["assignedCluster"])
    expect(row).to_contain_text("locked")
    expect(row.get_by_role("link", name=sid)).to_have_attribute("href", f"/ui/labs/sessions/{sid}")
    expect(row.get_by_role("button", name=f"Reset {running['assignedCluster']}")).to_be_visible()
    sessions = page.locator("#live-sessions")
    expect(sessions.get_by_role("row").filter(has_text=sid)).to_contain_text("running")
    picker = page.get_by_label("Scenario")
    expect(picker.locator(f"option[value='{lab.scenario}']")).to_have_count(1)
    expect(page.get_by_role("button", name="Start lab")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "labs")


def test_admin_starts_a_lab_waits_for_it_live_checks_extends_and_ends_it(console_page, server, lab):
    page = console_page
    accept_dialogs(page)
    # Every cluster taken, so that the new lab waits in the queue and "running" must arrive
    # over the live stream.
    fillers = [lab.start() for _ in lab.clusters()]
    for filler in fillers:
        lab.wait_running(filler)

    page.goto(server.platform + "/ui/labs")
    page.get_by_label("Scenario").select_option(lab.scenario)
    page.get_by_role("button", name="Start lab").click()
    page.wait_for_url(re.compile(r".*/ui/labs/sessions/session-[^/]+$"))
    sid = page.url.rsplit("/", 1)[1]
    lab.started.append(sid)
    expect(page.get_by_role("heading", name="Console: audit ConfigMap", level=1)).to_be_visible()
    status = page.locator(f"#live-session-{sid}")
    expect(status.locator(".badge")).to_have_text("pending")
    expect(status).to_contain_text("in the queue")
    # The scenario's Markdown is rendered, its script and javascript: link are not.
    instructions = page.locator(".markdown").first
    expect(instructions.locator("strong")).to_have_text("audit")
    expect(instructions.get_by_role("link", name="Kubernetes docs")).to_have_attribute("href", "https://kubernetes.io/docs/")
    hint = page.locator("details").first
    hint.locator("summary").click()
    expect(hint).to_contain_text("<script>window.labPwned = 1</script>")
    expect(hint).to_contain_text("a trap")
    expect(hint.get_by_role("link")).to_have_count(0)
    expect(hint.locator("script, img")).to_have_count(0)
    hint.locator("summary").click()
    assert page.evaluate("window.labPwned === undefined")

    wait_live(page)
    page.evaluate("window.labMarker = 'same page'")
    lab.end(fillers[0])
    expect(status.locator(".badge")).to_have_text("running", timeout=SETTLE * 1000)
    assert page.evaluate("window.labMarker") == "same page", "the page reloaded instead of updating live"
    expect(status.get_by_role("button", name="Extend")).to_be_visible()

    # Check before the work is done: failed, with the rule's own message.
    task = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Create the audit ConfigMap"))
    result = task.locator(".task-result")
    expect(result).to_contain_text("Not checked yet")
    task.get_by_role("button", name="Check").click()
    expect(result).to_contain_text("Failed")
    expect(result).to_contain_text("ConfigMap default/audit exists")

    # The work, with the session's own kubeconfig (downloaded from the page), then Check again.
    with page.expect_download() as download:
        status.get_by_role("link", name="Download kubeconfig").click()
    assert download.value.suggested_filename == f"{sid}-kubeconfig.yaml"
    kubeconfig = Path(download.value.path()).read_text()
    assert "clusters:" in kubeconfig and "token" in kubeconfig
    session_kubectl(kubeconfig, "create", "configmap", "audit", "-n", "default", "--from-literal=ok=yes")
    task.get_by_role("button", name="Check").click()
    expect(result).to_contain_text("Passed")
    expect(result).to_contain_text("All validations passed")
    assert lab.session(sid)["tasks"][0]["status"] == "completed"

    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "lab-session")

    # Extend moves the expiry (by 30 minutes) in place.
    before = countdown_end(page, sid)
    status.get_by_role("button", name="Extend").click()
    wait_until(lambda: countdown_end(page, sid) > before, timeout=30, message="the expiry moved")
    moved = (countdown_end(page, sid) - before).total_seconds()
    assert 29 * 60 <= moved <= 31 * 60, moved
    expires = datetime.fromisoformat(lab.session(sid)["expirationTime"].replace("Z", "+00:00"))
    assert expires == countdown_end(page, sid)

    # End session (confirmed): the page shows it ended, without Extend or End.
    page.locator(f"#live-session-{sid}").get_by_role("button", name="End session").click()
    expect(page.locator(f"#live-session-{sid} .badge")).to_have_text("completed", timeout=30_000)
    expect(page.get_by_role("button", name="End session")).to_have_count(0)
    expect(page.get_by_role("button", name="Extend")).to_have_count(0)
    assert lab.session(sid)["status"] == "completed"


def test_reset_and_release_all_from_the_pool_table(console_page, server, lab):
    page = console_page
    accept_dialogs(page)
    first = lab.wait_running(lab.start())
    open_live(page, server.platform + "/ui/labs")
    cluster = first["assignedCluster"]
    page.get_by_role("button", name=f"Reset {cluster}").click()
    expect(page.locator("#labs-notice")).to_contain_text(f"{cluster} is being reset")
    wait_until(lambda: lab.session(first["id"])["status"] in ENDED, timeout=30, message="the session ended by the reset")
    # The pool table follows the reset live: the cluster comes back available.
    expect(page.locator("#live-pool").get_by_role("row").filter(has_text=cluster)).to_contain_text(
        "available", timeout=SETTLE * 1000)

    second = lab.wait_running(lab.start())
    expect(page.locator("#live-sessions").get_by_role("row").filter(has_text=second["id"])).to_contain_text("running")
    page.get_by_role("button", name="Release all").click()
    expect(page.locator("#labs-notice")).to_contain_text("Released 1 cluster")
    expect(page.locator("#labs-notice")).to_contain_text(second["assignedCluster"])
    wait_until(lambda: lab.session(second["id"])["status"] in ENDED, timeout=30, message="released")


def test_start_form_refusals_appear_beside_the_field(console_page, server, lab, console_problems):
    page = console_page
    console_problems["problems"].expected_statuses.add(422)
    # A scenario that goes away between showing the form and pressing Start lab.
    doomed = new_name("console-doomed")
    server.kubectl("apply", "-f", "-", input=yaml.safe_dump(scenario_manifest(doomed)))
    wait_until(lambda: any(s["id"] == doomed for s in lab.call("GET", "/api/v1/scenarios").json()), timeout=30,
               message="the doomed scenario listed")
    page.goto(server.platform + "/ui/labs")
    page.get_by_label("Scenario").select_option(doomed)
    server.kubectl("delete", "labscenario", doomed)
    wait_until(lambda: all(s["id"] != doomed for s in lab.call("GET", "/api/v1/scenarios").json()), timeout=30,
               message="the doomed scenario gone")
    with page.expect_response(lambda r: r.url.endswith("/ui/labs/sessions") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Start lab").click()
    assert answer.value.status == 422
    error = page.locator("#start-scenario-error")
    expect(error).to_contain_text(f"There is no scenario \u201c{doomed}\u201d")
    expect(page.get_by_label("Scenario")).to_have_attribute("aria-describedby", "start-scenario-error")
    assert not [s for s in lab.sessions() if s["status"] not in ENDED], "a session was started anyway"


def test_hostile_console_calls_get_clear_4xx(console_page, server, lab, console_problems):
    page = console_page
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    post = lambda path, form=None, extra=headers: page.request.post(server.platform + path, form=form or {}, headers=extra)

    answer = post("/ui/labs/sessions", {"scenario": "x" * 5000})
    assert answer.status == 422 and "not a scenario name" in answer.text()
    answer = post("/ui/labs/sessions", {"scenario": "no-such-scenario"})
    assert answer.status == 422 and "There is no scenario" in answer.text()
    assert post("/ui/labs/clusters/no-such-cluster/reset").status == 404
    assert post("/ui/labs/sessions/no-such-session/extend").status == 404
    assert post("/ui/labs/sessions/no-such-session/end").status == 404
    assert post("/ui/labs/sessions/no-such-session/check", {"task": "audit"}).status == 404
    # Without the CSRF token nothing happens.
    assert post("/ui/labs/release-all", extra={"HX-Request": "true"}).status == 403

    running = lab.wait_running(lab.start(lab.scenario))
    sid = running["id"]
    answer = post(f"/ui/labs/sessions/{sid}/check")
    assert answer.status == 400 and "which task" in answer.text()
    assert post(f"/ui/labs/sessions/{sid}/check", {"task": "no-such-task"}).status == 404
    assert post(f"/ui/labs/sessions/{sid}/check", {"task": "t" * 5000}).status == 400
    # Extending past the pool's limit (1 hour by default) is refused with the reason.
    assert post(f"/ui/labs/sessions/{sid}/extend").status == 200
    assert post(f"/ui/labs/sessions/{sid}/extend").status == 200
    answer = post(f"/ui/labs/sessions/{sid}/extend")
    assert answer.status == 400 and "may be extended by" in answer.text()
    # An ended session cannot be extended, and its kubeconfig is gone.
    assert post(f"/ui/labs/sessions/{sid}/end").status in (204, 303)
    answer = post(f"/ui/labs/sessions/{sid}/extend")
    assert answer.status == 400 and "only a running session" in answer.text()
    assert page.request.get(server.platform + f"/ui/labs/sessions/{sid}/kubeconfig").status == 409


# --------------------------------------------------------------------------------------
# A lab session's own token
# --------------------------------------------------------------------------------------


def test_a_session_token_opens_its_own_page_only_and_end_signs_it_out(page, server, lab):
    accept_dialogs(page)
    problems = PageProblems(page)
    problems.expected_statuses.update({403, 404})
    mine = lab.wait_running(lab.start(lab.scenario))
    other = lab.wait_running(lab.start())

    sign_in(page, server.platform, mine["token"])
    assert page.url.endswith(f"/ui/labs/sessions/{mine['id']}")
    expect(page.get_by_role("heading", name="Console: audit ConfigMap", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="My lab")).to_be_visible()
    expect(page.get_by_role("link", name="Labs", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="All labs")).to_have_count(0)
    assert mine["token"] not in page.content()
    wait_live(page)
    expect(page.get_by_role("button", name="Check").first).to_be_visible()

    assert page.goto(server.platform + "/ui/labs").status == 403
    assert page.goto(server.platform + f"/ui/labs/sessions/{other['id']}").status == 404
    assert page.goto(server.platform + "/ui/labs/sessions/no-such-session").status == 404
    assert page.request.get(server.platform + f"/ui/labs/sessions/{other['id']}/kubeconfig").status == 404
    # Another session's live topic is refused too.
    assert page.request.get(server.platform + f"/ui/events?topic=session:{other['id']}").status == 403
    assert page.request.get(server.platform + "/ui/events?topic=pool").status == 403
    page.goto(server.platform + f"/ui/labs/sessions/{mine['id']}")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for path in (f"/ui/labs/sessions/{other['id']}/end", f"/ui/labs/sessions/{other['id']}/extend",
                 f"/ui/labs/sessions/{other['id']}/check"):
        answer = page.request.post(server.platform + path, form={"task": "audit"},
                                   headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
        assert answer.status == 404, (path, answer.status)
    assert page.request.post(server.platform + "/ui/labs/release-all",
                             headers={"X-CSRF-Token": csrf, "HX-Request": "true"}).status == 403
    assert lab.session(other["id"])["status"] == "running"

    # Ending its own session signs the browser out: its token no longer works.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(r".*/ui/login$"))
    expect(page.get_by_label("Token")).to_be_visible()
    page.goto(server.platform + f"/ui/labs/sessions/{mine['id']}")
    assert page.url.endswith("/ui/login")
    assert lab.session(mine["id"])["status"] == "completed"
    problems.assert_clean()
