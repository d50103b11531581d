#!/usr/bin/env python3
"""Tenancy benchmark (issue 14): the Cloud Director compatible API under load.

1. Instantiate: N vApps (default 100) instantiated concurrently through the cloudapi
   (`POST /cloudapi/1.0.0/vdcs/{urn}/actions/instantiateTemplate`), each one VM from the same
   catalog item: the time from the first request until every VM is Running, against the same
   N VirtualMachines created directly through the Kubernetes API in the same run. The ratio
   is what the tenancy layer (params Secret, TemplateInstance, template processing, vApp and
   task objects) costs on top of the VMs themselves.
2. Login: `POST /cloudapi/1.0.0/sessions` (Basic, scrypt-checked) followed by
   `GET /cloudapi/1.0.0/orgs`, sequentially, p50/p99, against `GET /api/versions` (no
   authentication, no store) on the same listener.
3. Listing: every page of `GET /cloudapi/1.0.0/vapps` (pageSize 128) with M vApps (default
   1,000) in the VDC, against one list of their VMs through the Kubernetes API (best of 5).

Results are merged into bench/results.json under "vcd" (other keys are kept).

    python3 bench/vcd.py --binary .build/release/virtyard [--vapps 100] [--listed 1000]
"""
import argparse
import base64
import concurrent.futures
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labpool import KUBECTL, Server  # noqa: E402

TEMPLATE = {
    "apiVersion": "template.openshift.io/v1",
    "kind": "Template",
    "metadata": {
        "name": "bench-vm",
        "namespace": "openshift",
        "labels": {"template.kubevirt.io/version": "v0.1.0", "template.kubevirt.io/type": "vm"},
        "annotations": {"template.kubevirt.io/containerdisks": "quay.io/containerdisks/fedora:40",
                        "description": "A small VM for the tenancy benchmark"},
    },
    "parameters": [{"name": "NAME", "required": True}],
    "objects": [{
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "${NAME}"},
        "spec": {
            "runStrategy": "Always",
            "template": {"spec": {
                "domain": {"devices": {"disks": [{"name": "root", "disk": {"bus": "virtio"}}]},
                           "resources": {"requests": {"memory": "128Mi", "cpu": "100m"}}},
                "volumes": [{"name": "root", "containerDisk": {"image": "quay.io/containerdisks/fedora:40"}}],
            }},
        },
    }],
}


def direct_vm(name):
    vm = json.loads(json.dumps(TEMPLATE["objects"][0]).replace("${NAME}", name))
    vm["metadata"]["labels"] = {"bench": "direct"}
    return vm


class VCD:
    """A small cloudapi client: JSON over HTTPS, verified against the data directory's CA."""

    def __init__(self, url, cafile):
        self.url = url.rstrip("/")
        self.context = ssl.create_default_context(cafile=cafile)
        self.token = None

    def call(self, method, path, body=None, basic=None, accept="application/json;version=37.2"):
        headers = {"Accept": accept}
        if basic:
            headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
        elif self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=120) as response:
                status, raw, head = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, head = error.code, error.read(), error.headers
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return status, parsed, head

    def login(self, user, org, password, provider=False):
        path = "/cloudapi/1.0.0/sessions" + ("/provider" if provider else "")
        status, body, head = self.call("POST", path, basic="%s@%s:%s" % (user, org, password))
        if status != 200:
            raise SystemExit("login %s@%s answered %s: %s" % (user, org, status, body))
        self.token = head["X-VMWARE-VCLOUD-ACCESS-TOKEN"]
        return self.token

    def expect(self, status_wanted, method, path, body=None):
        status, parsed, _ = self.call(method, path, body)
        if status not in status_wanted:
            raise SystemExit("%s %s answered %s: %s" % (method, path, status, parsed))
        return parsed


def kubectl(server, *args, stdin=None):
    kubeconfig = os.path.join(server.data_dir, "kubeconfig")
    out = subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("kubectl %s: %s" % (" ".join(args), out.stderr))
    return out.stdout


