"""Disk image sync (issue 5): VMDiskImage (crd.pelotech.ot/v1alpha1, `vmdi`) under the
cluster-wide policy (ConfigMap virtyard-system/sync-operator-policy), imported by the
embedded CDI (DataVolume over http or s3, resumed with Range requests) and kept as a
VolumeSnapshot.

Sources are local: `flaky_http.FlakyHTTPServer` (bandwidth cap, connections broken
mid-body on a schedule, byte and request counts per path) and, for s3, `moto_server` with
authentication enforced (so the importer's SigV4 signature is checked).

Each test runs a server of its own (`virtyard serve --sim-nodes 0`): the policy is global,
and the queue is one FIFO across namespaces. Phases are followed two ways: `kubectl get
vmdi -A -o json` every ~100 ms (what a user sees), and a watch, whose events in
resourceVersion order give the exact sequence of states (so the Syncing count and the start
order are checked at every write, not only at sampled moments).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import watch as k8s_watch

from conftest import VALIDATE_OBJECTS, VirtyardServer, _stop_checked, wait_until, write_manifest
from flaky_http import FlakyHTTPServer

MI = 1 << 20
KI = 1 << 10
VMDI = ("crd.pelotech.ot", "v1alpha1", "vmdiskimages")
DV = ("cdi.kubevirt.io", "v1beta1", "datavolumes")
VS = ("snapshot.storage.k8s.io", "v1", "volumesnapshots")
VSC = ("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents")
POLICY_NS = "virtyard-system"
POLICY_NAME = "sync-operator-policy"
FINALIZER = "pelotech.ot/vm-disk-image-finalizer"
SETTLE = 60.0




# -- the server ------------------------------------------------------------------------------


class ImageSyncServer(VirtyardServer):
    """`virtyard serve --sim-nodes 0` plus extra flags."""

    def __init__(self, data_dir, extra: Iterable[str] = ()):
        super().__init__(data_dir)
        self.extra = list(extra)

    @property
    def command(self) -> list[str]:
        # A fixed identity: after a kill -9 the restarted process takes its own lease back at
        # once instead of waiting for it to expire.
        return super().command + ["--sim-nodes", "0", "--identity", "image-sync-tests"] + self.extra

    def volume(self, ns: str, name: str) -> Path:
        return self.data_dir / "storage" / "volumes" / ns / f"{name}.img"

    def partial(self, ns: str, name: str) -> Path:
        return self.data_dir / "storage" / "volumes" / ns / f"{name}.img.partial"

    def snapshot_file(self, ns: str, name: str) -> Path:
        return self.data_dir / "storage" / "snapshots" / ns / f"{name}.img"


@pytest.fixture
def isync(tmp_path, request) -> Iterable[ImageSyncServer]:
    """A server of the test's own; extra flags by indirect parametrization."""
    srv = ImageSyncServer(tmp_path / "data", getattr(request, "param", ()))
    srv.start()
    try:
        yield srv
    finally:
        _stop_checked(srv)


# -- manifests and readers --------------------------------------------------------------------


def image_manifest(name: str, ns: str = "default", source: str = "http", url: str | None = None,
                   disk_size: str = "64Mi", checksum: str | None = None, secret: str | None = None,
                   snapshot_class: str | None = None) -> dict:
    spec: dict[str, Any] = {"sourceType": source, "diskSize": disk_size}
    if url is not None:
        spec["url"] = url
    if checksum is not None:
        spec["checksum"] = checksum
    if secret is not None:
        spec["secretRef"] = secret
    if snapshot_class is not None:
        spec["snapshotClass"] = snapshot_class
    return {"apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def snapshot_class_manifest(name: str) -> dict:
    """A VolumeSnapshotClass for the embedded driver: a snapshot naming a class that does not
    exist is never readied (as the external-snapshotter does)."""
    return {"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
            "metadata": {"name": name}, "driver": "hostpath.csi.virtyard.io", "deletionPolicy": "Delete"}


def policy_manifest(**values: Any) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": POLICY_NAME, "namespace": POLICY_NS},
            "data": {k: str(v) for k, v in values.items()}}


def apply(srv: VirtyardServer, tmp_path: Path, *docs: dict) -> None:
    path = write_manifest(tmp_path / "manifests", f"m-{time.monotonic_ns()}.yaml", *docs)
    srv.kubectl("apply", "-f", str(path))


def list_images(srv: VirtyardServer) -> list[dict]:
    return json.loads(srv.kubectl("get", "vmdi", "-A", "-o", "json").stdout)["items"]


def get_obj(srv: VirtyardServer, gvp: tuple, ns: str | None, name: str) -> dict | None:
    try:
        if ns is None:
            return srv.custom().get_cluster_custom_object(*gvp, name)
        group, version, plural = gvp
        return srv.custom().get_namespaced_custom_object(group, version, ns, plural, name)
    except k8s.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def key_of(obj: dict) -> tuple[str, str]:
    return obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def fifo_key(obj: dict) -> tuple[str, str, str]:
    """The queue's order: creationTimestamp (RFC 3339 in UTC sorts as text), namespace, name."""
    meta = obj["metadata"]
    return meta["creationTimestamp"], meta.get("namespace", ""), meta["name"]


