"""Hostile input on the platform address (issue 11): strict bodies, size and media-type
limits, 401 against 403, tokens of other sessions, unknown scenarios, ended sessions kept
readable, and `extend` answering with the new expiry while other requests run.

One server with a pool of 3 and fast simulated snapshots and restores; each test ends every
session it started.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from typing import Iterable

import pytest

from conftest import _stop_checked, http_request, wait_until
from test_lab_pool import LabServer

POOL = 3
MiB = 1 << 20
LIMIT = 3 * MiB


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterable[LabServer]:
    srv = LabServer(tmp_path_factory.mktemp("virtyard-hostile"),
                    ["--lab-pool-size", str(POOL), "--sim-snapshot-duration", "200ms",
                     "--sim-restore-duration", "200ms"])
    srv.start()
    try:
        wait_until(lambda: srv.lab("GET", "/api/v1/pool").status == 200, timeout=60, message="the pool API")
        wait_until(lambda: all(c["status"] == "available" for c in srv.clusters().values())
                   and len(srv.clusters()) == POOL, timeout=60, message="the pool available")
        yield srv
    finally:
        _stop_checked(srv)


@pytest.fixture
def platform(lab) -> Iterable[LabServer]:
    yield lab
    if lab.running:
        for s in lab.sessions():
            if s["status"] not in ("completed", "failed", "expired"):
                lab.lab("DELETE", f"/api/v1/sessions/{s['id']}")
        lab.kubectl("delete", "labsessions", "-n", "virtyard-system", "--all", "--wait=false")
        wait_until(lambda: lab.sessions() == [], timeout=30, message="no sessions left")
        wait_until(lambda: all(c["status"] == "available" for c in lab.clusters().values()), timeout=30,
                   message="every cluster available")


def raw(srv: LabServer, method: str, path: str, data: bytes | None, content_type: str | None = "application/json",
        token: str | None | bool = True):
    """A request with exactly these bytes and this Content-Type (None: no header)."""
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    tok = srv.token if token is True else (token or None)
    if tok:
        headers["Authorization"] = f"Bearer {tok}"
    import urllib.request
    import urllib.error
    req = urllib.request.Request(srv.platform + path, data=data, method=method, headers=headers)
    if data is not None and content_type is None:
        req.remove_header("Content-type")  # urllib adds a form type of its own otherwise
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def error_of(status_headers_body) -> dict:
    status, headers, body = status_headers_body
    assert headers.get("Content-Type", "").startswith("application/json"), (status, headers, body[:200])
    parsed = json.loads(body)
    assert set(parsed) == {"error", "message"}, parsed
    return parsed


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def patch_pool(srv: LabServer, spec: dict) -> None:
    srv.kubectl("patch", "labpool", "default", "--type", "merge", "-p", json.dumps({"spec": spec}))
    wait_until(lambda: all(json.loads(srv.kubectl("get", "labpool", "default", "-o", "json").stdout)["spec"].get(k) == v
                           for k, v in spec.items()), timeout=5, message=f"pool spec {spec}")


# --------------------------------------------------------------------------------------
# A: bodies decoded strictly
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, field", [
    ({"userId": 5}, "userId"), ({"userId": None}, "userId"), ({"pool": ["default"]}, "pool"),
    ({"scenarioId": 3}, "scenarioId"), ({"userId": "a", "user": "b"}, "user"),
])
def test_start_session_refuses_a_wrong_field_and_names_it(platform, body, field):
    resp = platform.lab("POST", "/api/v1/sessions", body)
    assert resp.status == 400, resp
    assert f'"{field}"' in resp.json()["message"], resp
    assert platform.sessions() == []


@pytest.mark.parametrize("body", [{"minutes": "5"}, {"minutes": None}, {"minutes": 5.9}, {"minutes": True},
                                  {"minutes": 0}, {"minutes": 100000}, {"mins": 5}])
def test_extend_refuses_what_is_not_whole_minutes_and_changes_nothing(platform, body):
    s = platform.wait_running(platform.start_session("typed")["id"])
    resp = platform.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", body)
    assert resp.status == 400, resp
    named = next(iter(body))
    assert f'"{named}"' in resp.json()["message"], resp
    assert platform.session(s["id"]).json()["expirationTime"] == s["expirationTime"]


def test_bootstrap_refuses_a_size_that_is_not_an_integer(platform):
    for body in ({"size": "3"}, {"size": 3.5}, {"size": None}, {"size": -1}, {"size": 1001}, {"sizes": 3}):
        resp = platform.lab("POST", "/api/v1/admin/bootstrap-pool", body)
        assert resp.status == 400, (body, resp)
        assert '"size' in resp.json()["message"], resp
    assert len(platform.clusters()) == POOL


def test_bodies_that_are_not_a_json_object_are_400(platform):
    for data in (b"[1, 2]", b"null", b"\"x\"", b"{\"userId\": ", b"{\"userId\": \"a\"} trailing",
                 b"[" * 200_000 + b"]" * 200_000):
        got = raw(platform, "POST", "/api/v1/sessions", data)
        assert got[0] == 400, (data[:40], got)
        error_of(got)
    deep = b"{\"minutes\": " + b"[" * 100_000 + b"]" * 100_000 + b"}"
    s = platform.wait_running(platform.start_session("deep")["id"])
    got = raw(platform, "PUT", f"/api/v1/sessions/{s['id']}/extend", deep, token=s["token"])
    assert got[0] == 400, got
    assert platform.running and platform.sessions()[0]["status"] == "running"


def test_an_empty_body_is_an_empty_object(platform):
    got = raw(platform, "POST", "/api/v1/sessions", b"", content_type=None)
    assert got[0] == 201, got
    assert json.loads(got[2])["pool"] == "default"


def test_a_body_that_is_not_json_by_its_content_type_is_415(platform):
    for path in ("/api/v1/sessions", "/api/v1/admin/bootstrap-pool", "/refresh", "/api/v1/capacity/scenario"):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/yaml"):
            got = raw(platform, "POST", path, b'{"userId": "a"}', content_type=content_type)
            assert got[0] == 415, (path, content_type, got)
            assert error_of(got)["error"] == "UnsupportedMediaType"
    # JSON with parameters, or a +json type, is JSON.
    got = raw(platform, "POST", "/api/v1/sessions", b'{"userId": "a"}', content_type="application/json; charset=utf-8")
    assert got[0] == 201, got
    assert len(platform.sessions()) == 1


def test_an_unknown_scenario_or_pool_is_refused_at_once(platform):
    resp = platform.lab("POST", "/api/v1/sessions", {"scenarioId": "no-such-scenario"})
    assert resp.status == 400 and '"scenarioId"' in resp.json()["message"], resp
    resp = platform.lab("POST", "/api/v1/sessions", {"pool": "no-such-pool"})
    assert resp.status == 400 and '"pool"' in resp.json()["message"], resp
    assert platform.sessions() == []


def test_capacity_refresh_takes_no_fields_and_a_json_object_only(platform):
    assert platform.lab("POST", "/refresh", {}).status == 200
    resp = platform.lab("POST", "/refresh", {"force": True})
    assert resp.status == 400 and '"force"' in resp.json()["message"], resp
    got = raw(platform, "POST", "/api/v1/capacity/feedback", b"[]")
    assert got[0] == 400 and error_of(got)["error"] == "BadRequest", got


# --------------------------------------------------------------------------------------
# B: every error has a body; 401, 403, 404, 405, 413
# --------------------------------------------------------------------------------------


def test_bodies_over_3_mib_are_413_with_a_json_body(platform):
    too_big = b"{\"userId\": \"" + b"a" * (LIMIT - 13) + b"\"}"
    assert len(too_big) == LIMIT + 1
    for path in ("/api/v1/sessions", "/api/v1/capacity/scenario", "/scenario", "/api/v1/admin/bootstrap-pool",
                 "/no/such/path"):
        got = raw(platform, "POST", path, too_big)
        assert got[0] == 413, (path, got[0], got[2][:200])
        assert error_of(got)["error"] == "RequestEntityTooLarge"
    # At the limit it is read, and refused for what it says (a userId that long).
    at_limit = b"{\"userId\": \"" + b"a" * (LIMIT - 14) + b"\"}"
    assert len(at_limit) == LIMIT
    got = raw(platform, "POST", "/api/v1/sessions", at_limit)
    assert got[0] == 400 and '"userId"' in error_of(got)["message"], got[:2]
    assert platform.running and platform.sessions() == []


def test_401_without_a_valid_token_403_with_a_token_without_the_right(platform):
    s = platform.wait_running(platform.start_session("limited")["id"])
    admin_calls = [("POST", "/api/v1/sessions", {}), ("GET", "/api/v1/pool", None),
                   ("POST", "/api/v1/admin/bootstrap-pool", {"size": POOL}),
                   ("POST", "/api/v1/admin/clusters/cluster1/reset", None),
                   ("POST", "/api/v1/admin/release-all-clusters", None),
                   ("POST", "/refresh", None), ("POST", "/api/v1/capacity/feedback", {"migrations": []}),
                   ("POST", "/scenario", {"nodes": []})]
    for method, path, body in admin_calls:
        for token in (None, "", "not-a-token", s["token"] + "0", s["token"][:-1]):
            resp = platform.lab(method, path, body, token=token)
            assert resp.status == 401, (method, path, token, resp)
            assert resp.json()["error"] == "Unauthorized", resp
        resp = platform.lab(method, path, body, token=s["token"])
        assert resp.status == 403, (method, path, resp)
        assert set(resp.json()) == {"error", "message"} and resp.json()["error"] == "Forbidden", resp
    # Nothing happened: the session still runs, on its cluster.
    assert platform.session(s["id"]).json()["status"] == "running"
    assert platform.clusters()[s["assignedCluster"]]["status"] == "locked"


def test_a_session_token_on_another_session_cannot_tell_it_exists(platform):
    a = platform.wait_running(platform.start_session("a")["id"])
    b = platform.wait_running(platform.start_session("b")["id"])
    for method, suffix, body in [("GET", "", None), ("DELETE", "", None), ("PUT", "/extend", {"minutes": 5}),
                                 ("GET", "/kubeconfig", None), ("GET", "/tasks", None),
                                 ("POST", "/tasks/t1/validate", None)]:
        other = platform.lab(method, f"/api/v1/sessions/{b['id']}{suffix}", body, token=a["token"])
        absent = platform.lab(method, f"/api/v1/sessions/session-none000000{suffix}", body, token=a["token"])
        assert other.status == absent.status == 404, (method, suffix, other, absent)
        assert other.json()["message"].replace(b["id"], "ID") == absent.json()["message"].replace("session-none000000", "ID"), \
            (other, absent)
    assert platform.session(b["id"]).json()["status"] == "running"
    assert platform.session(b["id"]).json()["expirationTime"] == b["expirationTime"]


def test_unknown_paths_are_404_and_wrong_methods_405_with_json_bodies(platform):
    for path in ("/nope", "/api/v1/nothing", "/api/v1/sessions/x/y/z/w"):
        resp = platform.lab("GET", path)
        assert resp.status == 404 and resp.json()["error"] == "NotFound", (path, resp)
    for method, path, allowed in [("PATCH", "/api/v1/pool", "GET"), ("DELETE", "/api/v1/sessions", "GET, POST"),
                                  ("PUT", "/api/v1/sessions/x", "GET, DELETE"), ("GET", "/refresh", "POST"),
                                  ("POST", "/healthz", "GET"), ("DELETE", "/api/v1/capacity/nodes/n1", "GET")]:
        resp = platform.lab(method, path, {} if method in ("POST", "PUT", "PATCH") else None)
        assert resp.status == 405, (method, path, resp)
        assert resp.json()["error"] == "MethodNotAllowed", resp
        assert resp.headers.get("Allow") == allowed, (method, path, resp.headers)


# --------------------------------------------------------------------------------------
# C: tokens found by an index, never logged
# --------------------------------------------------------------------------------------


def test_session_tokens_never_reach_the_log(platform):
    s = platform.wait_running(platform.start_session("quiet")["id"])
    platform.lab("GET", f"/api/v1/sessions/{s['id']}", token=s["token"])
    platform.lab("GET", "/api/v1/pool", token=s["token"])
    platform.lab("DELETE", f"/api/v1/sessions/{s['id']}", token=s["token"])
    log = platform.log_path.read_text(errors="replace")
    assert s["token"] not in log
    assert platform.token not in log


# --------------------------------------------------------------------------------------
# D: an ended session stays readable; extend answers with the new expiry
# --------------------------------------------------------------------------------------


def test_an_ended_session_reads_completed_until_its_retention_passes(platform):
    s = platform.wait_running(platform.start_session("finisher")["id"])
    cid = s["assignedCluster"]
    resp = platform.lab("DELETE", f"/api/v1/sessions/{s['id']}", token=s["token"])
    assert resp.status == 200, resp
    # Its token works no more, on its cluster at once and on the platform API.
    assert platform.http("GET", platform.cluster_url(cid), token=s["token"]).status == 401
    wait_until(lambda: platform.lab("GET", f"/api/v1/sessions/{s['id']}", token=s["token"]).status == 401,
               timeout=5, message="the ended session's token refused")
    ended = platform.session(s["id"])
    assert ended.status == 200, ended
    body = ended.json()
    assert body["status"] == "completed" and body["endTime"] and body["assignedCluster"] == cid, body
    assert parse_time(body["endTime"]) >= parse_time(s["startTime"]), body
    assert "kubeconfig" not in body and "token" not in body, body
    assert s["id"] in {x["id"] for x in platform.sessions()}
    # Its cluster is released at once, to a reset; ending it again changes nothing.
    platform.wait_cluster(cid, timeout=15)
    again = platform.lab("DELETE", f"/api/v1/sessions/{s['id']}")
    assert again.status == 200 and "already" in again.json()["message"], again
    assert platform.session(s["id"]).json()["endTime"] == body["endTime"]
    assert platform.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 5}).status == 400
    assert platform.lab("GET", f"/api/v1/sessions/{s['id']}/kubeconfig").status == 409

    # A pool's own retention: once it has passed the session is gone.
    patch_pool(platform, {"sessionRetention": "2s"})
    try:
        t = platform.wait_running(platform.start_session("brief")["id"])
        assert platform.lab("DELETE", f"/api/v1/sessions/{t['id']}").status == 200
        assert platform.session(t["id"]).json()["status"] == "completed"
        wait_until(lambda: platform.session(t["id"]).status == 404, timeout=15, message="the retained session deleted")
        # The first one, ended before, goes too (its retention is now 2 s as well).
        wait_until(lambda: platform.session(s["id"]).status == 404, timeout=15, message="the first one deleted")
    finally:
        patch_pool(platform, {"sessionRetention": "10m"})


def test_extend_answers_with_the_new_expiry_while_50_other_requests_run(platform):
    s = platform.wait_running(platform.start_session("busy")["id"])
    others = [platform.wait_running(platform.start_session(f"o{i}")["id"]) for i in range(POOL - 1)]
    before = parse_time(s["expirationTime"])
    stop = threading.Event()
    failures: list = []

    def load(i: int) -> None:
        # Reads and writes of the same session and its neighbours, and new sessions queueing.
        while not stop.is_set():
            target = others[i % len(others)]
            for method, path, body in [("GET", f"/api/v1/sessions/{s['id']}", None), ("GET", "/api/v1/sessions", None),
                                       ("PUT", f"/api/v1/sessions/{target['id']}/extend", {"minutes": 1}),
                                       ("GET", "/api/v1/pool", None)]:
                resp = platform.lab(method, path, body)
                if resp.status >= 500:
                    failures.append((method, path, resp))

    threads = [threading.Thread(target=load, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    try:
        for step in (7, 11, 13):
            resp = platform.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": step}, token=s["token"])
            assert resp.status == 200, resp
            got = parse_time(resp.json()["expirationTime"])
            assert got - before == timedelta(minutes=step), (step, resp.json()["expirationTime"], s["expirationTime"])
            before = got
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert failures == [], failures[:3]
    # What was answered is what was written.
    assert parse_time(platform.session(s["id"]).json()["expirationTime"]) == before


def test_concurrent_extends_lose_no_minute(platform):
    s = platform.wait_running(platform.start_session("raced")["id"])
    start = parse_time(s["expirationTime"])
    barrier = threading.Barrier(10)
    answers: list = [None] * 10

    def extend(i: int) -> None:
        barrier.wait()
        answers[i] = platform.lab("PUT", f"/api/v1/sessions/{s['id']}/extend", {"minutes": 1})

    threads = [threading.Thread(target=extend, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(a is not None and a.status == 200 for a in answers), [a for a in answers if not a or a.status != 200][:2]
    expiries = sorted(parse_time(a.json()["expirationTime"]) - start for a in answers)
    # Each call added its minute to what the one before wrote: 1, 2, … 10 minutes.
    assert expiries == [timedelta(minutes=m) for m in range(1, 11)], expiries
    wait_until(lambda: parse_time(platform.session(s["id"]).json()["expirationTime"]) - start == timedelta(minutes=10),
               timeout=5, message="10 minutes added in all")
