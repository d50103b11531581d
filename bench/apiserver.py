#!/usr/bin/env python3
"""Embedded API server benchmarks (issue 2).

Measures, against a release build started on loopback:
  - creates per second over HTTPS with 1 and 8 concurrent clients (wrk),
  - watch delivery latency p50/p99 (create sent -> ADDED event received),
  - listing 10,000 objects,
each beside a baseline from the same run on the same machine: raw SQLite inserts (one
transaction per row, WAL, synchronous=NORMAL, same row shape) and a raw SQLite read of the
same 10,000 rows. Ratios make the numbers comparable across noisy machines.

Creates with 8 clients are measured in rounds, each a baseline run right before the server's
run, and the figure is the median of the rounds' ratios: the machine's speed drifts by 10-20 %
over a minute, and a ratio whose two halves run seconds apart follows it less.
"""
import argparse
import http.client
import json
import os
import re
import signal
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "bench-"},
             "data": {"key": "value", "other": "x" * 200}}


class Server:
    def __init__(self, binary, data_dir):
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        self.log = open(os.path.join(data_dir, "serve.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--data-dir", data_dir, "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--vcd-listen", "off",
             "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT)
        endpoints = os.path.join(data_dir, "endpoints.json")
        deadline = time.time() + 60
        while not os.path.exists(endpoints):
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("server did not start; see " + self.log.name)
            time.sleep(0.1)
        url = json.load(open(endpoints))["kubeAPI"]
        match = re.match(r"https://([^:]+):(\d+)", url)
        self.host, self.port = match.group(1), int(match.group(2))
        self.url = url
        self.token = open(os.path.join(data_dir, "admin-token")).read().strip()
        self.context = ssl.create_default_context(cafile=os.path.join(data_dir, "ca.crt"))

    def connection(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)

    def request(self, conn, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def create_namespace(server, name):
    conn = server.connection()
    status, body = server.request(conn, "POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status in (201, 409), body


def wrk_creates(server, namespace, connections, seconds):
    script = os.path.join(server.data_dir, "create.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write('wrk.body = [[%s]]\n' % json.dumps(CONFIGMAP))
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write('wrk.headers["Authorization"] = "Bearer %s"\n' % server.token)
    threads = min(connections, 2)
    output = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % seconds, "-s", script, "--latency",
         "%s/api/v1/namespaces/%s/configmaps" % (server.url, namespace)],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit("wrk saw failed creates:\n" + output)
    return rate


def sqlite_insert_rate(directory, seconds, name="baseline.db"):
    """One row per transaction, the way each acknowledged API write is durable."""
    path = os.path.join(directory, name)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE objects (resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, "
               "resource_version INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (resource, namespace, name)) "
               "WITHOUT ROWID")
    body = json.dumps(CONFIGMAP).encode() + b" " * 250
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        db.execute("BEGIN")
        db.execute("INSERT INTO objects VALUES ('configmaps', 'bench', ?, ?, ?)", ("cm-%d" % count, count, body))
        db.execute("COMMIT")
        count += 1
    rate = count / (time.perf_counter() - start)
    db.close()
    return rate, path


def sqlite_read_ms(path, rows):
    db = sqlite3.connect(path)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        fetched = db.execute("SELECT body FROM objects LIMIT ?", (rows,)).fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    assert len(fetched) == rows, len(fetched)
    db.close()
    return statistics.median(timings)


def watch_latency(server, namespace, count):
    conn = server.connection()
    status, body = server.request(conn, "GET", "/api/v1/namespaces/%s/configmaps?limit=1" % namespace)
    version = json.loads(body)["metadata"]["resourceVersion"]
    watch = server.connection()
    watch.request("GET", "/api/v1/namespaces/%s/configmaps?watch=1&resourceVersion=%s" % (namespace, version),
                  headers={"Authorization": "Bearer " + server.token})
    stream = watch.getresponse()
    assert stream.status == 200
    sent = {}
    received = {}
    done = threading.Event()

    def read_events():
        buffer = b""
        while len(received) < count:
            chunk = stream.fp.readline()
            if not chunk:
                break
            line = chunk.strip()
            if not line or not line.startswith(b"{"):
                continue
            event = json.loads(line)
            if event["type"] == "ADDED":
                received[event["object"]["metadata"]["name"]] = time.perf_counter()
        done.set()

    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()
    writer = server.connection()
    acknowledged = []
    for index in range(count):
        name = "watch-%d" % index
        sent[name] = time.perf_counter()
        status, _ = server.request(writer, "POST", "/api/v1/namespaces/%s/configmaps" % namespace,
                                   {"metadata": {"name": name}, "data": {"k": "v"}})
        acknowledged.append((time.perf_counter() - sent[name]) * 1000)
        assert status == 201
        time.sleep(0.005)
    done.wait(timeout=30)
    latencies = sorted((received[name] - sent[name]) * 1000 for name in sent if name in received)
    assert len(latencies) == count, "lost %d events" % (count - len(latencies))
    acknowledged.sort()

    def percentile(values, fraction):
        return values[min(len(values) - 1, int(len(values) * fraction))]
    return (percentile(latencies, 0.5), percentile(latencies, 0.99),
            percentile(acknowledged, 0.5), percentile(acknowledged, 0.99))


def fill(server, namespace, total, workers=8):
    def work(offset):
        conn = server.connection()
        for index in range(offset, total, workers):
            status, body = server.request(conn, "POST", "/api/v1/namespaces/%s/configmaps" % namespace,
                                          {"metadata": {"name": "item-%05d" % index}, "data": CONFIGMAP["data"]})
            assert status == 201, body
    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def list_ms(server, namespace, expected, query="", name_prefix="item-"):
    conn = server.connection()
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        status, body = server.request(conn, "GET", "/api/v1/namespaces/%s/configmaps%s" % (namespace, query))
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200
    # Every namespace also holds the kube-root-ca.crt ConfigMap the server publishes.
    items = [item for item in json.loads(body)["items"] if item["metadata"]["name"].startswith(name_prefix)]
    assert len(items) == expected, len(items)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the 8-client creates and their baseline")
    parser.add_argument("--list-size", type=int, default=10_000)
    parser.add_argument("--watch-events", type=int, default=300)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "results.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="virtyard-bench-") as directory:
        baseline_rate, baseline_db = sqlite_insert_rate(directory, args.seconds)
        # Grow the baseline table to the list size for the read baseline.
        db = sqlite3.connect(baseline_db, isolation_level=None)
        existing = db.execute("SELECT count(*) FROM objects").fetchone()[0]
        body = json.dumps(CONFIGMAP).encode() + b" " * 250
        db.execute("BEGIN")
        for index in range(existing, args.list_size):
            db.execute("INSERT INTO objects VALUES ('configmaps', 'bench', ?, ?, ?)", ("cm-%d" % index, index, body))
        db.execute("COMMIT")
        db.close()
        baseline_read = sqlite_read_ms(baseline_db, args.list_size)

        server = Server(args.binary, os.path.join(directory, "data"))
        try:
            for namespace in ["bench-1", "watch", "list"] + ["bench-8-%d" % index for index in range(args.rounds)]:
                create_namespace(server, namespace)
            creates_1 = wrk_creates(server, "bench-1", 1, args.seconds)
            rounds = []
            for round_index in range(args.rounds):
                baseline_round = baseline_rate if round_index == 0 else sqlite_insert_rate(
                    directory, args.seconds, "baseline-%d.db" % round_index)[0]
                rounds.append((baseline_round, wrk_creates(server, "bench-8-%d" % round_index, 8, args.seconds)))
            round_ratios = [creates / baseline for baseline, creates in rounds]
            creates_8_ratio = statistics.median(round_ratios)
            creates_8 = statistics.median(creates for _, creates in rounds)
            baseline_8 = statistics.median(baseline for baseline, _ in rounds)
            p50, p99, ack50, ack99 = watch_latency(server, "watch", args.watch_events)
            fill(server, "list", args.list_size)
            listing = list_ms(server, "list", args.list_size)
            # A field selector that one object passes: every stored object is read for it.
            last = "item-%05d" % (args.list_size - 1)
            selecting = list_ms(server, "list", 1, "?fieldSelector=metadata.name%3D" + last, last)
        finally:
            server.stop()

    rows = [
        ("creates/s, 1 client", creates_1, "sqlite inserts/s", baseline_rate, creates_1 / baseline_rate, ">= (none)"),
        ("creates/s, 8 clients", creates_8, "sqlite inserts/s", baseline_8, creates_8_ratio, ">= 2000"),
        ("watch latency p50 ms", p50, "create ack p50 ms", ack50, p50 / ack50, "-"),
        ("watch latency p99 ms", p99, "create ack p99 ms", ack99, p99 / ack99, "< 50"),
        ("list %d objects ms" % args.list_size, listing, "sqlite read ms", baseline_read, listing / baseline_read,
         "< 300"),
        ("select 1 of %d ms" % args.list_size, selecting, "list all ms", listing, selecting / listing, "-"),
    ]
    print()
    print("%-26s %12s   %-18s %12s %10s   %s" % ("benchmark", "value", "baseline", "baseline", "ratio", "target"))
    for name, value, baseline_name, baseline, ratio, target in rows:
        print("%-26s %12.1f   %-18s %12s %10s   %s" % (
            name, value, baseline_name, "%.1f" % baseline if baseline else "-", "%.3f" % ratio if ratio else "-",
            target))
    results = {}
    if os.path.exists(args.output):
        with open(args.output) as f:
            results = json.load(f)
    results.update({
        "machine": {"cores": os.cpu_count()},
        "apiserver": {
            "creates_per_second_1_client": round(creates_1, 1),
            "creates_per_second_8_clients": round(creates_8, 1),
            "watch_latency_ms_p50": round(p50, 2),
            "watch_latency_ms_p99": round(p99, 2),
            "list_ms": round(listing, 1),
            "list_size": args.list_size,
            "field_selector_scan_ms": round(selecting, 1),
        },
        "baseline": {
            "sqlite_inserts_per_second": round(baseline_rate, 1),
            "sqlite_inserts_per_second_8_client_rounds": round(baseline_8, 1),
            "sqlite_read_ms": round(baseline_read, 2),
            "create_ack_ms_p50": round(ack50, 2),
            "create_ack_ms_p99": round(ack99, 2),
        },
        "ratios": {
            "creates_1_client_vs_sqlite": round(creates_1 / baseline_rate, 3),
            "creates_8_clients_vs_sqlite": round(creates_8_ratio, 3),
            "creates_8_clients_vs_sqlite_rounds": [round(ratio, 3) for ratio in round_ratios],
            "list_vs_sqlite_read": round(listing / baseline_read, 2),
            "field_selector_scan_vs_list": round(selecting / listing, 2),
            "watch_p99_vs_create_ack_p99": round(p99 / ack99, 2),
        },
    })
    with open(args.output, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print("\nwrote", args.output)


if __name__ == "__main__":
    main()
