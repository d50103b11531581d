#!/usr/bin/env python3
"""Lab pool benchmark (issue 6).

One `virtyard serve --lab-pool-size 100` (default simulation durations: snapshots and restores
take 2 s, as the pool would see them without the test suite's speed-ups). Once the pool shows
100 clusters Available:

  - 100 concurrent `POST /api/v1/sessions` (one thread each, released together): per request
    the POST's own latency, the time until the session is running on a cluster (its
    assignment latency: the POST answers at once when the cluster is leased within its 2 s
    wait; otherwise the session is polled), the same seen by the server (from the request
    time it stamps on the session to the cluster's lock time and to the session's start, so
    without the Python client's own queueing), and the time from the POST to the first
    successful `GET /api/v1/namespaces` with that session's kubeconfig — with kubectl for the
    first 10 sessions (`kubectl get ns`), with the Python client for the other 90;
  - the reset of a cluster holding 1,000 user objects: 1,000 ConfigMaps created through the
    session's kubeconfig, the session ended (DELETE), the time until the cluster is
    Available again, and until a new session on it (all others are held) sees none of them;
    the reset of a cluster with no user objects, for comparison;
  - baseline, in the same run: a cluster made from scratch (`POST /api/v1/admin/bootstrap-pool
    {"size": 101}`, the time until cluster101 is Available) — what a user would wait for
    without a pool.

Results are merged into bench/results.json under "labpool" (other keys are kept).

    python3 bench/labpool.py --binary .build/release/virtyard [--output bench/results.json]
"""
import argparse
import datetime
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import yaml

from benchsupport import stop_process  # noqa: E402

KUBECTL = os.environ.get("KUBECTL") or shutil.which("kubectl") or "/usr/bin/kubectl"


class Server:
    """`virtyard serve` on loopback with its own data directory and a lab pool."""

    def __init__(self, binary, data_dir, pool_size, extra=()):
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        self.log = open(os.path.join(data_dir, "serve.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--data-dir", data_dir, "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--vcd-listen", "off",
             "--log-level", "warning", "--lab-pool-size", str(pool_size), *extra],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.perf_counter()
        endpoints = os.path.join(data_dir, "endpoints.json")
        deadline = time.time() + 60
        while True:
            try:
                parsed = json.load(open(endpoints))
                if parsed.get("kubeAPI") and parsed.get("platform"):
                    break
            except (OSError, ValueError):
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("server did not start; see " + self.log.name)
            time.sleep(0.05)
        self.kube_api = parsed["kubeAPI"].rstrip("/")
        self.platform = parsed["platform"].rstrip("/")
        self.token = open(os.path.join(data_dir, "admin-token")).read().strip()
        self.context = ssl.create_default_context(cafile=os.path.join(data_dir, "ca.crt"))

    def lab(self, method, path, body=None, token=None, timeout=120):
        """A platform API call; returns (status, parsed JSON or text)."""
        headers = {"Authorization": "Bearer " + (token or self.token), "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.platform + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def clusters(self):
        status, body = self.lab("GET", "/api/v1/pool")
        if status != 200:
            return {}
        return {c["clusterId"]: c for c in body["clusters"]}

    def wait_cluster(self, cluster_id, timeout=300):
        deadline = time.perf_counter() + timeout
        while True:
            cluster = self.clusters().get(cluster_id)
            if cluster and cluster["status"] == "available":
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise SystemExit("%s not available after %ss: %s; see %s" % (cluster_id, timeout, cluster, self.log.name))
            time.sleep(0.02)

    def wait_running(self, session_id, timeout=300, interval=0.02):
        deadline = time.perf_counter() + timeout
        while True:
            status, body = self.lab("GET", "/api/v1/sessions/" + session_id)
            if status == 200 and body.get("status") == "running" and body.get("kubeconfig"):
                return time.perf_counter(), body
            if status != 200 or body.get("status") in ("failed", "expired", "completed"):
                raise SystemExit("session %s: %s %s" % (session_id, status, body))
            if time.perf_counter() > deadline:
                raise SystemExit("session %s not running after %ss: %s" % (session_id, timeout, body))
            time.sleep(interval)

    def stop(self):
        stop_process(self.process, self.log)


def session_client(kubeconfig_text):
    from kubernetes import client, config
    api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig_text))
    return client.CoreV1Api(api)


