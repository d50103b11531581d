#!/usr/bin/env python3
"""Disk image sync benchmark (issue 5).

Imports N images (default 40 × 32 MiB) over http from a local flaky server
(Tests/conformance/flaky_http.py) that breaks a share of the transfers mid-body (default
25%, drawn per path and request number from a fixed seed) under a total bandwidth cap
(default 200 MiB/s), with the sync policy's concurrency at 8. It runs twice in the same
invocation, each time against a fresh `virtyard serve --sim-nodes 0`:

  - resume:            Virtyard's importer (a broken transfer continues with a Range request),
  - restart-from-zero: `--sim-import-restart-from-zero`, the CDI-like baseline,

with the same blobs and the same break schedule, and reports side by side:

  - wire bytes ÷ bytes needed (what the flaky server sent ÷ the images' total size),
  - makespan ÷ ideal (first create → all Ready, ÷ total bytes ÷ bandwidth cap),
  - peak Syncing observed (polled every 100 ms) and peak connections / parallel body
    transfers at the server (the concurrency cap seen from the network side).

Results are merged into bench/results.json under "imagesync" (other keys are kept).

    python3 bench/imagesync.py --binary .build/release/virtyard [--output bench/results.json]
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "conformance"))
from flaky_http import FlakyHTTPServer  # noqa: E402
from benchsupport import stop_process  # noqa: E402

MI = 1 << 20
VMDI_PATH = "/apis/crd.pelotech.ot/v1alpha1"
NAMESPACE = "default"


class Server:
    """`virtyard serve` on loopback with its own data directory (as bench/apiserver.py)."""

    def __init__(self, binary, data_dir, extra=()):
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        self.log = open(os.path.join(data_dir, "serve.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--data-dir", data_dir, "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--vcd-listen", "off",
             "--sim-nodes", "0", "--log-level", "warning", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        endpoints = os.path.join(data_dir, "endpoints.json")
        deadline = time.time() + 60
        while not os.path.exists(endpoints):
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("server did not start; see " + self.log.name)
            time.sleep(0.1)
        time.sleep(0.1)
        url = json.load(open(endpoints))["kubeAPI"]
        match = re.match(r"https://([^:]+):(\d+)", url)
        self.host, self.port = match.group(1), int(match.group(2))
        self.token = open(os.path.join(data_dir, "admin-token")).read().strip()
        self.context = ssl.create_default_context(cafile=os.path.join(data_dir, "ca.crt"))
        self.conn = self.connection()
        while True:
            try:
                status, _ = self.request("GET", VMDI_PATH + "/vmdiskimages")
                if status == 200:
                    break
            except (OSError, http.client.HTTPException):
                self.conn = self.connection()
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("the VMDiskImage API did not come up; see " + self.log.name)
            time.sleep(0.2)

    def connection(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": content_type,
                   "Accept": "application/json"}
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def stop(self):
        stop_process(self.process, self.log)


def make_blobs(count, size, seed):
    """`count` distinct blobs of `size` bytes as zero-copy windows into one random buffer of
    2 × size (blob i starts i × size / count bytes in)."""
    rng = random.Random(seed)
    buffer = memoryview(rng.randbytes(2 * size))
    return [buffer[i * size // count: i * size // count + size] for i in range(count)]


def run(binary, mode, blobs, args, workdir):
    """One pass; returns its measurements."""
    size = len(blobs[0])
    needed = size * len(blobs)
    bandwidth = args.bandwidth_mib * MI
    flaky = FlakyHTTPServer(drop_fraction=args.drop_fraction, seed=args.seed, bandwidth=bandwidth).start()
    paths = []
    for index, data in enumerate(blobs):
        path = "/images/disk-%02d.img" % index
        flaky.add_blob(path, data)
        paths.append(path)
    data_dir = os.path.join(workdir, mode)
    extra = ["--sim-import-restart-from-zero"] if mode == "restart-from-zero" else []
    server = Server(binary, data_dir, extra)
    try:
        status, body = server.request("POST", "/api/v1/namespaces/virtyard-system/configmaps", {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sync-operator-policy"},
            "data": {"concurrency": str(args.concurrency), "retryBackoffDuration": "1s", "maxRetryBackoff": "10s",
                     "retryLimit": "10"}})
        assert status == 201, body
        time.sleep(0.5)  # the policy reaches the controller's cache before the first image
        started = time.perf_counter()
        started_monotonic = time.monotonic()
        for index, path in enumerate(paths):
            status, body = server.request("POST", "%s/namespaces/%s/vmdiskimages" % (VMDI_PATH, NAMESPACE), {
                "apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
                "metadata": {"name": "disk-%02d" % index},
                "spec": {"sourceType": "http", "url": flaky.url(path), "diskSize": "%dMi" % (size // MI + 1)}})
            assert status == 201, body
        peak_syncing = 0
        polls = 0
        deadline = time.perf_counter() + args.timeout
        while True:
            status, body = server.request("GET", "%s/namespaces/%s/vmdiskimages" % (VMDI_PATH, NAMESPACE))
            assert status == 200, body
            items = json.loads(body)["items"]
            phases = [(item.get("status") or {}).get("phase") for item in items]
            polls += 1
            peak_syncing = max(peak_syncing, phases.count("Syncing"))
            if phases.count("Ready") == len(paths):
                break
            if "Failed" in phases:
                failed = [(i["metadata"]["name"], i["status"].get("message")) for i in items
                          if i["status"].get("phase") == "Failed"]
                raise SystemExit("%s: images failed: %s" % (mode, failed))
            if time.perf_counter() > deadline:
                raise SystemExit("%s: not all Ready after %ss: %s" % (mode, args.timeout,
                                                                      {p: phases.count(p) for p in set(phases)}))
            time.sleep(0.1)
        makespan = time.perf_counter() - started
        ended_monotonic = time.monotonic()
        wire = flaky.bytes_sent()
        log = flaky.log()
        # Where the time beyond the ideal went: before the first body byte, moments with no
        # transfer at all (the link idle), and after the last transfer until all were Ready.
        spans = sorted((record.start, record.end or ended_monotonic) for record in log if record.method == "GET")
        idle_between = 0.0
        reach = spans[0][1] if spans else started_monotonic
        for start, end in spans[1:]:
            if start > reach:
                idle_between += start - reach
            reach = max(reach, end)
        timeline = {
            "first_transfer_after_s": round(spans[0][0] - started_monotonic, 3) if spans else None,
            "link_idle_between_s": round(idle_between, 3),
            "ready_after_last_transfer_s": round(ended_monotonic - reach, 3) if spans else None,
        }
        status, body = server.request("GET", "/apis/cdi.kubevirt.io/v1beta1/namespaces/%s/datavolumes" % NAMESPACE)
        dvs = json.loads(body)["items"]
        restarts = sum(int((dv.get("status") or {}).get("restartCount") or 0) for dv in dvs)
        resumes = sum(int((dv["metadata"].get("annotations") or {}).get("virtyard.io/import-resumes", 0)) for dv in dvs)
        failed_attempts = sum(int(i["status"].get("failureCount") or 0) for i in items)
        # The data is right (after the clock stopped).
        for index, data in enumerate(blobs):
            volume = os.path.join(data_dir, "storage", "volumes", NAMESPACE, "disk-%02d.img" % index)
            with open(volume, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest() if hasattr(hashlib, "file_digest") \
                    else hashlib.sha256(f.read()).hexdigest()
            if digest != hashlib.sha256(data).hexdigest():
                raise SystemExit("%s: %s differs from its source" % (mode, volume))
        return {
            "wire_bytes": wire,
            "needed_bytes": needed,
            "wire_over_needed": round(wire / needed, 4),
            "makespan_s": round(makespan, 2),
            "timeline": timeline,
            "ideal_s": round(needed / bandwidth, 2),
            "makespan_over_ideal": round(makespan / (needed / bandwidth), 3),
            "throughput_mib_s": round(wire / makespan / MI, 1),
            "peak_syncing": peak_syncing,
            "polls": polls,
            "peak_connections": flaky.peak_connections,
            "peak_transfers": flaky.peak_transfers,
            "requests": len(log),
            "broken_transfers": sum(1 for r in log if r.dropped),
            "range_requests": sum(1 for r in log if r.range_header),
            "dv_restart_count": restarts,
            "dv_resumes": resumes,
            "failed_attempts": failed_attempts,
        }
    finally:
        server.stop()
        flaky.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--output", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--size-mib", type=int, default=32)
    parser.add_argument("--drop-fraction", type=float, default=0.25, help="share of transfers broken mid-body")
    parser.add_argument("--bandwidth-mib", type=float, default=200, help="total MiB/s the source serves")
    parser.add_argument("--concurrency", type=int, default=8, help="the sync policy's concurrency")
    parser.add_argument("--seed", type=int, default=5, help="the break schedule's and the blobs' seed")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for all Ready, per pass")
    args = parser.parse_args()

    blobs = make_blobs(args.images, args.size_mib * MI, args.seed)
    results = {}
    with tempfile.TemporaryDirectory(prefix="virtyard-imagesync-") as workdir:
        for mode in ("resume", "restart-from-zero"):
            print("== image sync, %s: %d × %d MiB, %.0f%% broken, %.0f MiB/s, concurrency %d" % (
                mode, args.images, args.size_mib, args.drop_fraction * 100, args.bandwidth_mib, args.concurrency),
                flush=True)
            results[mode] = run(os.path.abspath(args.binary), mode, blobs, args, workdir)

    resume, baseline = results["resume"], results["restart-from-zero"]
    rows = [
        ("wire bytes / needed", "wire_over_needed", "%.3f", "<= 1.05"),
        ("makespan / ideal", "makespan_over_ideal", "%.2f", "-"),
        ("makespan s", "makespan_s", "%.1f", "-"),
        ("throughput MiB/s", "throughput_mib_s", "%.1f", "-"),
        ("peak Syncing (polled)", "peak_syncing", "%d", "<= %d" % args.concurrency),
        ("peak connections", "peak_connections", "%d", "-"),
        ("peak parallel transfers", "peak_transfers", "%d", "<= %d" % args.concurrency),
        ("requests", "requests", "%d", "-"),
        ("broken transfers", "broken_transfers", "%d", "-"),
        ("Range requests", "range_requests", "%d", "-"),
        ("DV restarts from zero", "dv_restart_count", "%d", "-"),
        ("failed sync attempts", "failed_attempts", "%d", "-"),
    ]
    print()
    print("%-26s %14s %20s   %s" % ("image sync", "resume", "restart-from-zero", "target"))
    for label, key, fmt, target in rows:
        print("%-26s %14s %20s   %s" % (label, fmt % resume[key], fmt % baseline[key], target))
    for label, key in (("first transfer after s", "first_transfer_after_s"), ("link idle between s", "link_idle_between_s"),
                       ("Ready after last transfer s", "ready_after_last_transfer_s")):
        print("%-26s %14s %20s   %s" % (label, resume["timeline"][key], baseline["timeline"][key], "-"))

    output = {}
    if os.path.exists(args.output):
        with open(args.output) as f:
            output = json.load(f)
    output.setdefault("machine", {"cores": os.cpu_count()})
    output["imagesync"] = {
        "config": {"images": args.images, "size_mib": args.size_mib, "drop_fraction": args.drop_fraction,
                   "bandwidth_mib_s": args.bandwidth_mib, "concurrency": args.concurrency, "seed": args.seed},
        "resume": resume,
        "restart_from_zero": baseline,
        "ratios": {
            "wire_over_needed_resume": resume["wire_over_needed"],
            "wire_over_needed_restart_from_zero": baseline["wire_over_needed"],
            "makespan_over_ideal_resume": resume["makespan_over_ideal"],
            "makespan_over_ideal_restart_from_zero": baseline["makespan_over_ideal"],
            "wire_bytes_resume_vs_restart_from_zero": round(resume["wire_bytes"] / baseline["wire_bytes"], 3),
            "makespan_resume_vs_restart_from_zero": round(resume["makespan_s"] / baseline["makespan_s"], 3),
        },
    }
    with open(args.output, "w") as f:
        json.dump(output, f, indent=2)
        f.write("\n")
    print("\nwrote", args.output)


if __name__ == "__main__":
    main()
