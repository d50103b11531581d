#!/usr/bin/env python3
"""Lab cluster benchmark (issue 13): workloads inside a lab session's virtual cluster.

1. Deployment of N replicas (default 1,000) in a virtual cluster: the time from `create`
   until all N pods are Running, against the same number of bare pods created in the same
   cluster (each POSTed by the client, then scheduled and run by the same simulation) — the
   ratio says what the Deployment → ReplicaSet → Pods chain costs beyond the pods themselves.
   The lab cluster's two nodes hold 110 pods, so the benchmark first joins extra simulated
   nodes (KWOK-annotated Node objects, as a kwok user would).
2. Memory: the server's RSS with an idle pool of 10 clusters, then with 1,000 ConfigMaps in
   each, against a server with no pool, in the same run: RSS per virtual cluster, idle and
   with 1,000 objects.

Results are merged into bench/results.json under "labcluster" (other keys are kept).

    python3 bench/labcluster.py --binary .build/release/virtyard [--replicas 1000]
"""
import argparse
import json
import os
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchsupport import settle_rss  # noqa: E402
from labpool import Server, create_configmaps, session_client  # noqa: E402


def wait_pool(server, size, timeout=300):
    deadline = time.perf_counter() + timeout
    while True:
        clusters = server.clusters()
        if len(clusters) == size and all(c["status"] == "available" for c in clusters.values()):
            return
        if time.perf_counter() > deadline or server.process.poll() is not None:
            raise SystemExit("pool of %d not available; see %s" % (size, server.log.name))
        time.sleep(0.2)


def start_session(server, user):
    status, body = server.lab("POST", "/api/v1/sessions", {"userId": user})
    if status != 201:
        raise SystemExit("POST /api/v1/sessions answered %s: %s" % (status, body))
    if body["status"] == "running" and body.get("kubeconfig"):
        return body
    return server.wait_running(body["id"])[1]


def add_nodes(core, count, pods_per_node):
    for index in range(count):
        name = "bench-node-%02d" % index
        core.create_node({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": {"kwok.x-k8s.io/node": "fake"},
                         "labels": {"kubernetes.io/hostname": name, "type": "kwok"}},
            "spec": {"podCIDR": "10.245.%d.0/24" % index},
        })
        resources = {"cpu": "64", "memory": "256Gi", "pods": str(pods_per_node)}
        core.patch_node_status(name, {"status": {
            "capacity": resources, "allocatable": resources,
            "addresses": [{"type": "InternalIP", "address": "192.168.200.%d" % (index + 1)}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "simulated"}],
        }})


def running_count(core, namespace, selector):
    pods = core.list_namespaced_pod(namespace, label_selector=selector).items
    return sum(1 for p in pods if p.status and p.status.phase == "Running")


def wait_running(core, namespace, selector, count, timeout=600):
    started = time.perf_counter()
    while True:
        seen = running_count(core, namespace, selector)
        if seen >= count:
            return time.perf_counter()
        if time.perf_counter() - started > timeout:
            raise SystemExit("only %d of %d pods Running after %ss (%s)" % (seen, count, timeout, selector))
        time.sleep(0.2)


def pod_template(labels):
    return {"metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}],
                     "terminationGracePeriodSeconds": 0}}


