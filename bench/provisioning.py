#!/usr/bin/env python3
"""Cluster provisioning benchmark (issue 15).

One `virtyard serve` (embedded mode). N K3s clusters (default 20) of 3 nodes each (one control
plane, two workers) are provisioned through `POST /api/v1/clusters/provision`:

1. At once: all N requests sent together; the time from the first request until every
   operation is COMPLETED (every node's simulated guest has read and checked its rendered
   cloud-config and joined its cluster's virtual cluster).
2. In series: N more clusters, each requested after the previous one COMPLETED; the total.
3. Baseline, in the same run: the same 3×N VirtualMachines, taken from the provisioner's own
   dry-run plans, created straight through the Kubernetes API (with their user data
   Secrets) — the time until every one is Running. That is the simulated VM start time
   alone; the ratio is what provisioning (secrets, PKI, rendering, ordering, the guests'
   checks and joins, status) costs on top of it.

Results are merged into bench/results.json under "provisioning" (other keys are kept).

    python3 bench/provisioning.py --binary .build/release/virtyard [--clusters 20]
"""
import argparse
import concurrent.futures
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labpool import Server  # noqa: E402
from vcd import kube, kubectl  # noqa: E402

NAMESPACE = "virtyard-clusters"
IMAGE = {"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}


def spec(name, dry_run=False):
    def group(group_name, role, count):
        return {"name": group_name, "role": role, "count": count,
                "template": {"cores": 1, "memoryMB": 1024, "diskGB": 10, "imageSource": IMAGE}}
    body = {"name": name, "type": "K3S", "version": "v1.32.0+k3s1",
            "nodeGroups": [group("cp", "CONTROL_PLANE", 1), group("work", "WORKER", 2)]}
    if dry_run:
        body["options"] = {"dryRun": True}
    return body


def provision(server, name):
    status, body = server.lab("POST", "/api/v1/clusters/provision", spec(name))
    if status != 202:
        raise SystemExit("provisioning %s answered %s: %s" % (name, status, body))
    return body["operationId"]


def wait_completed(server, operation_ids, timeout=900):
    pending = set(operation_ids)
    deadline = time.perf_counter() + timeout
    while pending:
        for op_id in list(pending):
            status, body = server.lab("GET", "/api/v1/clusters/operations/" + op_id)
            if status != 200:
                raise SystemExit("operation %s answered %s: %s" % (op_id, status, body))
            if body["status"] == "COMPLETED":
                pending.discard(op_id)
            elif body["status"] in ("FAILED", "CANCELLED", "ROLLED_BACK"):
                raise SystemExit("operation %s ended %s: %s; see %s" % (op_id, body["status"], body, server.log.name))
        if pending and time.perf_counter() > deadline:
            raise SystemExit("%d operations not COMPLETED after %ss; see %s" % (len(pending), timeout, server.log.name))
        if pending:
            time.sleep(0.05)
    return time.perf_counter()


def planned_objects(server, name, namespace):
    """The VMs and user data Secrets of a dry-run plan, moved to `namespace`, without owners."""
    status, body = server.lab("POST", "/api/v1/clusters/provision", spec(name, dry_run=True))
    if status != 200:
        raise SystemExit("dry run of %s answered %s: %s" % (name, status, body))
    items = body["objects"]["items"]
    objects = []
    for item in items:
        if item["kind"] == "Secret" and not item["metadata"]["name"].endswith("-userdata"):
            continue
        item["metadata"]["namespace"] = namespace
        item["metadata"].pop("ownerReferences", None)
        labels = item["metadata"].setdefault("labels", {})
        # Not the provisioner's: no guest joins a cluster for these.
        labels.pop("virtyard.io/managed-by", None)
        labels["bench"] = "direct"
        template = item.get("spec", {}).get("template", {}).get("metadata", {}).get("labels")
        if template is not None:
            template.pop("virtyard.io/managed-by", None)
        objects.append(item)
    return objects


def create_direct(server, objects, workers=16):
    def one(item):
        if item["kind"] == "Secret":
            path = "/api/v1/namespaces/%s/secrets" % item["metadata"]["namespace"]
        else:
            path = "/apis/kubevirt.io/v1/namespaces/%s/virtualmachines" % item["metadata"]["namespace"]
        status, body = kube(server, "POST", path, item)
        if status != 201:
            raise SystemExit("creating %s answered %s: %s" % (item["metadata"]["name"], status, body))
    secrets = [o for o in objects if o["kind"] == "Secret"]
    vms = [o for o in objects if o["kind"] != "Secret"]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, secrets))
        started = time.perf_counter()
        list(pool.map(one, vms))
    return started, len(vms)


