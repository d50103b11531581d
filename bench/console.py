#!/usr/bin/env python3
"""Web console benchmark (issue 16).

1. Render: with V VirtualMachines (default 10,000) on N simulated nodes (default 5,000) and S
   lab sessions (default 100), the server time of the overview (`/ui/`) and the capacity page
   (`/ui/capacity`) as HTML, against the same pages' data as JSON (`?format=json`: the same
   route, access check and model, without the templates). Medians of 20 requests each; the
   ratio is what rendering HTML costs over serving the data.
2. Live updates: B browsers (default 100) follow the overview over Server-Sent Events; W
   VMDiskImages are created one after another, and each browser's delay from the write to the
   change arriving is measured (p50, p99). The baseline is a Kubernetes watch on the same
   resource, measured in the same run: what any client sees at the earliest. The console
   gathers changes for 250 ms before rendering, by design; that is inside the figure.

Results are merged into bench/results.json under "console" (other keys are kept).

    python3 bench/console.py --binary .build/release/virtyard [--nodes 5000] [--vms 10000]
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labpool import Server  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[index]


class Kube:
    """The embedded API with the admin token."""

    def __init__(self, server):
        self.base = server.kube_api
        self.token = server.token
        self.context = server.context

    def call(self, method, path, body=None, timeout=120):
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.context) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def vm(name):
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "bench", "labels": {"bench": "console"}},
        "spec": {"runStrategy": "Always", "template": {"spec": {
            "domain": {"devices": {"disks": [{"name": "root", "disk": {"bus": "virtio"}}]},
                       "resources": {"requests": {"memory": "64Mi", "cpu": "10m"}}},
            "volumes": [{"name": "root", "containerDisk": {"image": "quay.io/containerdisks/fedora:40"}}]}}},
    }


def wait_kinds(kube, paths, timeout=300):
    """Until the API serves every list in `paths` (the CRDs are installed by the
    controllers once they lead, shortly after the server answers)."""
    deadline = time.time() + timeout
    for path in paths:
        while kube.call("GET", path)[0] != 200:
            if time.time() > deadline:
                raise SystemExit("%s is not served after %ss" % (path, timeout))
            time.sleep(0.5)


def create_vms(kube, count, workers=16):
    wait_kinds(kube, ["/apis/kubevirt.io/v1/virtualmachines?limit=1", "/apis/crd.pelotech.ot/v1alpha1/vmdiskimages?limit=1"])
    kube.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})

    def one(index):
        status, body = kube.call("POST", "/apis/kubevirt.io/v1/namespaces/bench/virtualmachines", vm("vm-%05d" % index))
        if status not in (200, 201, 409):
            raise SystemExit("creating vm-%05d: %s %s" % (index, status, body))

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))


def wait_vmis(kube, count, timeout=1800):
    deadline = time.time() + timeout
    while True:
        status, body = kube.call("GET", "/apis/kubevirt.io/v1/namespaces/bench/virtualmachineinstances")
        running = sum(1 for item in body.get("items", []) if item.get("status", {}).get("phase") == "Running") if status == 200 else 0
        if running >= count:
            return
        if time.time() > deadline:
            raise SystemExit("only %d of %d VMIs running after %ss" % (running, count, timeout))
        time.sleep(5)


class Browser:
    """The console as a browser holds it: a signed-in cookie and the CSRF token."""

    def __init__(self, server):
        self.base = server.platform
        host = urllib.parse.urlsplit(self.base)
        self.host, self.port = host.hostname, host.port
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        body = urllib.parse.urlencode({"token": server.token})
        connection.request("POST", "/ui/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie") or ""
        if response.status != 303 or "vy_ui=" not in cookie:
            raise SystemExit("sign-in failed: %s %s" % (response.status, cookie))
        self.cookie = cookie.split(";")[0]

    def get(self, path, connection):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": self.cookie})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit("GET %s: %s %s" % (path, response.status, body[:300]))
        return elapsed, len(body)

    def time_page(self, path, repeats=20):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        html = [self.get(path, connection) for _ in range(repeats)]
        json_path = path + ("&" if "?" in path else "?") + "format=json"
        data = [self.get(json_path, connection) for _ in range(repeats)]
        connection.close()
        return {
            "html_median_ms": round(statistics.median(t for t, _ in html) * 1000, 2),
            "json_median_ms": round(statistics.median(t for t, _ in data) * 1000, 2),
            "html_bytes": html[-1][1], "json_bytes": data[-1][1],
        }

    def follow(self, topic, arrivals, ready):
        """Reads the event stream, recording when each `event: <topic>` line arrives."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        connection.request("GET", "/ui/events?topic=" + topic, headers={"Cookie": self.cookie, "Accept": "text/event-stream"})
        response = connection.getresponse()
        if response.status != 200:
            raise SystemExit("events: %s" % response.status)
        ready.release()
        for raw in response:
            if raw.startswith(b"event: " + topic.encode()):
                arrivals.append(time.perf_counter())
            if len(arrivals) >= 10_000 or getattr(self, "done", False):
                break
        connection.close()