def ready_condition(obj: dict) -> dict:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), {})


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def phase(obj: dict | None) -> str | None:
    return ((obj or {}).get("status") or {}).get("phase")


def wait_phases(srv: VirtyardServer, wanted: dict[tuple[str, str], str], timeout: float = SETTLE) -> dict:
    """Waits until every (ns, name) has its phase; returns the images by key."""
    def check():
        items = {key_of(i): i for i in list_images(srv)}
        if all(phase(items.get(k)) == p for k, p in wanted.items()):
            return items
        return None
    try:
        return wait_until(check, timeout=timeout, interval=0.25, message=f"phases {wanted}")
    except AssertionError:
        items = {key_of(i): i for i in list_images(srv)}
        summary = {f"{k[0]}/{k[1]}": (phase(items.get(k)), ((items.get(k) or {}).get("status") or {}).get("message"))
                   for k in wanted}
        raise AssertionError(f"timed out after {timeout}s waiting for phases; now: {json.dumps(summary, indent=1)}")


# -- observers ----------------------------------------------------------------------------------


@dataclass
class Transition:
    key: tuple[str, str]
    old: str | None
    new: str | None
    rv: int
    at: float                        # time.monotonic() when received
    syncing: int                     # images Syncing after this event
    queued_before: list              # FIFO keys of Queued images before this event


@dataclass
class ImageWatch:
    """Follows every VMDiskImage event (resourceVersion order) and keeps the state it implies."""
    srv: VirtyardServer
    state: dict = field(default_factory=dict)
    transitions: list = field(default_factory=list)
    max_syncing: int = 0
    error: BaseException | None = None

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._watch = k8s_watch.Watch()
        custom = self.srv.custom()
        listed = custom.list_cluster_custom_object(*VMDI)
        for item in listed["items"]:
            self.state[key_of(item)] = item
        self.max_syncing = self.syncing()
        self._rv = listed["metadata"]["resourceVersion"]
        self._custom = custom
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def syncing(self) -> int:
        return sum(1 for o in self.state.values() if phase(o) == "Syncing")

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for event in self._watch.stream(self._custom.list_cluster_custom_object, *VMDI,
                                                resource_version=self._rv, timeout_seconds=60):
                    obj = event["object"]
                    if event["type"] == "ERROR":
                        raise AssertionError(f"watch error: {obj}")
                    if event["type"] == "BOOKMARK":
                        self._rv = obj["metadata"]["resourceVersion"]
                        continue
                    self._apply(event["type"], obj)
                    if self._stop.is_set():
                        return
        except BaseException as exc:  # noqa: BLE001 - reported by check()
            if not self._stop.is_set():
                self.error = exc

    def _apply(self, kind: str, obj: dict) -> None:
        key = key_of(obj)
        rv = int(obj["metadata"]["resourceVersion"])
        with self._lock:
            self._rv = obj["metadata"]["resourceVersion"]
            old = phase(self.state.get(key))
            queued_before = [key_of(o) for o in sorted(
                (o for o in self.state.values() if phase(o) == "Queued" and not o["metadata"].get("deletionTimestamp")),
                key=fifo_key)]
            if kind == "DELETED":
                self.state.pop(key, None)
            else:
                self.state[key] = obj
            new = None if kind == "DELETED" else phase(obj)
            count = self.syncing()
            self.max_syncing = max(self.max_syncing, count)
            if old != new:
                self.transitions.append(Transition(key, old, new, rv, time.monotonic(), count, queued_before))

    def starts(self) -> list[Transition]:
        with self._lock:
            return [t for t in self.transitions if t.new == "Syncing"]

    def check(self) -> None:
        assert self.error is None, f"the watch of vmdiskimages failed: {self.error!r}"

    def stop(self) -> None:
        self._stop.set()
        self._watch.stop()


@dataclass
class Poll:
    at: float
    images: dict                     # key -> status


class Poller:
    """`kubectl get vmdi -A -o json` every ~100 ms (errors, e.g. while the server restarts,
    are skipped)."""

    def __init__(self, srv: VirtyardServer, interval: float = 0.1):
        self.srv = srv
        self.interval = interval
        self.polls: list[Poll] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                proc = self.srv.kubectl("get", "vmdi", "-A", "-o", "json", check=False, timeout=20)
                if proc.returncode == 0:
                    items = json.loads(proc.stdout)["items"]
                    self.polls.append(Poll(started, {key_of(i): {**(i.get("status") or {}),
                                                                  "_fifo": fifo_key(i)} for i in items}))
            except Exception:  # noqa: BLE001 - a missed sample
                pass
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def max_syncing(self, since: float = 0.0) -> int:
        return max((sum(1 for s in p.images.values() if s.get("phase") == "Syncing")
                    for p in self.polls if p.at >= since), default=0)