def wait_running(server, namespace, count, timeout=900):
    deadline = time.perf_counter() + timeout
    while True:
        status, listed = kube(server, "GET", "/apis/kubevirt.io/v1/namespaces/%s/virtualmachines?labelSelector=bench%%3Ddirect" % namespace)
        if status != 200:
            raise SystemExit("listing VMs answered %s: %s" % (status, listed))
        done = sum(1 for vm in listed["items"] if vm.get("status", {}).get("printableStatus") == "Running")
        if done >= count:
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise SystemExit("%d of %d VMs Running after %ss; see %s" % (done, count, timeout, server.log.name))
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clusters", type=int, default=20)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="vy-bench-provisioning-")
    data = os.path.join(workdir, "data")
    os.makedirs(data, mode=0o700)
    server = Server(args.binary, data, 0, extra=("--sim-nodes", "12"))
    results = {}
    try:
        # The platform API answers once the controllers are attached on the leader.
        deadline = time.time() + 60
        while server.lab("GET", "/api/v1/clusters/operations")[0] != 200:
            if time.time() > deadline:
                raise SystemExit("the provisioning API never answered; see " + server.log.name)
            time.sleep(0.1)

        # 3 first, so that the provisioned clusters do not share the nodes' pods with it.
        kubectl(server, "create", "namespace", "bench-direct")
        objects = []
        for index in range(args.clusters):
            objects += planned_objects(server, "direct-%02d" % index, "bench-direct")
        started, vm_count = create_direct(server, objects)
        direct_seconds = wait_running(server, "bench-direct", vm_count) - started

        # 1. All at once.
        names = ["par-%02d" % index for index in range(args.clusters)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.clusters) as pool:
            operation_ids = list(pool.map(lambda name: provision(server, name), names))
        parallel_seconds = wait_completed(server, operation_ids) - started

        # 2. One after another.
        started = time.perf_counter()
        for index in range(args.clusters):
            wait_completed(server, [provision(server, "ser-%02d" % index)])
        serial_seconds = time.perf_counter() - started
    finally:
        server.stop()

    nodes = args.clusters * 3
    results = {
        "clusters": args.clusters, "nodes": nodes,
        "parallel_s": round(parallel_seconds, 2), "serial_s": round(serial_seconds, 2),
        "direct_vms_s": round(direct_seconds, 2),
        "ratio_parallel": round(parallel_seconds / direct_seconds, 2),
        "ratio_serial": round(serial_seconds / direct_seconds, 2),
    }
    print("%-52s %10s %10s %8s" % ("measure", "virtyard", "baseline", "ratio"))
    print("%-52s %9.2fs %9.2fs %7.2fx" % ("%d K3s clusters x 3 nodes at once until COMPLETED" % args.clusters,
                                           parallel_seconds, direct_seconds, results["ratio_parallel"]))
    print("%-52s %9.2fs %9.2fs %7.2fx" % ("the same, one cluster after another",
                                           serial_seconds, direct_seconds, results["ratio_serial"]))
    print("(baseline: the same %d VMs from the dry-run plans, created directly, until Running)" % vm_count)
    try:
        merged = json.load(open(args.output))
    except (OSError, ValueError):
        merged = {}
    merged["provisioning"] = results
    with open(args.output, "w") as f:
        json.dump(merged, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