def workloads(args, workdir):
    from kubernetes import client
    server = Server(os.path.abspath(args.binary), os.path.join(workdir, "workloads"), 1)
    try:
        wait_pool(server, 1)
        session = start_session(server, "bench-workloads")
        api_client = session_client(session["kubeconfig"]).api_client
        core = client.CoreV1Api(api_client)
        apps = client.AppsV1Api(api_client)
        nodes = (args.replicas + 99) // 100 + 1
        add_nodes(core, nodes, 110)
        core.create_namespace({"metadata": {"name": "bench"}})

        # Baseline: bare pods, each POSTed by the client.
        started = time.perf_counter()
        for index in range(args.replicas):
            template = pod_template({"bench": "bare"})
            core.create_namespaced_pod("bench", {"apiVersion": "v1", "kind": "Pod",
                                                 "metadata": {"name": "bare-%04d" % index, **template["metadata"]},
                                                 "spec": template["spec"]})
        created = time.perf_counter()
        done = wait_running(core, "bench", "bench=bare", args.replicas)
        bare_s = done - started
        bare_create_s = created - started
        core.delete_collection_namespaced_pod("bench", label_selector="bench=bare", grace_period_seconds=0)
        deadline = time.perf_counter() + 300
        while core.list_namespaced_pod("bench", label_selector="bench=bare").items:
            if time.perf_counter() > deadline:
                raise SystemExit("bare pods not gone after 300 s")
            time.sleep(0.2)

        # The Deployment of the same size.
        started = time.perf_counter()
        apps.create_namespaced_deployment("bench", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": args.replicas, "selector": {"matchLabels": {"bench": "deploy"}},
                     "template": pod_template({"bench": "deploy"})}})
        done = wait_running(core, "bench", "bench=deploy", args.replicas)
        deployment_s = done - started
        deadline = time.perf_counter() + 300
        while True:
            status = apps.read_namespaced_deployment_status("web", "bench").status
            if (status.available_replicas or 0) == args.replicas:
                break
            if time.perf_counter() > deadline:
                raise SystemExit("deployment not available after 300 s: %s" % status)
            time.sleep(0.2)
        available_s = time.perf_counter() - started
    finally:
        server.stop()
    return {"replicas": args.replicas, "simulated_nodes_added": nodes,
            "bare_pods_all_running_s": round(bare_s, 2), "bare_pods_create_calls_s": round(bare_create_s, 2),
            "deployment_all_running_s": round(deployment_s, 2), "deployment_available_s": round(available_s, 2),
            "ratio_deployment_vs_bare_pods": round(deployment_s / bare_s, 2)}


def memory(args, workdir):
    empty = Server(os.path.abspath(args.binary), os.path.join(workdir, "empty"), 0)
    try:
        time.sleep(5)
        baseline = settle_rss(empty.process.pid)
    finally:
        empty.stop()
    server = Server(os.path.abspath(args.binary), os.path.join(workdir, "memory"), args.clusters)
    try:
        wait_pool(server, args.clusters)
        idle = settle_rss(server.process.pid)
        sessions = [start_session(server, "bench-mem-%02d" % i) for i in range(args.clusters)]
        for session in sessions:
            create_configmaps(session["kubeconfig"], args.objects)
        full = settle_rss(server.process.pid)
    finally:
        server.stop()
    return {"clusters": args.clusters, "objects_per_cluster": args.objects,
            "rss_no_pool_mib": round(baseline / 1024, 1), "rss_idle_pool_mib": round(idle / 1024, 1),
            "rss_full_pool_mib": round(full / 1024, 1),
            "rss_per_idle_cluster_mib": round((idle - baseline) / 1024 / args.clusters, 2),
            "rss_per_cluster_with_objects_mib": round((full - baseline) / 1024 / args.clusters, 2),
            "ratio_cluster_with_objects_vs_idle": round((full - baseline) / max(1, idle - baseline), 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    parser.add_argument("--replicas", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--objects", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="virtyard-labcluster-") as workdir:
        print("== a Deployment of %d replicas in a lab cluster, against as many bare pods" % args.replicas, flush=True)
        work = workloads(args, workdir)
        print("== RSS per lab cluster: %d clusters, %d ConfigMaps each" % (args.clusters, args.objects), flush=True)
        mem = memory(args, workdir)
    rows = [
        ("bare pods: all Running", "%.2f s" % work["bare_pods_all_running_s"], "baseline"),
        ("Deployment: all Running", "%.2f s" % work["deployment_all_running_s"],
         "%.2f× bare pods" % work["ratio_deployment_vs_bare_pods"]),
        ("Deployment: Available", "%.2f s" % work["deployment_available_s"], ""),
        ("RSS, server with no pool", "%.1f MiB" % mem["rss_no_pool_mib"], "baseline"),
        ("RSS per idle lab cluster", "%.2f MiB" % mem["rss_per_idle_cluster_mib"], ""),
        ("RSS per lab cluster with %d objects" % args.objects, "%.2f MiB" % mem["rss_per_cluster_with_objects_mib"],
         "%.2f× idle" % mem["ratio_cluster_with_objects_vs_idle"]),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print("%-*s  %12s  %s" % (width, name, value, note))
    try:
        with open(args.output) as f:
            results = json.load(f)
    except (OSError, ValueError):
        results = {}
    results["labcluster"] = {"workloads": work, "memory": mem}
    with open(args.output, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