def kube(server, method, path, body=None):
    """One call to the embedded Kubernetes API with the admin token (no kubectl start-up in the
    measured time)."""
    headers = {"Authorization": "Bearer " + server.token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server.kube_api + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=server.context, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def vm_path(namespace):
    return "/apis/kubevirt.io/v1/namespaces/%s/virtualmachines" % namespace


def running(server, namespace, selector):
    status, listed = kube(server, "GET", vm_path(namespace) + "?labelSelector=" + urllib.parse.quote(selector))
    if status != 200:
        raise SystemExit("listing VMs in %s answered %s: %s" % (namespace, status, listed))
    return sum(1 for vm in listed["items"] if vm.get("status", {}).get("printableStatus") == "Running")


def wait_running(server, namespace, selector, count, timeout=900):
    deadline = time.perf_counter() + timeout
    while True:
        done = running(server, namespace, selector)
        if done >= count:
            return time.perf_counter()
        if time.perf_counter() > deadline or server.process.poll() is not None:
            raise SystemExit("%d of %d VMs Running after %ss; see %s" % (done, count, timeout, server.log.name))
        time.sleep(0.2)


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def setup_tenant(vcd, admin_password):
    vcd.login("administrator", "System", admin_password, provider=True)
    org = vcd.expect((200, 201), "POST", "/cloudapi/1.0.0/orgs",
                     {"name": "bench", "displayName": "Benchmark", "description": "", "isEnabled": True})
    org_urn = org["id"]
    vdc = vcd.expect((200, 201), "POST", "/api/admin/org/%s/vdcs" % org_urn, {
        "name": "vdc1", "description": "", "allocationModel": "PayAsYouGo", "isEnabled": True,
        "computeCapacity": {"cpu": {"allocated": 400000, "limit": 400000, "units": "MHz"},
                            "memory": {"allocated": 1048576, "limit": 1048576, "units": "MB"}},
        "providerVdc": {"id": "urn:vcloud:providervdc:00000000-0000-4000-8000-000000000000"},
        "nicQuota": 0, "networkQuota": 0, "vdcStorageProfiles": [],
    })
    vcd.expect((200, 201), "POST", "/cloudapi/1.0.0/catalogs", {"name": "lab", "description": "", "orgId": org_urn})
    return org_urn, vdc["id"]


def catalog_item(vcd):
    catalogs = vcd.expect((200,), "GET", "/cloudapi/1.0.0/catalogs?pageSize=128")["values"]
    for catalog in catalogs:
        items = vcd.expect((200,), "GET", "/cloudapi/1.0.0/catalogs/%s/catalogItems?pageSize=128" % catalog["id"])
        for item in items["values"]:
            if item["name"] == TEMPLATE["metadata"]["name"]:
                return item["id"]
    raise SystemExit("no catalog item %s in %s" % (TEMPLATE["metadata"]["name"], catalogs))


def instantiate_many(vcd, vdc_urn, item, names, workers=16):
    def one(name):
        vcd.expect((200, 201, 202), "POST", "/cloudapi/1.0.0/vdcs/%s/actions/instantiateTemplate" % vdc_urn,
                   {"name": name, "description": "", "catalogItem": {"id": item}})
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, names))