def check_fifo_starts(starts: list[Transition], expected: list[tuple[str, str]]) -> None:
    """The first start of each image follows the FIFO. Two images admitted in the same round
    (a slot for each) have their Syncing writes race, so an adjacent pair may land swapped, and
    only if the two starts came together: no slot freed between them (the second start leaves
    one more image Syncing than the first did) — however long a loaded machine took."""
    first: list[Transition] = []
    seen = set()
    for t in starts:
        if t.key not in seen:
            seen.add(t.key)
            first.append(t)
    order = [t.key for t in first]
    assert sorted(order) == sorted(expected), f"started {order}, expected {expected}"
    i = 0
    while i < len(order):
        if order[i] == expected[i]:
            i += 1
            continue
        swapped = (i + 1 < len(order) and order[i] == expected[i + 1] and order[i + 1] == expected[i]
                   and first[i + 1].syncing == first[i].syncing + 1)
        assert swapped, (f"start #{i + 1} was {order[i]}, expected {expected[i]} (FIFO by creationTimestamp, "
                         f"namespace, name); starts: {order}; expected: {expected}")
        i += 2


def dump_and_validate(srv: VirtyardServer, tmp_path: Path, kinds: str = "dv,volumesnapshot,volumesnapshotcontent") -> dict:
    text = srv.kubectl("get", kinds, "-A", "-o", "yaml").stdout
    listed = yaml.safe_load(text)
    dump = tmp_path / "storage-objects.yaml"
    dump.write_text(text)
    proc = subprocess.run([sys.executable, str(VALIDATE_OBJECTS), str(dump)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (f"validate-objects exited {proc.returncode} on {dump}\nstdout:\n"
                                  f"{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-3000:]}")
    return listed


def blob(size: int, seed: int) -> bytes:
    """Deterministic, incompressible-looking bytes."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest() * 64
        counter += 1
    return bytes(out[:size])


# ---------------------------------------------------------------------------------------------
# (a) the kubectl-driven flow
# ---------------------------------------------------------------------------------------------


def test_kubectl_flow_fifo_concurrency_failures_and_resume(isync, tmp_path):
    srv = isync
    cap, retry_limit, backoff, max_backoff = 2, 2, 1.0, 4.0
    flaky = FlakyHTTPServer(bandwidth=2 * MI).start()
    try:
        other = "imgsync-b"
        # A dozen images: the 3rd with a wrong checksum, the 6th at a path that 404s; two in a
        # second namespace (one queue across namespaces); some transfers broken mid-body.
        names = [f"img-{i:02d}" for i in range(12)]
        namespaces = {n: (other if n in ("img-04", "img-09") else "default") for n in names}
        bad_checksum, missing = "img-02", "img-05"
        drops = {"img-01": [0.3], "img-04": [0.5, 0.25], "img-07": [0.8], "img-10": [0.1]}
        data: dict[str, bytes] = {}
        paths: dict[str, str] = {}
        docs: list[dict] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": other}}]
        for i, name in enumerate(names):
            paths[name] = f"/disks/{name}.img"
            ns = namespaces[name]
            if name == missing:
                docs.append(image_manifest(name, ns, url=flaky.url(paths[name])))
                continue
            size = (1 * MI) if name == bad_checksum else (2 * MI + i * 97 * KI)
            data[name] = blob(size, i)
            flaky.add_blob(paths[name], data[name])
            flaky.set_schedule(paths[name], drops.get(name, []) + [None] * 10)
            checksum = "sha256:" + hashlib.sha256(data[name]).hexdigest()
            if name == bad_checksum:
                checksum = "sha256:" + hashlib.sha256(b"something else").hexdigest()
            docs.append(image_manifest(name, ns, url=flaky.url(paths[name]), checksum=checksum,
                                       snapshot_class="csi-hostpath-snapclass" if i % 2 else None))

        apply(srv, tmp_path, snapshot_class_manifest("csi-hostpath-snapclass"))
        apply(srv, tmp_path, policy_manifest(concurrency=cap, retryBackoffDuration="1s", maxRetryBackoff="4s",
                                             retryLimit=retry_limit))
        wait_until(lambda: "concurrency=2" in srv.log_tail(lines=400), timeout=10,
                   message="the policy in force (log line)")
        watcher = ImageWatch(srv)
        poller = Poller(srv)
        try:
            apply(srv, tmp_path, *docs)
            good = {(namespaces[n], n): "Ready" for n in names if n not in (bad_checksum, missing)}
            wanted = {**good, ("default", bad_checksum): "Failed", ("default", missing): "Failed"}
            final = wait_phases(srv, wanted, timeout=150)
            time.sleep(0.5)
        finally:
            poller.stop()
            watcher.stop()
        watcher.check()

        # -- concurrency and FIFO ---------------------------------------------------------------
        assert watcher.max_syncing <= cap, f"{watcher.max_syncing} Syncing at once (cap {cap})"
        assert poller.max_syncing() <= cap, f"kubectl saw {poller.max_syncing()} Syncing at once (cap {cap})"
        assert watcher.max_syncing == cap, "never used both slots"
        assert len(poller.polls) >= 30, f"only {len(poller.polls)} polls"
        expected = [key_of(o) for o in sorted(final.values(), key=fifo_key)]
        check_fifo_starts(watcher.starts(), expected)
        # A retry rejoins the queue at its creation-time place: the bad image's later starts
        # happen only when nothing older than it waits.
        bad_key = ("default", bad_checksum)
        bad_starts = [t for t in watcher.starts() if t.key == bad_key]
        assert len(bad_starts) == retry_limit + 1, [(t.old, t.new) for t in watcher.transitions if t.key == bad_key]
        for t in watcher.starts():
            # Every start (retries too) takes the head of the queue: at most cap − 1 older queued
            # images may be ahead of it (admitted in the same round, their writes not yet seen).
            assert t.old == "Queued" and t.key in t.queued_before, t
            assert t.queued_before.index(t.key) < cap, (f"{t.key} started with {t.queued_before.index(t.key)} "
                                                        f"older images still queued: {t.queued_before}")

        # -- queuePosition -------------------------------------------------------------------------
        positions = [(p.at, k, s.get("queuePosition")) for p in poller.polls for k, s in p.images.items()
                     if s.get("phase") == "Queued"]
        assert positions, "no Queued image was ever seen"
        assert all(isinstance(pos, int) and 1 <= pos <= len(names) for _, _, pos in positions
                   if pos is not None), positions
        consistent = 0
        for p in poller.polls:
            queued = sorted((s["_fifo"], k, s.get("queuePosition")) for k, s in p.images.items()
                            if s.get("phase") == "Queued")
            if len(queued) >= 4 and [q[2] for q in queued] == list(range(1, len(queued) + 1)):
                consistent += 1
        assert consistent >= 3, ("never saw the queued images numbered 1..n in FIFO order "
                                 f"({consistent} polls did); sample: {positions[:40]}")
        # Every image that waited for long enough got its position.
        waited: dict = {}
        for p in poller.polls:
            for k, s in p.images.items():
                if s.get("phase") == "Queued":
                    waited.setdefault(k, []).append((p.at, s.get("queuePosition")))
        for k, seen in waited.items():
            if seen[-1][0] - seen[0][0] >= 1.5:
                assert any(pos for _, pos in seen), f"{k} waited {seen[-1][0] - seen[0][0]:.1f}s without a queuePosition"

        # -- good images: data, DataVolume, snapshot -----------------------------------------------
        for (ns, name) in good:
            img = final[(ns, name)]
            st = img["status"]
            size = len(data[name])
            assert ready_condition(img).get("status") == "True" and ready_condition(img).get("reason") == "Synced", st
            assert st.get("bytesTransferred") == size, st
            assert st.get("startTime") and st.get("completionTime"), st
            assert not st.get("failureCount"), st
            assert FINALIZER in img["metadata"].get("finalizers", [])
            volume = srv.volume(ns, name)
            assert volume.exists(), f"no {volume}"
            assert sha256_file(volume) == hashlib.sha256(data[name]).hexdigest(), f"{volume} differs from the source"
            assert not srv.partial(ns, name).exists()
            snap_file = srv.snapshot_file(ns, name)
            assert snap_file.exists() and snap_file.stat().st_ino == volume.stat().st_ino, snap_file

            dv = get_obj(srv, DV, ns, name)
            assert dv is not None, f"no DataVolume {ns}/{name}"
            assert dv["metadata"]["labels"].get("owner") == name
            owner = dv["metadata"]["ownerReferences"][0]
            assert (owner["kind"], owner["name"], owner["uid"], owner.get("controller")) == \
                ("VMDiskImage", name, img["metadata"]["uid"], True)
            assert dv["spec"]["source"]["http"]["url"] == flaky.url(paths[name])
            assert dv["spec"]["storage"]["resources"]["requests"]["storage"] == "64Mi"
            assert dv["status"]["phase"] == "Succeeded" and dv["status"].get("restartCount", 0) == 0, dv["status"]
            ann = dv["metadata"].get("annotations") or {}
            assert int(ann["virtyard.io/import-bytes-written"]) == size, ann
            pvc = srv.core().read_namespaced_persistent_volume_claim(name, ns)
            assert pvc.status.phase == "Bound"

            vs = get_obj(srv, VS, ns, name)
            assert vs is not None and vs["status"]["readyToUse"] is True, vs
            assert vs["spec"]["source"]["persistentVolumeClaimName"] == name
            assert vs["metadata"]["labels"].get("owner") == name
            assert vs["spec"].get("volumeSnapshotClassName") == img["spec"].get("snapshotClass"), vs["spec"]

            # Wire bytes: a broken transfer resumed where it stopped.
            records = flaky.log(paths[name])
            assert len(records) == len(drops.get(name, [])) + 1, [(r.range_header, r.bytes_sent) for r in records]
            assert flaky.bytes_sent(paths[name]) <= 1.05 * size, (name, flaky.bytes_sent(paths[name]), size)
            if name in drops:
                assert all(r.dropped for r in records[:-1]) and records[-1].complete
                for before, after in zip(records, records[1:]):
                    assert after.range_header and after.range_start > 0, f"{name} restarted from zero: {after}"
                    assert after.status == 206
                assert int(ann["virtyard.io/import-resumes"]) == len(drops[name]), ann

        # -- the missing source: failed at once, asked once -----------------------------------------
        miss = final[("default", missing)]
        assert miss["status"]["failureCount"] == 1, miss["status"]
        assert ready_condition(miss).get("reason") == "MissingSourceArtifact", miss["status"]
        assert flaky.requests(paths[missing]) == 1, flaky.log(paths[missing])
        assert [t.new for t in watcher.transitions if t.key == ("default", missing)].count("Syncing") == 1

        # -- the wrong checksum: retryLimit + 1 attempts, each after its backoff ---------------------
        bad = final[bad_key]
        assert bad["status"]["failureCount"] == retry_limit + 1, bad["status"]
        assert ready_condition(bad).get("reason") == "RetryLimitExceeded", bad["status"]
        assert "checksum" in bad["status"].get("message", ""), bad["status"]
        assert bad["status"].get("lastFailureTime"), bad["status"]
        attempts = sorted(flaky.log(paths[bad_checksum]), key=lambda r: r.start)
        assert len(attempts) == retry_limit + 1, attempts
        assert all(r.complete for r in attempts), attempts
        phases_seen = [t.new for t in watcher.transitions if t.key == bad_key]
        assert phases_seen.count("RetryableFailure") == retry_limit, phases_seen
        assert not srv.volume("default", bad_checksum).exists() and not srv.partial("default", bad_checksum).exists()
        for ns_name in (("default", bad_checksum), ("default", missing)):
            assert get_obj(srv, DV, *ns_name) is None, f"the DataVolume of failed {ns_name} is left"

        # -- what the product wrote matches the real schemas ----------------------------------------
        listed = dump_and_validate(srv, tmp_path)
        kinds = [i["kind"] for i in listed["items"]]
        assert kinds.count("DataVolume") == len(good)
        assert kinds.count("VolumeSnapshot") == len(good)
        assert kinds.count("VolumeSnapshotContent") == len(good)

        # -- last, the timing-sensitive checks --------------------------------------------------------
        # Each retry waited its backoff after the failure. (The measured gap runs from the end of
        # the failed body on the wire to the next request, so it is never shorter than the real one.)
        gaps = [(n, round(after.start - before.end, 3), min(backoff * 3 ** (n - 1), max_backoff))
                for n, (before, after) in enumerate(zip(attempts, attempts[1:]), start=1)]
        for n, gap, wait in gaps:
            assert gap >= wait, (f"retry {n} of {bad_checksum} began {gap:.2f}s after the failed transfer ended; "
                                 f"the backoff is {wait}s (retries: {gaps}; lastFailureTime "
                                 f"{bad['status'].get('lastFailureTime')})")
        # queuePosition belongs to Queued images: positions are refreshed within a second, so an
        # image that just left the queue may show one for at most about that long, never after.
        stretches: dict = {}           # key -> list of [first, last] polls showing a stale position
        open_since: dict = {}
        t0 = poller.polls[0].at
        for p in poller.polls:
            for k, s in p.images.items():
                if s.get("phase") != "Queued" and s.get("queuePosition") is not None:
                    entry = (round(p.at - t0, 2), s["phase"], s["queuePosition"])
                    if k in open_since:
                        stretches[k][-1][1] = entry
                    else:
                        open_since[k] = True
                        stretches.setdefault(k, []).append([entry, entry])
                else:
                    open_since.pop(k, None)
        lingering = {k: runs for k, runs in stretches.items() if any(b[0] - a[0] > 1.5 for a, b in runs)}
        assert not lingering, ("images out of the queue kept showing a queuePosition "
                               f"(seconds into the run, phase, position): {lingering}")
        for k, img in final.items():
            assert img["status"].get("queuePosition") is None, (k, img["status"])
    finally:
        flaky.stop()


# ---------------------------------------------------------------------------------------------
# (b) the policy: an invalid value keeps the previous one; lowering the cap mid-flight
# ---------------------------------------------------------------------------------------------


def policy_events(srv: VirtyardServer) -> list:
    return [e for e in srv.core().list_namespaced_event(POLICY_NS).items
            if e.involved_object.name == POLICY_NAME and e.involved_object.kind == "ConfigMap"]


@pytest.mark.parametrize("isync", [["--sim-import-bandwidth", "1536Ki"]], indirect=True, ids=["bandwidth-1536Ki"])
def test_policy_invalid_value_and_live_concurrency_change(isync, tmp_path):
    srv = isync
    rate = 1536 * KI
    flaky = FlakyHTTPServer().start()
    try:
        apply(srv, tmp_path, policy_manifest(concurrency=3, retryBackoffDuration="1s"))
        wait_until(lambda: "concurrency=3" in srv.log_tail(lines=400), timeout=10, message="concurrency 3 in force")
        apply(srv, tmp_path, policy_manifest(concurrency="lots", retryBackoffDuration="1s"))
        event = wait_until(lambda: next((e for e in policy_events(srv) if e.reason == "InvalidPolicy"), None),
                           timeout=15, message="a Warning event InvalidPolicy on the ConfigMap")
        assert event.type == "Warning"
        assert "concurrency" in event.message and "lots" in event.message, event.message
        log = srv.log_tail(lines=400)
        assert "invalid sync policy" in log and "lots" in log, log[-3000:]

        size = 2 * MI
        data = {f"pol-{i}": blob(size, 100 + i) for i in range(6)}
        for name, body in data.items():
            flaky.add_blob(f"/p/{name}.img", body)
        watcher = ImageWatch(srv)
        try:
            started = time.monotonic()
            apply(srv, tmp_path, *[image_manifest(n, url=flaky.url(f"/p/{n}.img")) for n in data])
            # The previous policy (3) is what admits, not the default (5) nor anything else.
            wait_until(lambda: watcher.syncing() == 3, timeout=20, message="3 images Syncing")
            first_three = {k for k, o in watcher.state.items() if phase(o) == "Syncing"}
            time.sleep(0.5)
            assert watcher.max_syncing == 3
            # Lower the cap while the three are mid-transfer (each gets a third of the bandwidth,
            # 4 s for 2 Mi) and the other three wait.
            apply(srv, tmp_path, policy_manifest(concurrency=1, retryBackoffDuration="1s"))
            changed_rv = int(srv.core().read_namespaced_config_map(POLICY_NAME, POLICY_NS).metadata.resource_version)
            assert watcher.syncing() == 3, "a transfer ended before the cap was lowered: make them longer"
            wait_phases(srv, {("default", n): "Ready" for n in data}, timeout=90)
            elapsed = time.monotonic() - started
            time.sleep(0.3)
        finally:
            watcher.stop()
        watcher.check()
        assert watcher.max_syncing == 3
        # The running syncs finished (none was cut short or restarted) ...
        for ns, name in first_three:
            assert flaky.requests(f"/p/{name}.img") == 1, flaky.log(f"/p/{name}.img")
            assert not (watcher.state[(ns, name)]["status"].get("failureCount")), watcher.state[(ns, name)]["status"]
        # ... and nothing new started until fewer than the new cap were Syncing.
        late = [t for t in watcher.starts() if t.rv > changed_rv]
        assert len(late) == 3, [(t.key, t.rv) for t in watcher.starts()]
        for t in late:
            assert t.syncing <= 1, (f"{t.key} started while {t.syncing - 1} others were Syncing "
                                    f"after concurrency was lowered to 1")
        # --sim-import-bandwidth held every import together to its rate (lower bound on the time).
        total = size * len(data)
        assert elapsed >= 0.8 * total / rate, f"{total} bytes in {elapsed:.1f}s with a cap of {rate} B/s"
        for name, body in data.items():
            assert sha256_file(srv.volume("default", name)) == hashlib.sha256(body).hexdigest()
    finally:
        flaky.stop()


# ---------------------------------------------------------------------------------------------
# (c) S3 through moto, with SigV4 checked
# ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto(tmp_path) -> Iterable[dict]:
    """moto_server on a free port, enforcing authentication after the first 3 actions (the IAM
    user, its key and its policy are created unauthenticated). Yields endpoint, credentials and
    the path of its request log."""
    import boto3  # requirements.txt
    log_path = tmp_path / "moto.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(INITIAL_NO_AUTH_ACTION_COUNT="3", AWS_ACCESS_KEY_ID="bootstrap", AWS_SECRET_ACCESS_KEY="bootstrap")
    command = [os.environ.get("MOTO_SERVER") or "moto_server"]
    proc = None
    for _ in range(3):
        port = _free_port()
        log = open(log_path, "w")
        proc = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(port)], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        endpoint = f"http://127.0.0.1:{port}"

        def up():
            if proc.poll() is not None:
                return "exited"
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=2)
            except urllib.error.HTTPError:
                pass
            return "up"
        state = wait_until(up, timeout=30, interval=0.1, message="moto_server up")
        if state == "up":
            break
    else:
        pytest.fail(f"moto_server did not start: {log_path.read_text()[-2000:]}")
    try:
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam.create_user(UserName="importer")
        key = iam.create_access_key(UserName="importer")["AccessKey"]
        iam.put_user_policy(UserName="importer", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        yield {"endpoint": endpoint, "s3": s3, "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"],
               "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_s3_source_through_moto(isync, moto, tmp_path):
    srv = isync
    s3 = moto["s3"]
    body = blob(3 * MI + 123, 7)
    s3.create_bucket(Bucket="images")
    s3.put_object(Bucket="images", Key="disks/base.img", Body=body)
    # Authentication is enforced: a wrong secret is refused.
    with pytest.raises(Exception, match="SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied"):
        import boto3
        boto3.client("s3", endpoint_url=moto["endpoint"], region_name="us-east-1",
                     aws_access_key_id=moto["access_key"], aws_secret_access_key="wrong").get_object(
            Bucket="images", Key="disks/base.img")

    ns = "default"
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s3-creds", "namespace": ns},
              "type": "Opaque",
              "data": {"accessKeyId": base64.b64encode(moto["access_key"].encode()).decode(),
                       "secretKey": base64.b64encode(moto["secret_key"].encode()).decode()}}
    good_url = f"{moto['endpoint']}/images/disks/base.img"
    missing_url = f"{moto['endpoint']}/images/disks/missing.img"
    apply(srv, tmp_path, policy_manifest(concurrency=2, retryBackoffDuration="1s", retryLimit=3))
    apply(srv, tmp_path, secret,
          image_manifest("s3-good", ns, source="s3", url=good_url, secret="s3-creds",
                         checksum="sha256:" + hashlib.sha256(body).hexdigest()),
          image_manifest("s3-missing", ns, source="s3", url=missing_url, secret="s3-creds"))
    final = wait_phases(srv, {(ns, "s3-good"): "Ready", (ns, "s3-missing"): "Failed"}, timeout=60)

    good = final[(ns, "s3-good")]
    assert sha256_file(srv.volume(ns, "s3-good")) == hashlib.sha256(body).hexdigest()
    assert good["status"].get("bytesTransferred") == len(body), good["status"]
    dv = get_obj(srv, DV, ns, "s3-good")
    assert dv["spec"]["source"]["s3"] == {"url": good_url, "secretRef": "s3-creds"}, dv["spec"]
    assert get_obj(srv, VS, ns, "s3-good")["status"]["readyToUse"] is True

    missing = final[(ns, "s3-missing")]
    cond = ready_condition(missing)
    assert cond.get("reason") == "MissingSourceArtifact", missing["status"]
    assert "NoSuchKey" in missing["status"].get("message", "") + cond.get("message", ""), missing["status"]
    assert missing["status"]["failureCount"] == 1
    # No retry: with a 1 s backoff one would have happened by now.
    time.sleep(3)
    again = get_obj(srv, VMDI, ns, "s3-missing")
    assert phase(again) == "Failed" and again["status"]["failureCount"] == 1, again["status"]
    moto_log = moto["log"].read_text()
    gets = [line for line in moto_log.splitlines() if "GET /images/disks/missing.img" in line]
    assert len(gets) == 1, gets
    assert any("GET /images/disks/base.img" in line and '" 200' in line for line in moto_log.splitlines()), \
        "the signed GET of the object was not accepted"


# ---------------------------------------------------------------------------------------------
# (d) deletion waits while a VirtualMachine uses the image
# ---------------------------------------------------------------------------------------------


def vm_using(name: str, ns: str, image: str, claim: bool = False) -> dict:
    volume = ({"name": "disk", "persistentVolumeClaim": {"claimName": image}} if claim
              else {"name": "disk", "dataVolume": {"name": image}})
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name, "namespace": ns},
            "spec": {"runStrategy": "Halted", "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"domain": {"cpu": {"cores": 1}, "memory": {"guest": "1Gi"},
                                    "devices": {"disks": [{"name": "disk", "disk": {"bus": "virtio"}}]}},
                         "volumes": [volume]}}}}


def test_snapshot_of_a_missing_class_waits_for_the_class(isync, tmp_path):
    """external-snapshotter's checkAndUpdateSnapshotClass: a VolumeSnapshot naming a class that
    does not exist gets status.error and a GetSnapshotClassFailed warning, stays
    readyToUse=false, and proceeds once the class is created."""
    srv = isync
    ns, name, klass = "default", "late-class", "created-later"
    flaky = FlakyHTTPServer().start()
    try:
        flaky.add_blob("/late.img", blob(1 * MI, 7))
        apply(srv, tmp_path, image_manifest(name, ns, url=flaky.url("/late.img"), snapshot_class=klass))
        expected = (f'Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io '
                    f'"{klass}" not found')

        def errored():
            vs = get_obj(srv, VS, ns, name) or {}
            return vs if vs.get("status", {}).get("error", {}).get("message") == expected else None

        vs = wait_until(errored, timeout=45, message="the snapshot's GetSnapshotClassFailed error")
        assert vs["status"].get("readyToUse") is False, vs["status"]
        assert "boundVolumeSnapshotContentName" not in vs["status"], vs["status"]
        assert vs["spec"]["volumeSnapshotClassName"] == klass

        def warned():
            events = json.loads(srv.kubectl("get", "events", "-n", ns, "-o", "json").stdout)["items"]
            return [e for e in events if e.get("reason") == "GetSnapshotClassFailed"
                    and e["involvedObject"].get("kind") == "VolumeSnapshot"
                    and e["involvedObject"].get("name") == name] or None

        [event] = wait_until(warned, timeout=20, message="a GetSnapshotClassFailed event")[:1]
        assert event["type"] == "Warning" and event["message"] == expected, event
        img = get_obj(srv, VMDI, ns, name)
        assert img["status"].get("phase") != "Ready", img["status"]
        assert klass in img["status"].get("message", ""), img["status"]

        apply(srv, tmp_path, snapshot_class_manifest(klass))
        wait_phases(srv, {(ns, name): "Ready"}, timeout=45)
        vs = get_obj(srv, VS, ns, name)
        assert vs["status"]["readyToUse"] is True and "error" not in vs["status"], vs["status"]
        content = get_obj(srv, VSC, None, vs["status"]["boundVolumeSnapshotContentName"])
        assert content["spec"]["volumeSnapshotClassName"] == klass, content["spec"]
        assert content["spec"]["driver"] == "hostpath.csi.virtyard.io", content["spec"]
    finally:
        flaky.stop()


def test_deletion_waits_for_virtual_machines(isync, tmp_path):
    srv = isync
    ns, name = "default", "golden"
    body = blob(1 * MI + 5, 3)
    flaky = FlakyHTTPServer().start()
    try:
        flaky.add_blob("/golden.img", body)
        apply(srv, tmp_path, snapshot_class_manifest("csi-snapclass"))
        apply(srv, tmp_path, image_manifest(name, ns, url=flaky.url("/golden.img"), snapshot_class="csi-snapclass"))
        wait_phases(srv, {(ns, name): "Ready"}, timeout=45)
        vs = get_obj(srv, VS, ns, name)
        content_name = vs["status"]["boundVolumeSnapshotContentName"]
        assert get_obj(srv, VSC, None, content_name) is not None
        apply(srv, tmp_path, vm_using("vm-a", ns, name), vm_using("vm-b", ns, name, claim=True))

        srv.kubectl("delete", "vmdi", name, "-n", ns, "--wait=false")
        users = ["VirtualMachine default/vm-a", "VirtualMachine default/vm-b"]
        img = wait_until(lambda: (lambda o: o if (o or {}).get("status", {}).get("usedBy") == users else None)(
            get_obj(srv, VMDI, ns, name)), timeout=20, message=f"usedBy {users}")
        assert img["metadata"].get("deletionTimestamp")
        assert ready_condition(img).get("reason") == "InUse", img["status"]
        shown = srv.kubectl("get", "vmdi", name, "-n", ns, "-o", "jsonpath={.status.usedBy}").stdout
        assert "vm-a" in shown and "vm-b" in shown
        # It waits: everything is still there a while later.
        time.sleep(2)
        assert get_obj(srv, VMDI, ns, name) is not None
        assert get_obj(srv, DV, ns, name) is not None and get_obj(srv, VS, ns, name) is not None
        assert srv.volume(ns, name).exists() and srv.snapshot_file(ns, name).exists()

        # One VM gone: still waiting, for the other.
        srv.kubectl("delete", "vm", "vm-a", "-n", ns, "--timeout=30s")
        wait_until(lambda: (get_obj(srv, VMDI, ns, name) or {}).get("status", {}).get("usedBy")
                   == ["VirtualMachine default/vm-b"], timeout=20, message="usedBy only vm-b")
        assert get_obj(srv, DV, ns, name) is not None

        srv.kubectl("delete", "vm", "vm-b", "-n", ns, "--timeout=30s")
        wait_until(lambda: get_obj(srv, VMDI, ns, name) is None, timeout=30, message="the image gone")
        wait_until(lambda: get_obj(srv, DV, ns, name) is None and get_obj(srv, VS, ns, name) is None
                   and get_obj(srv, VSC, None, content_name) is None,
                   timeout=30, message="DataVolume, VolumeSnapshot and its content gone")
        wait_until(lambda: not srv.volume(ns, name).exists() and not srv.snapshot_file(ns, name).exists()
                   and not srv.partial(ns, name).exists(), timeout=30, message="the image's files gone")

        def claim_gone():
            try:
                srv.core().read_namespaced_persistent_volume_claim(name, ns)
                return False
            except k8s.ApiException as exc:
                return exc.status == 404
        wait_until(claim_gone, timeout=30, message="the PersistentVolumeClaim gone")
    finally:
        flaky.stop()


# ---------------------------------------------------------------------------------------------
# (e) kill -9 mid-sync, restart on the same data directory
# ---------------------------------------------------------------------------------------------


def test_restart_mid_sync_resumes_and_keeps_the_cap(isync, tmp_path):
    srv = isync
    cap = 2
    size = 8 * MI
    flaky = FlakyHTTPServer(bandwidth=4 * MI).start()
    try:
        names = [f"rs-{i}" for i in range(4)]
        data = {n: blob(size, 200 + i) for i, n in enumerate(names)}
        for n, body in data.items():
            flaky.add_blob(f"/r/{n}.img", body)
        apply(srv, tmp_path, policy_manifest(concurrency=cap, retryBackoffDuration="1s"))
        poller = Poller(srv)
        try:
            apply(srv, tmp_path, *[image_manifest(n, url=flaky.url(f"/r/{n}.img"),
                                                  checksum="sha256:" + hashlib.sha256(data[n]).hexdigest())
                                   for n in names])

            def half_done():
                sizes = {n: srv.partial("default", n).stat().st_size for n in names if srv.partial("default", n).exists()}
                return next((n for n, s in sizes.items() if s >= size // 2), None)
            victim = wait_until(half_done, timeout=60, interval=0.05, message="an import half done")
            srv.kill9()
            killed_at = time.monotonic()
            partial_size = srv.partial("default", victim).stat().st_size
            assert partial_size < size, "the import finished before the kill: make it slower"
            time.sleep(0.3)  # the broken connections are noticed by the flaky server
            sent_before = flaky.bytes_sent(f"/r/{victim}.img")
            requests_before = flaky.requests(f"/r/{victim}.img")

            srv.restart()
            watcher = ImageWatch(srv)
            try:
                wait_phases(srv, {("default", n): "Ready" for n in names}, timeout=90)
                time.sleep(0.3)
            finally:
                watcher.stop()
            watcher.check()
        finally:
            poller.stop()

        assert watcher.max_syncing <= cap, f"{watcher.max_syncing} Syncing after the restart (cap {cap})"
        assert poller.max_syncing() <= cap and poller.max_syncing(since=killed_at) <= cap
        for n, body in data.items():
            assert sha256_file(srv.volume("default", n)) == hashlib.sha256(body).hexdigest(), n
        # The half-done import continued from the bytes on disk, not from zero.
        after = flaky.log(f"/r/{victim}.img")[requests_before:]
        assert after, "no request for the victim after the restart"
        assert after[0].range_start == partial_size and after[0].status == 206, \
            (after[0], partial_size)
        total = flaky.bytes_sent(f"/r/{victim}.img")
        lost = max(0, sent_before - partial_size)
        assert total <= 1.05 * size + lost, (total, size, lost)
        assert total < 1.5 * size, f"{total} bytes sent for a {size}-byte image: it restarted from zero"
        dv = get_obj(srv, DV, "default", victim)
        assert dv["status"].get("restartCount", 0) == 0, dv["status"]
    finally:
        flaky.stop()
