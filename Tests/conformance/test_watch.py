"""Watch with the Python client: resume from a resourceVersion, order, 410 Gone."""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse

import pytest
import urllib3
from kubernetes import client as k8s
from kubernetes import watch

from conftest import MERGE_PATCH, VirtyardServer, rv_int

# The watch window. The server keeps a bounded in-memory history of watch events, shared by
# all resources (Sources/KubeServer/Store/ObjectStore.swift: `historyLimit`, 10_000 events by
# default). A watch from a resourceVersion older than the oldest event still held must end
# with 410 Gone. The 410 test writes WATCH_WINDOW + 200 events to push its starting point out
# of that window; if the server is started with a different limit, set
# VIRTYARD_CONFORMANCE_WATCH_WINDOW to it.
WATCH_WINDOW = int(os.environ.get("VIRTYARD_CONFORMANCE_WATCH_WINDOW", "10000"))

LABEL = "suite=watch"


def _cm(name: str, **data: str) -> k8s.V1ConfigMap:
    return k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name, labels={"suite": "watch"}),
                           data=dict(data))


def collect(func, *args, seconds: int = 3, stop_after: int | None = None, **kwargs) -> list:
    """Runs a Python-client watch with timeoutSeconds=seconds; returns non-BOOKMARK events.

    Reads until the server ends the stream (so extra events are seen), or until
    `stop_after` events arrived.
    """
    events: list = []
    w = watch.Watch()
    try:
        for ev in w.stream(func, *args, timeout_seconds=seconds,
                           _request_timeout=(10, seconds + 10), **kwargs):
            if ev["type"] == "BOOKMARK":
                continue
            events.append(ev)
            if stop_after is not None and len(events) >= stop_after:
                w.stop()
                break
    except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError) as exc:
        raise AssertionError(f"watch stream not ended {seconds}s after timeoutSeconds; "
                             f"events so far: {summary(events)}; {exc!r}") from None
    return events


def summary(events: list) -> list[tuple]:
    return [(e["type"], e["raw_object"]["metadata"]["name"],
             e["raw_object"]["metadata"].get("resourceVersion")) for e in events]


def test_watch_resumes_from_resource_version(server, ns):
    core = server.core()
    core.create_namespaced_config_map(ns, _cm("before"))
    start_rv = core.list_namespaced_config_map(ns, label_selector=LABEL).metadata.resource_version

    b = core.create_namespaced_config_map(ns, _cm("b", v="1"))
    c = core.create_namespaced_config_map(ns, _cm("c", v="1"))
    d = core.create_namespaced_config_map(ns, _cm("d", v="1"))
    c2 = core.patch_namespaced_config_map("c", ns, {"data": {"v": "2"}},
                                          _content_type=MERGE_PATCH)
    core.delete_namespaced_config_map("b", ns)

    events = collect(core.list_namespaced_config_map, ns, label_selector=LABEL,
                     resource_version=start_rv)
    got = [(e["type"], e["object"].metadata.name) for e in events]
    assert got == [("ADDED", "b"), ("ADDED", "c"), ("ADDED", "d"), ("MODIFIED", "c"),
                   ("DELETED", "b")], summary(events)
    rvs = [rv_int(e["raw_object"]) for e in events]
    assert rvs[:4] == [rv_int(b), rv_int(c), rv_int(d), rv_int(c2)], summary(events)
    assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs), summary(events)
    assert events[3]["object"].data == {"v": "2"}
    assert events[4]["object"].data == {"v": "1"}

    # Resuming from the middle gives exactly the rest.
    rest = collect(core.list_namespaced_config_map, ns, label_selector=LABEL,
                   resource_version=c.metadata.resource_version)
    assert [(e["type"], e["object"].metadata.name) for e in rest] == \
        [("ADDED", "d"), ("MODIFIED", "c"), ("DELETED", "b")], summary(rest)