def create_direct(server, namespace, count, workers=16):
    """The same VMs POSTed straight to the Kubernetes API, as concurrently as the vApps."""
    def one(index):
        status, body = kube(server, "POST", vm_path(namespace), direct_vm("direct-%04d" % index))
        if status != 201:
            raise SystemExit("creating a VM answered %s: %s" % (status, body))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--vapps", type=int, default=100)
    parser.add_argument("--listed", type=int, default=1000)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="vy-bench-vcd-")
    data = os.path.join(workdir, "data")
    os.makedirs(data, mode=0o700)
    # Nodes enough for every VM of the listing step (100 m CPU and 128 Mi each).
    server = Server(args.binary, data, 0, extra=("--vcd-listen", "127.0.0.1:0", "--sim-nodes", "12"))
    results = {}
    try:
        endpoints = json.load(open(os.path.join(data, "endpoints.json")))
        deadline = time.time() + 60
        while not endpoints.get("vcd"):
            if time.time() > deadline:
                raise SystemExit("no vcd endpoint; see " + server.log.name)
            time.sleep(0.1)
            endpoints = json.load(open(os.path.join(data, "endpoints.json")))
        vcd = VCD(endpoints["vcd"], os.path.join(data, "ca.crt"))
        admin_password = open(os.path.join(data, "vcd-admin-password")).read().strip()
        for _ in range(300):
            status, _, _ = vcd.call("POST", "/cloudapi/1.0.0/sessions/provider",
                                    basic="administrator@System:" + admin_password)
            if status == 200:
                break
            time.sleep(0.1)
        org_urn, vdc_urn = setup_tenant(vcd, admin_password)
        kubectl(server, "create", "namespace", "openshift")
        kubectl(server, "apply", "-f", "-", stdin=json.dumps(TEMPLATE))
        item = catalog_item(vcd)
        vdc_namespace = "vdc-bench-vdc1"

        # 1. Concurrent instantiation against direct VMs.
        kubectl(server, "create", "namespace", "bench-direct")
        started = time.perf_counter()
        create_direct(server, "bench-direct", args.vapps)
        direct_seconds = wait_running(server, "bench-direct", "bench=direct", args.vapps) - started
        started = time.perf_counter()
        instantiate_many(vcd, vdc_urn, item, ["vapp-%04d" % i for i in range(args.vapps)])
        vcd_seconds = wait_running(server, vdc_namespace, "vapp.ssvirt", args.vapps) - started
        results["instantiate"] = {"vapps": args.vapps, "cloudapi_s": round(vcd_seconds, 2),
                                  "direct_s": round(direct_seconds, 2),
                                  "ratio": round(vcd_seconds / direct_seconds, 2)}

        # 2. Login + org list against /api/versions.
        login_ms, versions_ms = [], []
        client = VCD(endpoints["vcd"], os.path.join(data, "ca.crt"))
        for _ in range(args.logins):
            t0 = time.perf_counter()
            client.login("administrator", "System", admin_password, provider=True)
            client.expect((200,), "GET", "/cloudapi/1.0.0/orgs")
            login_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            status, _, _ = client.call("GET", "/api/versions", accept="application/*+xml")
            versions_ms.append((time.perf_counter() - t0) * 1000)
            client.call("DELETE", "/cloudapi/1.0.0/sessions/current")
            client.token = None
        results["login"] = {"count": args.logins,
                            "p50_ms": round(statistics.median(login_ms), 1),
                            "p99_ms": round(percentile(login_ms, 0.99), 1),
                            "versions_p99_ms": round(percentile(versions_ms, 0.99), 2),
                            "ratio_p99": round(percentile(login_ms, 0.99) / percentile(versions_ms, 0.99), 1)}

        # 3. Paged listing of M vApps against one Kubernetes list of their VMs.
        more = ["vapp-%04d" % i for i in range(args.vapps, args.listed)]
        instantiate_many(vcd, vdc_urn, item, more)
        wait_running(server, vdc_namespace, "vapp.ssvirt", args.listed, timeout=1800)
        samples, baseline = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            page, seen = 1, 0
            while True:
                body = vcd.expect((200,), "GET", "/cloudapi/1.0.0/vapps?pageSize=128&page=%d" % page)
                seen += len(body["values"])
                if page >= body["pageCount"]:
                    break
                page += 1
            samples.append(time.perf_counter() - t0)
            if seen != args.listed:
                raise SystemExit("listed %d vApps, expected %d" % (seen, args.listed))
            t0 = time.perf_counter()
            status, _ = kube(server, "GET", vm_path(vdc_namespace))
            baseline.append(time.perf_counter() - t0)
        results["list"] = {"vapps": args.listed, "pages": page, "cloudapi_ms": round(min(samples) * 1000, 1),
                           "kube_list_ms": round(min(baseline) * 1000, 1),
                           "ratio": round(min(samples) / min(baseline), 2)}
    finally:
        server.stop()

    print("%-44s %12s %12s %8s" % ("measure", "virtyard", "baseline", "ratio"))
    i = results["instantiate"]
    print("%-44s %11.2fs %11.2fs %7.2fx" % ("%d vApps instantiated until Running" % i["vapps"], i["cloudapi_s"],
                                             i["direct_s"], i["ratio"]))
    login = results["login"]
    print("%-44s %10.1fms %10.2fms %7.1fx" % ("login + org list p99 (vs /api/versions)", login["p99_ms"],
                                               login["versions_p99_ms"], login["ratio_p99"]))
    listing = results["list"]
    print("%-44s %10.1fms %10.1fms %7.2fx" % ("list %d vApps, %d pages (vs one VM list)" % (
        listing["vapps"], listing["pages"]), listing["cloudapi_ms"], listing["kube_list_ms"], listing["ratio"]))
    try:
        merged = json.load(open(args.output))
    except (OSError, ValueError):
        merged = {}
    merged["vcd"] = results
    with open(args.output, "w") as f:
        json.dump(merged, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