def kubectl_get_ns(kubeconfig_path, cache_dir):
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["KUBECONFIG"] = kubeconfig_path
    return subprocess.run([KUBECTL, "--cache-dir", cache_dir, "get", "ns"], capture_output=True, text=True,
                          timeout=60, env=env).returncode == 0


def server_time(text):
    """Seconds since 1970 for the server's RFC 3339 timestamps (microseconds where it writes them)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(values):
    return {"n": len(values), "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1), "max_ms": round(max(values) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1)}


def burst(server, count, kubectl_count, workdir, ready=True):
    """`count` sessions asked for at once; per session the measurements. With `ready` false,
    only the server's lease and start times (no client reaches the cluster)."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def one(index):
        try:
            barrier.wait()
            started = time.perf_counter()
            status, body = server.lab("POST", "/api/v1/sessions", {"userId": "bench-%03d" % index})
            answered = time.perf_counter()
            if status != 201:
                raise RuntimeError("POST answered %s: %s" % (status, body))
            posted_status = body["status"]
            if posted_status == "running" and body.get("kubeconfig"):
                running = answered
            else:
                running, body = server.wait_running(body["id"], interval=0.1)
            path = os.path.join(workdir, body["id"] + ".kubeconfig")
            with open(path, "w") as f:
                f.write(body["kubeconfig"])
            if not ready:
                tool = None
            elif index < kubectl_count:
                cache = os.path.join(workdir, "cache-" + body["id"])
                while not kubectl_get_ns(path, cache):
                    time.sleep(0.02)
                tool = "kubectl"
            else:
                core = session_client(body["kubeconfig"])
                while True:
                    try:
                        core.list_namespace()
                        break
                    except Exception:  # noqa: BLE001 - not reachable yet
                        time.sleep(0.02)
                tool = "python"
            reached = time.perf_counter()
            requested = server_time(body["requestTime"])
            results[index] = {"server_lease_s": server_time(body["clusterLockTime"]) - requested,
                              "server_running_s": server_time(body["startTime"]) - requested,
                              "id": body["id"], "cluster": body["assignedCluster"], "token": body["token"],
                              "kubeconfig": body["kubeconfig"], "posted_status": posted_status,
                              "post_s": answered - started, "assign_s": running - started,
                              "ready_s": reached - started, "tool": tool}
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append("session %d: %r" % (index, error))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    if errors or any(r is None for r in results):
        raise SystemExit("burst failed: %s" % errors[:5])
    return results


def create_configmaps(kubeconfig_text, count, workers=8):
    core = [session_client(kubeconfig_text) for _ in range(workers)]
    from kubernetes import client
    errors = []

    def worker(w):
        try:
            for i in range(w, count, workers):
                core[w].create_namespaced_config_map("default", client.V1ConfigMap(
                    metadata=client.V1ObjectMeta(name="user-cm-%04d" % i), data={"index": str(i), "pad": "x" * 64}))
        except BaseException as error:  # noqa: BLE001
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit("creating configmaps failed: %s" % errors[:3])