def test_watch_delivers_live_events_in_order(server, ns):
    core = server.core()
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    result: dict = {}

    def run() -> None:
        try:
            result["events"] = collect(core.list_namespaced_config_map, ns,
                                       resource_version=start_rv, seconds=20, stop_after=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    watcher = threading.Thread(target=run)
    watcher.start()
    time.sleep(0.5)
    expected = []
    for i in range(10):
        obj = core.create_namespaced_config_map(ns, _cm(f"live-{i}", v="0"))
        expected.append(("ADDED", f"live-{i}", obj.metadata.resource_version))
    for i in range(10):
        obj = core.patch_namespaced_config_map(f"live-{i}", ns, {"data": {"v": "1"}},
                                               _content_type=MERGE_PATCH)
        expected.append(("MODIFIED", f"live-{i}", obj.metadata.resource_version))
    for i in range(10):
        core.delete_namespaced_config_map(f"live-{i}", ns)
        expected.append(("DELETED", f"live-{i}", None))
    watcher.join(40)
    assert not watcher.is_alive(), "watch did not deliver 30 events in 20 s"
    assert "error" not in result, result.get("error")
    got = summary(result["events"])
    assert [(t, n) for t, n, _ in got] == [(t, n) for t, n, _ in expected]
    assert [rv for *_, rv in got[:20]] == [rv for *_, rv in expected[:20]]


def test_watch_under_concurrent_writers_loses_and_reorders_nothing(server, ns):
    """4 writers create 50 objects each while a watch runs: every ADDED arrives once, in
    resourceVersion order, and the versions are the ones the writes were acknowledged with."""
    core = server.core()
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    acknowledged: dict[str, str] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        try:
            for i in range(50):
                obj = core.create_namespaced_config_map(ns, _cm(f"c{w}-{i}"))
                with lock:
                    acknowledged[obj.metadata.name] = obj.metadata.resource_version
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    events = collect(core.list_namespaced_config_map, ns, resource_version=start_rv,
                     seconds=30, stop_after=200)
    for t in threads:
        t.join(60)
    assert not errors, errors
    got = summary(events)
    assert len(got) == 200, f"{len(got)} events for 200 creates"
    assert all(t == "ADDED" for t, _, _ in got)
    rvs = [int(rv) for _, _, rv in got]
    assert rvs == sorted(rvs) and len(set(rvs)) == 200, "events out of order or repeated"
    assert {n: rv for _, n, rv in got} == acknowledged


def test_watch_on_all_namespaces_with_field_selector(server, ns):
    core = server.core()
    start_rv = core.list_config_map_for_all_namespaces().metadata.resource_version
    core.create_namespaced_config_map(ns, _cm("target"))
    core.create_namespaced_config_map(ns, _cm("ignored"))
    events = collect(core.list_config_map_for_all_namespaces, resource_version=start_rv,
                     field_selector="metadata.name=target")
    assert [(e["type"], e["object"].metadata.namespace, e["object"].metadata.name)
            for e in events] == [("ADDED", ns, "target")], summary(events)


def test_raw_watch_stream_format(server, ns):
    core = server.core()
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, _cm("raw", v="1"))
    resp = server.http(
        "GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}"
               "&timeoutSeconds=2", timeout=15)
    assert resp.status == 200, resp
    lines = [json.loads(l) for l in resp.text.splitlines() if l.strip()]
    assert lines, "no events"
    first = lines[0]
    assert first["type"] == "ADDED"
    obj = first["object"]
    assert obj["kind"] == "ConfigMap" and obj["apiVersion"] == "v1", obj
    assert obj["metadata"]["name"] == "raw" and obj["data"] == {"v": "1"}


# -- 410 Gone -------------------------------------------------------------------------


def _write_many(srv: VirtyardServer, ns: str, total: int, workers: int = 8) -> None:
    """`total` merge patches spread over `workers` keep-alive connections."""
    url = urllib.parse.urlparse(srv.kube_api)
    headers = {"Authorization": f"Bearer {srv.token}", "Content-Type": MERGE_PATCH,
               "Accept": "application/json"}
    errors: list[str] = []
    core = srv.core()
    for w in range(workers):
        core.create_namespaced_config_map(ns, _cm(f"churn-{w}", i="0"))

    def connect() -> http.client.HTTPConnection:
        if url.scheme == "https":
            return http.client.HTTPSConnection(url.hostname, url.port, timeout=30,
                                               context=srv.ssl_context)
        return http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def work(w: int, count: int) -> None:
        conn = connect()
        path = f"/api/v1/namespaces/{ns}/configmaps/churn-{w}"
        for i in range(count):
            body = json.dumps({"data": {"i": str(i)}})
            for attempt in (1, 2):
                try:
                    conn.request("PATCH", path, body, headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    break
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    conn = connect()
                    if attempt == 2:
                        raise
            if resp.status != 200:
                errors.append(f"PATCH {path} -> {resp.status} {data[:300]!r}")
                return
        conn.close()

    per = -(-total // workers)
    threads = [threading.Thread(target=work, args=(w, per)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors, errors[:3]


def test_watch_from_too_old_resource_version_gets_410(fresh_server):
    srv = fresh_server
    core = srv.core()
    ns = "watch-window"
    core.create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=ns)))
    old_rv = core.list_namespaced_config_map(ns).metadata.resource_version

    _write_many(srv, ns, WATCH_WINDOW + 200)

    for rv in (old_rv, "1"):
        with pytest.raises(k8s.ApiException) as info:
            collect(core.list_namespaced_config_map, ns, resource_version=rv)
        assert info.value.status == 410, (rv, info.value)

    # On the wire: either HTTP 410 with a Status, or a 200 stream whose first event is an
    # ERROR carrying a 410 Status (what kube-apiserver sends).
    resp = srv.http("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion=1"
                           "&timeoutSeconds=2", timeout=15)
    if resp.status == 200:
        first = json.loads(resp.text.splitlines()[0])
        assert first["type"] == "ERROR", first
        status = first["object"]
    else:
        assert resp.status == 410, resp
        status = resp.json()
    assert status["kind"] == "Status" and status["code"] == 410, status
    assert status["reason"] in ("Expired", "Gone"), status

    # The client's way out: list again, watch from the list's resourceVersion.
    fresh_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, _cm("after-relist"))
    events = collect(core.list_namespaced_config_map, ns, resource_version=fresh_rv,
                     stop_after=1)
    assert summary(events)[0][:2] == ("ADDED", "after-relist")
