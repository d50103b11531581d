#!/usr/bin/env python3
"""Scale and memory benchmarks (issue 17), each against a real process on loopback.

1. Memory per stored object: `virtyard apiserver`, RSS before and after storing 10,000 and then
   100,000 pods, against the JSON size of what was stored (the server's own reply bodies).
   Aim: RSS growth ≤ 3 × the JSON bytes.
2. 100,000 pods on 5,000 simulated nodes: `virtyard serve --sim-nodes 5000`; 8 client threads
   create the pods; the time from the first create until none is left unscheduled, the
   create rate beside it (what the scheduler had to keep up with), and the peak RSS.
3. 1,000 watches on one resource while 1,000 objects change: `virtyard apiserver`; 1,000
   ConfigMaps, 1,000 watches opened from their list's resourceVersion (4 client processes of
   250 threads), then each ConfigMap updated once at a steady pace with its send time inside;
   delivery latency (send → event read) over every watch and event, events missed, RSS
   before and with the watches open.
4. 200 lab clusters: `virtyard serve --lab-pool-size 200` against the same server with no
   pool: RSS and open file descriptors, per cluster.

Results are merged into bench/results.json under "scale" (other keys are kept).

    python3 bench/scale.py --binary .build/release/virtyard [--only memory,pods,watches,labs]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchsupport import merge_section, proc_status_kib, settle_rss, stop_process  # noqa: E402

class Process:
    """A `virtyard` command on loopback with its own data directory."""

    def __init__(self, binary, data_dir, command, extra=()):
        os.makedirs(data_dir, exist_ok=True)
        self.data_dir = data_dir
        self.log = open(os.path.join(data_dir, "virtyard.log"), "w")
        arguments = [binary, command, "--data-dir", data_dir, "--kube-listen", "127.0.0.1:0", "--log-level", "warning"]
        if command == "serve":
            arguments += ["--listen", "127.0.0.1:0", "--vcd-listen", "off"]
        self.process = subprocess.Popen([*arguments, *extra], stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        endpoints = os.path.join(data_dir, "endpoints.json")
        deadline = time.time() + 120
        while True:
            try:
                parsed = json.load(open(endpoints))
                if parsed.get("kubeAPI") and (command != "serve" or parsed.get("platform")):
                    break
            except (OSError, ValueError):
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("virtyard %s did not start; see %s" % (command, self.log.name))
            time.sleep(0.05)
        match = re.match(r"https://([^:/]+):(\d+)", parsed["kubeAPI"])
        self.host, self.port = match.group(1), int(match.group(2))
        self.platform = (parsed.get("platform") or "").rstrip("/")
        self.token = open(os.path.join(data_dir, "admin-token")).read().strip()
        self.cafile = os.path.join(data_dir, "ca.crt")
        self.context = ssl.create_default_context(cafile=self.cafile)

    @property
    def pid(self):
        return self.process.pid

    def connection(self, timeout=120):
        return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=timeout)

    def request(self, conn, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    def stop(self):
        stop_process(self.process, self.log)


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def create_all(server, path, make, count, workers=8):
    """POSTs `count` objects from `workers` threads; returns the bytes the server stored."""
    stored = [0] * workers
    failures = []

    def work(worker):
        conn = server.connection()
        for index in range(worker, count, workers):
            status, body = server.request(conn, "POST", path, make(index))
            if status != 201:
                failures.append((status, body[:300]))
                return
            stored[worker] += len(body)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit("creates failed: %s" % failures[:3])
    return sum(stored)


def ensure_namespace(server, name):
    status, body = server.request(server.connection(), "POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status in (201, 409), body


def small_pod(index):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p-%06d" % index, "labels": {"app": "scale", "shard": str(index % 16)}},
            "spec": {"containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


# 1. Memory per stored object ------------------------------------------------------------

def memory(args, workdir):
    server = Process(args.binary, os.path.join(workdir, "memory"), "apiserver")
    try:
        ensure_namespace(server, "scale")
        baseline = settle_rss(server.pid)
        figures = {"rss_empty_mib": round(baseline / 1024, 1)}
        stored = 0
        done = 0
        for target in (10_000, 100_000):
            start = time.perf_counter()
            stored += create_all(server, "/api/v1/namespaces/scale/pods", lambda i: small_pod(done + i), target - done)
            elapsed = time.perf_counter() - start
            done = target
            rss = settle_rss(server.pid)
            grown = (rss - baseline) * 1024
            figures["at_%d" % target] = {
                "objects": target, "json_bytes": stored, "json_bytes_per_object": round(stored / target),
                "rss_mib": round(rss / 1024, 1), "rss_growth_bytes_per_object": round(grown / target),
                "ratio_rss_growth_vs_json": round(grown / stored, 2),
                "creates_per_second": round((target - (10_000 if target == 100_000 else 0)) / elapsed),
            }
            print("  %d pods stored: RSS %.1f MiB, %.2f × their JSON" % (target, rss / 1024, grown / stored), flush=True)
        return figures
    finally:
        server.stop()


# 2. 100,000 pods on 5,000 nodes ------------------------------------------------------------

def unscheduled_left(server, conn):
    status, body = server.request(conn, "GET", "/api/v1/namespaces/scale/pods?fieldSelector=spec.nodeName%3D&limit=1")
    assert status == 200, body[:300]
    return len(json.loads(body)["items"])


def ready_nodes(server, conn):
    status, body = server.request(conn, "GET", "/api/v1/nodes")
    assert status == 200, body[:300]
    return len(json.loads(body)["items"])


def pods_on_nodes(args, workdir):
    server = Process(args.binary, os.path.join(workdir, "pods"), "serve", ["--sim-nodes", str(args.nodes)])
    try:
        conn = server.connection()
        deadline = time.time() + 600
        while ready_nodes(server, conn) < args.nodes:
            if time.time() > deadline:
                raise SystemExit("the %d simulated nodes did not appear" % args.nodes)
            time.sleep(0.5)
        ensure_namespace(server, "scale")
        rss_before = settle_rss(server.pid)
        started = time.perf_counter()
        creating = threading.Thread(
            target=lambda: create_all(server, "/api/v1/namespaces/scale/pods", small_pod, args.pods))
        creating.start()
        creating.join()
        created = time.perf_counter()
        deadline = time.time() + 1200
        conn = server.connection()  # the first one idled past the server's timeout meanwhile
        while unscheduled_left(server, conn):
            if time.time() > deadline:
                raise SystemExit("pods still unscheduled after 20 minutes")
            time.sleep(0.2)
        scheduled = time.perf_counter()
        figures = {
            "nodes": args.nodes, "pods": args.pods,
            "seconds_to_schedule_all": round(scheduled - started, 2),
            "seconds_to_create_all": round(created - started, 2),
            "scheduled_after_last_create_s": round(scheduled - created, 2),
            "creates_per_second": round(args.pods / (created - started)),
            "pods_scheduled_per_second": round(args.pods / (scheduled - started)),
            "rss_before_pods_mib": round(rss_before / 1024, 1),
            "peak_rss_mib": round(proc_status_kib(server.pid, "VmHWM") / 1024, 1),
        }
        print("  %d pods on %d nodes: all scheduled %.1f s after the first create (creates took %.1f s); peak RSS %.0f MiB"
              % (args.pods, args.nodes, scheduled - started, created - started, figures["peak_rss_mib"]), flush=True)
        return figures
    finally:
        server.stop()


# 3. 1,000 watches ------------------------------------------------------------------------

SENT = re.compile(rb'"sent":"([0-9.]+)"')


def watch_worker(host, port, cafile, token, version, watches, expected, ready, results):
    """One client process: `watches` watch threads; each records the delay of every event."""
    context = ssl.create_default_context(cafile=cafile)
    delays = []
    missed = [0]
    lock = threading.Lock()
    opened = threading.Semaphore(0)

    def watch():
        conn = http.client.HTTPSConnection(host, port, context=context, timeout=120)
        conn.request("GET", "/api/v1/namespaces/watched/configmaps?watch=1&resourceVersion=%s" % version,
                     headers={"Authorization": "Bearer " + token})
        response = conn.getresponse()
        opened.release()
        mine = []
        seen = 0
        try:
            while seen < expected:
                line = response.readline()
                if not line:
                    break
                now = time.time()
                if b'"MODIFIED"' not in line[:40]:
                    continue
                match = SENT.search(line)
                if match:
                    mine.append(now - float(match.group(1)))
                    seen += 1
        except OSError:
            pass
        with lock:
            delays.extend(mine)
            missed[0] += expected - seen
        conn.close()

    threads = [threading.Thread(target=watch, daemon=True) for _ in range(watches)]
    for thread in threads:
        thread.start()
    for _ in threads:
        opened.acquire()
    ready.set()
    for thread in threads:
        thread.join(timeout=180)
    results.put((delays, missed[0]))


def watches(args, workdir):
    server = Process(args.binary, os.path.join(workdir, "watches"), "apiserver")
    try:
        ensure_namespace(server, "watched")
        payload = "x" * 200
        create_all(server, "/api/v1/namespaces/watched/configmaps",
                   lambda i: {"metadata": {"name": "w-%04d" % i}, "data": {"payload": payload, "sent": "0"}}, args.changes)
        conn = server.connection()
        status, body = server.request(conn, "GET", "/api/v1/namespaces/watched/configmaps?limit=1")
        version = json.loads(body)["metadata"]["resourceVersion"]
        rss_before = settle_rss(server.pid)
        fds_before = open_fds(server.pid)
        processes = 4
        per_process = args.watches // processes
        results = multiprocessing.Queue()
        readies = [multiprocessing.Event() for _ in range(processes)]
        workers = [multiprocessing.Process(target=watch_worker, args=(
            server.host, server.port, server.cafile, server.token, version, per_process, args.changes, ready, results))
            for ready in readies]
        for worker in workers:
            worker.start()
        for ready in readies:
            if not ready.wait(120):
                raise SystemExit("watches did not open")
        rss_open = settle_rss(server.pid)
        fds_open = open_fds(server.pid)
        # Each ConfigMap changes once, at a steady pace, carrying its send time.
        interval = 1.0 / args.change_rate
        next_at = time.perf_counter()
        for index in range(args.changes):
            next_at += interval
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            headers = {"Authorization": "Bearer " + server.token, "Content-Type": "application/merge-patch+json"}
            conn.request("PATCH", "/api/v1/namespaces/watched/configmaps/w-%04d" % index,
                         body=json.dumps({"data": {"sent": "%.6f" % time.time()}}), headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
        peak = proc_status_kib(server.pid, "VmHWM")
        delays = []
        missed = 0
        for _ in workers:
            got, lost = results.get(timeout=240)
            delays.extend(got)
            missed += lost
        for worker in workers:
            worker.join(timeout=30)
        delays.sort()

        def percentile(p):
            return delays[min(len(delays) - 1, int(len(delays) * p))] * 1000 if delays else None

        figures = {
            "watches": per_process * processes, "changes": args.changes, "change_rate_per_second": args.change_rate,
            "events_delivered": len(delays), "events_missed": missed,
            "delivery_p50_ms": round(percentile(0.50), 1), "delivery_p99_ms": round(percentile(0.99), 1),
            "delivery_max_ms": round(delays[-1] * 1000, 1) if delays else None,
            "rss_before_watches_mib": round(rss_before / 1024, 1), "rss_watches_open_mib": round(rss_open / 1024, 1),
            "rss_per_watch_kib": round((rss_open - rss_before) / (per_process * processes), 1),
            "peak_rss_mib": round(peak / 1024, 1),
            "fds_before": fds_before, "fds_watches_open": fds_open,
        }
        print("  %d watches × %d changes: delivery p50 %.1f ms, p99 %.1f ms, %d missed; RSS %.0f → %.0f MiB"
              % (figures["watches"], args.changes, figures["delivery_p50_ms"], figures["delivery_p99_ms"], missed,
                 rss_before / 1024, rss_open / 1024), flush=True)
        return figures
    finally:
        server.stop()


# 4. 200 lab clusters ----------------------------------------------------------------------

def pool_available(server, size):
    request = urllib.request.Request(server.platform + "/api/v1/pool",
                                     headers={"Authorization": "Bearer " + server.token, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, context=None, timeout=60) as response:
            clusters = json.loads(response.read())["clusters"]
    except OSError:
        return False
    return len(clusters) == size and all(c["status"] == "available" for c in clusters)


def lab_clusters(args, workdir):
    # Room for every cluster's two VMs (7 GiB of a 128 GiB node each), the same in both runs.
    nodes = str(-(-args.clusters * 7 // 128))
    empty = Process(args.binary, os.path.join(workdir, "labs-empty"), "serve", ["--sim-nodes", nodes])
    try:
        baseline_rss = settle_rss(empty.pid)
        baseline_fds = open_fds(empty.pid)
    finally:
        empty.stop()
    server = Process(args.binary, os.path.join(workdir, "labs"), "serve",
                     ["--sim-nodes", nodes, "--lab-pool-size", str(args.clusters)])
    try:
        started = time.perf_counter()
        deadline = time.time() + 900
        while not pool_available(server, args.clusters):
            if time.time() > deadline or server.process.poll() is not None:
                raise SystemExit("the pool of %d did not become available; see %s" % (args.clusters, server.log.name))
            time.sleep(1)
        ready_after = time.perf_counter() - started
        rss = settle_rss(server.pid)
        fds = open_fds(server.pid)
        figures = {
            "clusters": args.clusters, "pool_available_s": round(ready_after, 1),
            "rss_no_pool_mib": round(baseline_rss / 1024, 1), "rss_pool_mib": round(rss / 1024, 1),
            "rss_per_cluster_mib": round((rss - baseline_rss) / 1024 / args.clusters, 2),
            "fds_no_pool": baseline_fds, "fds_pool": fds,
            "fds_per_cluster": round((fds - baseline_fds) / args.clusters, 2),
            "peak_rss_mib": round(proc_status_kib(server.pid, "VmHWM") / 1024, 1),
        }
        print("  %d lab clusters: RSS %.0f MiB (%.2f MiB each), %d fds (%.2f each), available after %.0f s"
              % (args.clusters, rss / 1024, figures["rss_per_cluster_mib"], fds, figures["fds_per_cluster"], ready_after),
              flush=True)
        return figures
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--only", default="memory,pods,watches,labs")
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--watches", type=int, default=1_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--change-rate", type=float, default=100.0, help="changes per second")
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    args = parser.parse_args()
    wanted = args.only.split(",")
    section = {}
    with tempfile.TemporaryDirectory(prefix="virtyard-scale-") as workdir:
        if "memory" in wanted:
            print("== memory per stored object (10,000 and 100,000 pods)", flush=True)
            section["memory_per_object"] = memory(args, workdir)
        if "pods" in wanted:
            print("== %d pods on %d simulated nodes" % (args.pods, args.nodes), flush=True)
            section["pods_on_nodes"] = pods_on_nodes(args, workdir)
        if "watches" in wanted:
            print("== %d watches while %d objects change" % (args.watches, args.changes), flush=True)
            section["watches"] = watches(args, workdir)
        if "labs" in wanted:
            print("== %d lab clusters" % args.clusters, flush=True)
            section["lab_clusters"] = lab_clusters(args, workdir)

    merge_section(args.output, "scale", section)


if __name__ == "__main__":
    main()