def user_configmaps(kubeconfig_text):
    items = session_client(kubeconfig_text).list_namespaced_config_map("default").items
    return sum(1 for cm in items if cm.metadata.name.startswith("user-cm-"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    parser.add_argument("--pool-size", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=100, help="sessions asked for at once")
    parser.add_argument("--kubectl-sessions", type=int, default=10, help="of those, measured with kubectl")
    parser.add_argument("--objects", type=int, default=1000, help="user objects in the cluster that is reset")
    parser.add_argument("--bursts", type=int, default=3,
                        help="bursts measured; the lease p99 on record is their median (one burst's p99 is its 1-2 slowest sessions)")
    parser.add_argument("--sim-nodes", type=int, default=8,
                        help="simulated nodes (the default 3 × 128Gi hold only 58 clusters' VMs)")
    args = parser.parse_args()
    if args.sessions > args.pool_size:
        raise SystemExit("--sessions must not exceed --pool-size (the burst measures assignment, not queueing)")

    with tempfile.TemporaryDirectory(prefix="virtyard-labpool-") as workdir:
        server = Server(os.path.abspath(args.binary), os.path.join(workdir, "data"), args.pool_size,
                        ["--sim-nodes", str(args.sim_nodes)])
        try:
            print("== lab pool: %d clusters, default simulation durations" % args.pool_size, flush=True)
            deadline = time.perf_counter() + 600
            while True:
                clusters = server.clusters()
                if len(clusters) == args.pool_size and all(c["status"] == "available" for c in clusters.values()):
                    break
                if time.perf_counter() > deadline or server.process.poll() is not None:
                    raise SystemExit("pool not available: %s; see %s" % (
                        {s: sum(1 for c in clusters.values() if c["status"] == s) for s in
                         {c["status"] for c in clusters.values()}}, server.log.name))
                time.sleep(0.2)
            pool_ready_s = time.perf_counter() - server.started
            print("pool of %d available %.1f s after start" % (args.pool_size, pool_ready_s), flush=True)

            # Earlier bursts measure the server's lease and start only; their sessions end and
            # the pool is back before the next. The last burst is measured in full.
            burst_lease_p99 = []
            for number in range(1, args.bursts):
                print("== burst %d of %d: %d concurrent sessions (server times)" % (number, args.bursts, args.sessions),
                      flush=True)
                early = burst(server, args.sessions, 0, workdir, ready=False)
                burst_lease_p99.append(percentile([s["server_lease_s"] for s in early], 99))
                for session in early:
                    status, body = server.lab("DELETE", "/api/v1/sessions/" + session["id"])
                    assert status == 200, body
                for session in early:
                    server.wait_cluster(session["cluster"])
            print("== burst %d of %d: %d concurrent sessions" % (args.bursts, args.bursts, args.sessions), flush=True)
            sessions = burst(server, args.sessions, args.kubectl_sessions, workdir)
            burst_lease_p99.append(percentile([s["server_lease_s"] for s in sessions], 99))
            assigned = {s["cluster"] for s in sessions}
            if len(assigned) != len(sessions):
                raise SystemExit("two sessions share a cluster: %d sessions on %d clusters" % (len(sessions), len(assigned)))
            posted = {st: sum(1 for s in sessions if s["posted_status"] == st) for st in {s["posted_status"] for s in sessions}}

            print("== reset of a cluster holding %d user objects" % args.objects, flush=True)
            victim = sessions[-1]
            started = time.perf_counter()
            create_configmaps(victim["kubeconfig"], args.objects)
            create_s = time.perf_counter() - started
            seen = user_configmaps(victim["kubeconfig"])
            if seen != args.objects:
                raise SystemExit("created %d configmaps, the session sees %d" % (args.objects, seen))
            started = time.perf_counter()
            status, body = server.lab("DELETE", "/api/v1/sessions/" + victim["id"])
            assert status == 200, body
            available = server.wait_cluster(victim["cluster"])
            reset_s = available - started
            # Every other cluster is held (when the burst filled the pool): the next session gets this one.
            status, body = server.lab("POST", "/api/v1/sessions", {"userId": "bench-after-reset"})
            assert status == 201, body
            _, after = server.wait_running(body["id"]) if body["status"] != "running" else (None, body)
            left = user_configmaps(after["kubeconfig"])
            clean_s = time.perf_counter() - started
            if after["assignedCluster"] != victim["cluster"] and args.sessions == args.pool_size:
                raise SystemExit("the new session got %s, not the reset %s" % (after["assignedCluster"], victim["cluster"]))
            if after["assignedCluster"] == victim["cluster"] and left != 0:
                raise SystemExit("after the reset the new session still sees %d of the user's objects" % left)

            print("== reset of a cluster with no user objects", flush=True)
            empty = sessions[-2]
            started = time.perf_counter()
            status, body = server.lab("DELETE", "/api/v1/sessions/" + empty["id"])
            assert status == 200, body
            reset_empty_s = server.wait_cluster(empty["cluster"]) - started

            print("== baseline: one cluster made from scratch", flush=True)
            new_id = "cluster%d" % (args.pool_size + 1)
            started = time.perf_counter()
            status, body = server.lab("POST", "/api/v1/admin/bootstrap-pool", {"size": args.pool_size + 1})
            assert status == 200, body
            create_cluster_s = server.wait_cluster(new_id) - started
        except BaseException:
            server.stop()
            with open(server.log.name) as f:
                print("--- server log tail ---\n" + "".join(f.readlines()[-30:]), file=sys.stderr)
            raise
        finally:
            server.stop()

    post = [s["post_s"] for s in sessions]
    assign = [s["assign_s"] for s in sessions]
    server_lease = [s["server_lease_s"] for s in sessions]
    server_running = [s["server_running_s"] for s in sessions]
    ready_kubectl = [s["ready_s"] for s in sessions if s["tool"] == "kubectl"]
    ready_python = [s["ready_s"] for s in sessions if s["tool"] == "python"]
    results = {
        "config": {"pool_size": args.pool_size, "sessions": args.sessions, "kubectl_sessions": args.kubectl_sessions,
                   "objects": args.objects, "sim_nodes": args.sim_nodes, "sim_snapshot_duration": "2s", "sim_restore_duration": "2s"},
        "pool_ready_s": round(pool_ready_s, 2),
        "post_answers": posted,
        "post_latency": summary(post),
        "assignment_latency": summary(assign),
        "server_lease_latency": summary(server_lease),
        # The aim's figure: the median over the bursts of each burst's p99 (the last burst's
        # own p99 is in server_lease_latency).
        "server_lease_p99_ms_bursts": [round(v * 1000, 1) for v in burst_lease_p99],
        "server_lease_p99_ms_median_of_bursts": round(statistics.median(burst_lease_p99) * 1000, 1),
        "server_running_latency": summary(server_running),
        "ready_kubectl": summary(ready_kubectl) if ready_kubectl else None,
        "ready_python_client": summary(ready_python) if ready_python else None,
        "create_objects_s": round(create_s, 2),
        "reset_with_objects_s": round(reset_s, 2),
        "reset_to_clean_session_s": round(clean_s, 2),
        "reset_empty_s": round(reset_empty_s, 2),
        "baseline_create_cluster_s": round(create_cluster_s, 2),
    }
    baseline = create_cluster_s
    rows = [
        ("assignment p50", percentile(assign, 50)),
        ("assignment p99", percentile(assign, 99)),
        ("assignment max", max(assign)),
        ("server: lease p50", percentile(server_lease, 50)),
        ("server: lease p99", percentile(server_lease, 99)),
        ("server: lease p99, median of %d bursts" % len(burst_lease_p99), statistics.median(burst_lease_p99)),
        ("server: running p99", percentile(server_running, 99)),
        ("POST answer p99", percentile(post, 99)),
    ]
    if ready_kubectl:
        rows += [("first kubectl get ns p50", percentile(ready_kubectl, 50)),
                 ("first kubectl get ns max", max(ready_kubectl))]
    if ready_python:
        rows += [("first client list ns p50", percentile(ready_python, 50)),
                 ("first client list ns p99", percentile(ready_python, 99)),
                 ("first client list ns max", max(ready_python))]
    rows += [("reset, %d objects" % args.objects, reset_s),
             ("reset → clean new session", clean_s),
             ("reset, no user objects", reset_empty_s)]
    results["ratios_to_baseline"] = {label: round(value / baseline, 4) for label, value in rows}
    print()
    print("POST answers: %s; pool of %d ready %.1f s after start; %d configmaps created in %.1f s"
          % (posted, args.pool_size, pool_ready_s, args.objects, create_s))
    print("%-40s %12s %26s %10s" % ("lab pool", "value s", "baseline s (new cluster)", "ratio"))
    for label, value in rows:
        print("%-40s %12.3f %26.3f %10.3f" % (label, value, baseline, value / baseline))

    output = {}
    if os.path.exists(args.output):
        with open(args.output) as f:
            output = json.load(f)
    output.setdefault("machine", {"cores": os.cpu_count()})
    output["labpool"] = results
    with open(args.output, "w") as f:
        json.dump(output, f, indent=2)
        f.write("\n")
    print("\nwrote", args.output)


if __name__ == "__main__":
    main()