def watch_arrivals(kube, arrivals, stop):
    """A Kubernetes watch on VMDiskImages in namespace bench: the baseline."""
    split = urllib.parse.urlsplit(kube.base)
    connection = http.client.HTTPSConnection(split.hostname, split.port, context=kube.context, timeout=300)
    connection.request("GET", "/apis/crd.pelotech.ot/v1alpha1/namespaces/bench/vmdiskimages?watch=true",
                       headers={"Authorization": "Bearer " + kube.token})
    response = connection.getresponse()
    for line in response:
        if b'"ADDED"' in line:
            arrivals.append(time.perf_counter())
        if stop.is_set():
            break


def image(name):
    return {"apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
            "metadata": {"name": name, "namespace": "bench"},
            "spec": {"sourceType": "http", "url": "http://127.0.0.1:9/none.img", "diskSize": "64Mi"}}


def live(server, kube, browsers, writes):
    # Each browser signs in on its own, as people do (the console bounds streams per sign-in).
    signed_in = [Browser(server) for _ in range(browsers)]
    per_browser = [[] for _ in range(browsers)]
    ready = threading.Semaphore(0)
    threads = []
    for index in range(browsers):
        thread = threading.Thread(target=signed_in[index].follow, args=("overview", per_browser[index], ready), daemon=True)
        thread.start()
        threads.append(thread)
    for _ in range(browsers):
        ready.acquire()
    watched, stop = [], threading.Event()
    threading.Thread(target=watch_arrivals, args=(kube, watched, stop), daemon=True).start()
    time.sleep(2)
    for browser_list in per_browser:
        browser_list.clear()
    delays, watch_delays = [], []
    for index in range(writes):
        seen = [len(b) for b in per_browser]
        seen_watch = len(watched)
        started = time.perf_counter()
        status, body = kube.call("POST", "/apis/crd.pelotech.ot/v1alpha1/namespaces/bench/vmdiskimages", image("live-%03d" % index))
        if status != 201:
            raise SystemExit("image: %s %s" % (status, body))
        deadline = time.perf_counter() + 30
        while (any(len(b) <= s for b, s in zip(per_browser, seen)) or len(watched) <= seen_watch) and time.perf_counter() < deadline:
            time.sleep(0.005)
        delays += [b[s] - started for b, s in zip(per_browser, seen) if len(b) > s]
        if len(watched) > seen_watch:
            watch_delays.append(watched[seen_watch] - started)
        # Let the image's own status changes pass before the next write.
        time.sleep(1.0)
    stop.set()
    for browser in signed_in:
        browser.done = True
    missing = browsers * writes - len(delays)
    return {
        "browsers": browsers, "writes": writes, "missed": missing,
        "sse_p50_ms": round(percentile(delays, 50) * 1000, 1), "sse_p99_ms": round(percentile(delays, 99) * 1000, 1),
        "watch_p50_ms": round(percentile(watch_delays, 50) * 1000, 1), "watch_p99_ms": round(percentile(watch_delays, 99) * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--vms", type=int, default=10000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--browsers", type=int, default=100)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="virtyard-console-bench-") as workdir:
        server = Server(args.binary, os.path.join(workdir, "data"), args.sessions, extra=["--sim-nodes", str(args.nodes)])
        try:
            kube = Kube(server)
            print("creating %d VMs on %d nodes" % (args.vms, args.nodes), flush=True)
            started = time.perf_counter()
            create_vms(kube, args.vms)
            wait_vmis(kube, args.vms)
            print("  running after %.1f s" % (time.perf_counter() - started), flush=True)
            for cluster in list(server.clusters()):
                server.wait_cluster(cluster)
            for index in range(args.sessions):
                status, body = server.lab("POST", "/api/v1/sessions", {"userId": "bench-%03d" % index})
                if status not in (200, 201, 202):
                    raise SystemExit("session: %s %s" % (status, body))
            browser = Browser(server)
            pages = {name: browser.time_page(path) for name, path in (("overview", "/ui/"), ("capacity", "/ui/capacity"))}
            for figures in pages.values():
                figures["ratio"] = round(figures["html_median_ms"] / max(figures["json_median_ms"], 0.001), 2)
            updates = live(server, kube, args.browsers, args.writes)
        finally:
            server.stop()
    result = {"nodes": args.nodes, "vms": args.vms, "sessions": args.sessions, "pages": pages, "live": updates,
              "build": "release" if "/release/" in args.binary else "debug"}
    print("%-10s %12s %12s %8s" % ("page", "HTML ms", "JSON ms", "ratio"))
    for name, figures in pages.items():
        print("%-10s %12.2f %12.2f %8.2f" % (name, figures["html_median_ms"], figures["json_median_ms"], figures["ratio"]))
    print("SSE to %d browsers: p50 %.1f ms, p99 %.1f ms (watch baseline p50 %.1f ms, p99 %.1f ms); missed %d"
          % (updates["browsers"], updates["sse_p50_ms"], updates["sse_p99_ms"], updates["watch_p50_ms"], updates["watch_p99_ms"], updates["missed"]))
    try:
        results = json.load(open(args.output))
    except (OSError, ValueError):
        results = {}
    results["console"] = result
    with open(args.output, "w") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
