"""Cluster provisioning (issue 15) through the REST API on the platform address, seen with
kubectl and checked by the real validators (`check-bootconfig`, `validate-objects`).

The embedded simulated guests boot what was rendered: a cluster is COMPLETED only when its
nodes joined the virtual cluster their first control plane started, so reading the nested
cluster's `/version` and Nodes with the cluster's kubeconfig proves the configs were right.
"""
from __future__ import annotations

import base64
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import (KUBECTL, VALIDATE_OBJECTS, VirtyardServer, new_name, provisioner_attached, run_kubectl,
                      wait_until)

CHECK_BOOTCONFIG = VALIDATE_OBJECTS.parent / "check-bootconfig"
NAMESPACE = "virtyard-clusters"
PROVISION_TIMEOUT = 90.0
IMAGE = {"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}


@pytest.fixture(autouse=True)
def _provisioner_attached(request):
    for fixture in ("server", "fresh_server"):
        if fixture in request.fixturenames:
            provisioner_attached(request.getfixturevalue(fixture))


def group(name: str, role: str, count: int = 1, **extra) -> dict:
    return {"name": name, "role": role, "count": count,
            "template": {"cores": 1, "memoryMB": 1024, "diskGB": 10, "imageSource": IMAGE}, **extra}


def spec(name: str, type_: str = "K3S", version: str = "v1.32.0+k3s1", workers: int = 1, **extra) -> dict:
    groups = [group("cp", "CONTROL_PLANE")]
    if workers:
        groups.append(group("work", "WORKER", workers))
    body = {"name": name, "type": type_, "version": version, "nodeGroups": groups}
    body.update(extra)
    return body


def platform(srv: VirtyardServer, method: str, path: str, body=None, **kwargs):
    return srv.http(method, path, body=body, platform=True, **kwargs)


def operation(srv: VirtyardServer, op_id: str) -> dict:
    response = platform(srv, "GET", f"/api/v1/clusters/operations/{op_id}")
    assert response.status == 200, response
    return response.json()


def wait_operation(srv: VirtyardServer, op_id: str, want: set[str] | None = None,
                   timeout: float = PROVISION_TIMEOUT) -> dict:
    """Waits until the operation is finished; asserts it ended in one of `want`."""
    finished = {"COMPLETED", "FAILED", "ROLLED_BACK", "CANCELLED"}
    op = wait_until(lambda: (o := operation(srv, op_id)) and o["status"] in finished and o,
                    timeout=timeout, interval=0.25, message=f"operation {op_id} to finish")
    if want is not None:
        assert op["status"] in want, op
    return op


def provision(srv: VirtyardServer, body: dict, want: set[str] | None = frozenset({"COMPLETED"})) -> dict:
    response = platform(srv, "POST", "/api/v1/clusters/provision", body)
    assert response.status == 202, response
    accepted = response.json()
    assert accepted["clusterName"] == body["name"]
    op_id = accepted["operationId"]
    assert response.headers.get("Location") == f"/api/v1/clusters/operations/{op_id}"
    return wait_operation(srv, op_id, want) if want is not None else accepted


def kubectl_json(srv: VirtyardServer, *args: str):
    return json.loads(run_kubectl(srv, *args, "-o", "json").stdout)


def cluster_vms(srv: VirtyardServer, name: str) -> list[dict]:
    return kubectl_json(srv, "get", "vm", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}")["items"]


def nested_kubeconfig(srv: VirtyardServer, name: str, directory: Path) -> Path:
    response = platform(srv, "GET", f"/api/v1/clusters/{name}/kubeconfig")
    assert response.status == 200, response
    path = directory / f"{name}.kubeconfig"
    path.write_text(response.text)
    path.chmod(0o600)
    return path


def nested(kubeconfig: Path, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args], capture_output=True,
                          text=True, timeout=60, check=check, input=input)


def nested_nodes(kubeconfig: Path) -> dict[str, dict]:
    items = json.loads(nested(kubeconfig, "get", "nodes", "-o", "json").stdout)["items"]
    return {node["metadata"]["name"]: node for node in items}


def node_ready(node: dict) -> str:
    return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")


def check_rendered_configs(srv: VirtyardServer, name: str, directory: Path) -> int:
    """Every node's user data Secret goes through check-bootconfig; returns how many."""
    secrets = kubectl_json(srv, "get", "secrets", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}")["items"]
    files = []
    for secret in secrets:
        if not secret["metadata"]["name"].endswith("-userdata"):
            continue
        path = directory / secret["metadata"]["name"]
        path.write_bytes(base64.b64decode(secret["data"]["userdata"]))
        files.append(str(path))
    assert files, f"no user data Secrets for {name}"
    result = subprocess.run([str(CHECK_BOOTCONFIG), *files], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return len(files)


def validate_objects(srv: VirtyardServer, name: str, directory: Path) -> None:
    path = directory / f"{name}-vms.yaml"
    path.write_text(run_kubectl(srv, "get", "vm", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}",
                                "-o", "yaml").stdout)
    result = subprocess.run([str(VALIDATE_OBJECTS), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# -- provisioning every type -----------------------------------------------------------


TYPES = [
    ("K3S", "v1.32.0+k3s1", "v1.32.0+k3s1"),
    ("RKE2", "v1.32.0+rke2r1", "v1.32.0+rke2r1"),
    ("VANILLA", "v1.32.0", "v1.32.0"),
    ("TALOS", "v1.32.0", "v1.32.0"),
]


@pytest.mark.parametrize("type_,version,git_version", TYPES, ids=[t[0] for t in TYPES])
def test_provision_boots_the_rendered_configs(server, tmp_path, type_, version, git_version):
    name = new_name(type_.lower())
    op = provision(server, spec(name, type_, version, workers=2))
    assert op["progressPercentage"] == 100
    assert op["totalNodes"] == 3 and op["successfulNodes"] == 3 and op["failedNodes"] == 0
    assert sorted(n["name"] for n in op["nodeStates"]) == [f"{name}-cp-01", f"{name}-work-01", f"{name}-work-02"]
    assert {n["status"] for n in op["nodeStates"]} == {"READY"}

    cluster = kubectl_json(server, "get", "clusterdefinition", "-n", NAMESPACE, name)
    assert cluster["status"]["phase"] == "COMPLETED"
    printed = run_kubectl(server, "get", "clusterdefinitions", "-n", NAMESPACE, name).stdout
    assert "COMPLETED" in printed and type_ in printed

    vms = cluster_vms(server, name)
    assert sorted(vm["metadata"]["name"] for vm in vms) == [f"{name}-cp-01", f"{name}-work-01", f"{name}-work-02"]
    for vm in vms:
        labels = vm["metadata"]["labels"]
        assert labels["virtyard.io/managed-by"] == "provisioning"
        assert vm["metadata"]["ownerReferences"][0]["kind"] == "ClusterDefinition"
        volumes = vm["spec"]["template"]["spec"]["volumes"]
        refs = [v for v in volumes if "cloudInitNoCloud" in v or "cloudInitConfigDrive" in v]
        assert refs, volumes
        source = refs[0].get("cloudInitNoCloud") or refs[0].get("cloudInitConfigDrive")
        assert source["secretRef"]["name"] == vm["metadata"]["name"] + "-userdata"
        assert "userData" not in source
    for secret in ("ca", "bootstrap", "kubeconfig"):
        run_kubectl(server, "get", "secret", "-n", NAMESPACE, f"{name}-{secret}")
    assert check_rendered_configs(server, name, tmp_path) == 3
    validate_objects(server, name, tmp_path)

    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    version_doc = json.loads(nested(kubeconfig, "version", "-o", "json").stdout)
    assert version_doc["serverVersion"]["gitVersion"] == git_version
    nodes = nested_nodes(kubeconfig)
    assert sorted(nodes) == [f"{name}-cp-01", f"{name}-work-01", f"{name}-work-02"]
    for node_name, node in nodes.items():
        assert node["status"]["nodeInfo"]["kubeletVersion"] == git_version
        assert node_ready(node) == "True"
        control_plane = "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]
        assert control_plane == ("-cp-" in node_name), node["metadata"]["labels"]


def test_supporting_services_follow_their_dependencies(server, tmp_path):
    name = new_name("svc")
    body = spec(name, workers=1, services=[
        {"name": "lb", "type": "LOAD_BALANCER", "dependsOn": ["dns"]},
        {"name": "dns", "type": "DNS"},
    ])
    provision(server, body)
    selector = f"virtyard.io/cluster={name},virtyard.io/service"
    services = kubectl_json(server, "get", "services", "-n", NAMESPACE, "-l", selector)["items"]
    vms = kubectl_json(server, "get", "vm", "-n", NAMESPACE, "-l", selector)["items"]
    by_service = {o["metadata"]["labels"]["virtyard.io/service"]: o for o in services + vms}
    assert set(by_service) == {"lb", "dns"}, sorted(by_service)
    # dns before lb: the load balancer depends on it.
    assert by_service["dns"]["metadata"]["creationTimestamp"] <= by_service["lb"]["metadata"]["creationTimestamp"]
    assert by_service["dns"]["kind"] == "VirtualMachine"
    # The dnsmasq VM's cloud-config goes through the same validator as the nodes'.
    assert check_rendered_configs(server, name, tmp_path) == 3
    run_kubectl(server, "get", "service", "-n", NAMESPACE, f"{name}-api")


def test_an_haproxy_load_balancer_is_a_vm_with_its_checked_config(server, tmp_path):
    name = new_name("hap")
    body = spec(name, "RKE2", "v1.32.0+rke2r1", workers=1, services=[
        {"name": "lb", "type": "LOAD_BALANCER", "configuration": {"implementation": "haproxy"}},
    ])
    provision(server, body)
    selector = f"virtyard.io/cluster={name},virtyard.io/service=lb,virtyard.io/managed-by=provisioning"
    vms = kubectl_json(server, "get", "vm", "-n", NAMESPACE, "-l", selector)["items"]
    assert [vm["metadata"]["name"] for vm in vms] == [f"{name}-lb"], vms
    secret = kubectl_json(server, "get", "secret", "-n", NAMESPACE, f"{name}-lb-userdata")
    assert secret["metadata"]["labels"]["virtyard.io/service"] == "lb"
    config = base64.b64decode(secret["data"]["userdata"]).decode()
    assert "/etc/haproxy/haproxy.cfg" in config and "bind *:6443" in config and "bind *:9345" in config
    assert "mode tcp" in config and "check" in config
    services = {s["metadata"]["name"]: s for s in
                kubectl_json(server, "get", "services", "-n", NAMESPACE, "-l", selector)["items"]}
    assert services[f"{name}-lb"]["spec"]["type"] == "LoadBalancer"
    assert services[f"{name}-lb-backends"]["spec"]["clusterIP"] == "None"
    # The HAProxy VM's cloud-config and the VM itself through the real validators.
    assert check_rendered_configs(server, name, tmp_path) == 3
    validate_objects(server, name, tmp_path)

    response = platform(server, "DELETE", f"/api/v1/clusters/{name}")
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    wait_until(lambda: cluster_vms(server, name) == [], timeout=30, message="the HAProxy VM removed")
    left = kubectl_json(server, "get", "secrets,services", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}")
    assert left["items"] == [], [o["metadata"]["name"] for o in left["items"]]


def test_generic_cluster_is_vms_only(server):
    name = new_name("generic")
    body = {"name": name, "type": "GENERIC", "nodeGroups": [group("vm", "WORKER", 2)]}
    provision(server, body)
    assert len(cluster_vms(server, name)) == 2
    assert platform(server, "GET", f"/api/v1/clusters/{name}").status == 200


# -- bad input ---------------------------------------------------------------------------


def test_auth_duplicate_and_unknowns(server):
    name = new_name("auth")
    body = spec(name, workers=0)
    assert platform(server, "POST", "/api/v1/clusters/provision", body, token=None).status == 401
    assert platform(server, "POST", "/api/v1/clusters/provision", body, token="not-the-token").status == 401
    # moxxie's clients send the key as X-API-Key.
    response = platform(server, "POST", "/api/v1/clusters/provision", body, token=None,
                        headers={"X-API-Key": server.token})
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    again = platform(server, "POST", "/api/v1/clusters/provision", body)
    assert again.status == 409, again
    assert platform(server, "GET", "/api/v1/clusters/operations/op-00000000").status == 404
    assert platform(server, "GET", "/api/v1/clusters/operations/..%2f..%2fetc").status in (400, 404)
    assert platform(server, "GET", f"/api/v1/clusters/{new_name('none')}").status == 404
    listed = platform(server, "GET", "/api/v1/clusters/operations")
    assert listed.status == 200 and isinstance(listed.json(), list)
    assert response.json()["operationId"] in {o["operationId"] for o in listed.json()}


# -- lifecycle ---------------------------------------------------------------------------


def test_scale_up_and_down(server, tmp_path):
    name = new_name("scale")
    provision(server, spec(name, workers=1))
    response = platform(server, "PUT", f"/api/v1/clusters/{name}/scale", {"nodeGroup": "work", "targetCount": 3})
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    assert sorted(nested_nodes(kubeconfig)) == [f"{name}-cp-01", f"{name}-work-01", f"{name}-work-02",
                                                f"{name}-work-03"]
    response = platform(server, "PUT", f"/api/v1/clusters/{name}/scale", {"nodeGroup": "work", "targetCount": 1})
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    assert sorted(vm["metadata"]["name"] for vm in cluster_vms(server, name)) == [f"{name}-cp-01", f"{name}-work-01"]
    wait_until(lambda: sorted(nested_nodes(kubeconfig)) == [f"{name}-cp-01", f"{name}-work-01"], timeout=30)
    userdata = [s["metadata"]["name"] for s in
                kubectl_json(server, "get", "secrets", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}")["items"]
                if s["metadata"]["name"].endswith("-userdata")]
    assert sorted(userdata) == [f"{name}-cp-01-userdata", f"{name}-work-01-userdata"]
    # The control plane never goes below one node; an unknown group is a 400 too.
    assert platform(server, "PUT", f"/api/v1/clusters/{name}/scale",
                    {"nodeGroup": "cp", "targetCount": 0}).status == 400
    assert platform(server, "PUT", f"/api/v1/clusters/{name}/scale",
                    {"nodeGroup": "nope", "targetCount": 2}).status == 400


def test_rolling_upgrade_replaces_nodes_and_refuses_downgrades(server, tmp_path):
    name = new_name("upgrade")
    provision(server, spec(name, version="v1.31.4+k3s1", workers=1))
    assert platform(server, "PUT", f"/api/v1/clusters/{name}/upgrade", {"version": "v1.30.0+k3s1"}).status == 400
    assert platform(server, "PUT", f"/api/v1/clusters/{name}/upgrade", {"version": "v1.33.0+k3s1"}).status == 400
    before = {vm["metadata"]["name"]: vm["metadata"]["uid"] for vm in cluster_vms(server, name)}
    response = platform(server, "PUT", f"/api/v1/clusters/{name}/upgrade", {"version": "v1.32.0+k3s1"})
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    after = {vm["metadata"]["name"]: vm["metadata"]["uid"] for vm in cluster_vms(server, name)}
    assert sorted(after) == sorted(before)
    # Replaced, never changed in place.
    assert all(after[vm] != before[vm] for vm in before), (before, after)
    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    nodes = nested_nodes(kubeconfig)
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in nodes.values()} == {"v1.32.0+k3s1"}
    assert check_rendered_configs(server, name, tmp_path) == 2
    cluster = kubectl_json(server, "get", "clusterdefinition", "-n", NAMESPACE, name)
    assert cluster["status"]["version"] == "v1.32.0+k3s1"


def test_validate_sees_a_halted_node_and_the_provisioner_leaves_it_halted(server, tmp_path):
    name = new_name("halt")
    provision(server, spec(name, workers=1))
    response = platform(server, "POST", f"/api/v1/clusters/{name}/validate")
    assert response.status == 200, response
    assert response.json()["status"] == "PASSED", response.json()
    worker = f"{name}-work-01"
    run_kubectl(server, "patch", "vm", "-n", NAMESPACE, worker, "--type", "merge",
                "-p", '{"spec": {"runStrategy": "Halted"}}')
    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    wait_until(lambda: node_ready(nested_nodes(kubeconfig)[worker]) != "True", timeout=30)
    report = platform(server, "POST", f"/api/v1/clusters/{name}/validate").json()
    assert report["status"] in ("FAILED", "WARNING"), report
    assert any(worker in check["message"] and check["status"] != "PASSED" for check in report["checks"]), report
    vm = kubectl_json(server, "get", "vm", "-n", NAMESPACE, worker)
    assert vm["spec"]["runStrategy"] == "Halted"
    run_kubectl(server, "patch", "vm", "-n", NAMESPACE, worker, "--type", "merge",
                "-p", '{"spec": {"runStrategy": "Always"}}')
    wait_until(lambda: node_ready(nested_nodes(kubeconfig)[worker]) == "True", timeout=30)


def test_decommission_never_removes_a_vm_without_the_managed_by_label(server):
    """The controller's side of safe mode (the REST side, 403 and ?force=true, is in
    test_provisioning_api.py): a VM carrying the cluster's label that the provisioner did not
    make survives the decommission, and the audit log records the cluster's operations."""
    name = new_name("safe")
    provision(server, spec(name, workers=1))
    foreign = f"{name}-foreign"
    manifest = {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": foreign, "namespace": NAMESPACE, "labels": {"virtyard.io/cluster": name}},
        "spec": {"runStrategy": "Halted", "template": {"spec": {
            "domain": {"devices": {}, "resources": {"requests": {"memory": "128Mi"}}},
        }}},
    }
    run_kubectl(server, "apply", "-f", "-", input=json.dumps(manifest))

    response = platform(server, "DELETE", f"/api/v1/clusters/{name}")
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    wait_until(lambda: platform(server, "GET", f"/api/v1/clusters/{name}").status == 404, timeout=30)
    assert [vm["metadata"]["name"] for vm in cluster_vms(server, name)] == [foreign]
    run_kubectl(server, "delete", "vm", "-n", NAMESPACE, foreign)

    entries = platform(server, "GET", "/api/v1/safety/audit?limit=1000").json()["entries"]
    actions = {(e.get("operation"), e.get("decision")) for e in entries if e.get("resource") == f"{NAMESPACE}/{name}"}
    assert {("PROVISION", "COMPLETED"), ("DECOMMISSION", "COMPLETED")} <= actions, actions


def test_decommissioned_cluster_kubeconfig_stops_working(server, tmp_path):
    name = new_name("gone")
    provision(server, spec(name, workers=0))
    kubeconfig = nested_kubeconfig(server, name, tmp_path)
    nested(kubeconfig, "get", "nodes")
    response = platform(server, "DELETE", f"/api/v1/clusters/{name}")
    assert response.status == 202, response
    wait_operation(server, response.json()["operationId"], {"COMPLETED"})
    wait_until(lambda: nested(kubeconfig, "get", "nodes", check=False).returncode != 0, timeout=30)
    secrets = kubectl_json(server, "get", "secrets", "-n", NAMESPACE)["items"]
    assert not [s for s in secrets if s["metadata"]["name"].startswith(name + "-")]


def test_cancel_rolls_back(server):
    name = new_name("cancel")
    # Nodes larger than any simulated node (1 TiB of memory; the nodes have 128 GiB): their
    # pods are never scheduled, so the operation is certainly still running when the cancel
    # arrives, however fast or slow the machine is.
    body = spec(name, workers=1)
    for node_group in body["nodeGroups"]:
        node_group["template"]["memoryMB"] = 1_048_576
    accepted = provision(server, body, want=None)
    op_id = accepted["operationId"]
    wait_until(lambda: len(cluster_vms(server, name)) == 2, timeout=30)
    response = platform(server, "POST", f"/api/v1/clusters/operations/{op_id}/cancel")
    assert response.status in (200, 202), response
    op = wait_operation(server, op_id, {"CANCELLED", "ROLLED_BACK"})
    assert op["endTime"]
    wait_until(lambda: cluster_vms(server, name) == [], timeout=30)
    again = platform(server, "POST", f"/api/v1/clusters/operations/{op_id}/cancel")
    assert again.status == 409, again


def test_kill9_mid_provision_resumes_without_leaks(fresh_server):
    names = [new_name("crash") for _ in range(2)]
    ops = [provision(fresh_server, spec(name, workers=2), want=None)["operationId"] for name in names]
    fresh_server.kill9()
    provisioner_attached(fresh_server.restart())
    for name, op_id in zip(names, ops):
        wait_operation(fresh_server, op_id, {"COMPLETED"})
        vms = sorted(vm["metadata"]["name"] for vm in cluster_vms(fresh_server, name))
        assert vms == [f"{name}-cp-01", f"{name}-work-01", f"{name}-work-02"]
        secrets = [s["metadata"]["name"] for s in
                   kubectl_json(fresh_server, "get", "secrets", "-n", NAMESPACE,
                                "-l", f"virtyard.io/cluster={name}")["items"]]
        assert len([s for s in secrets if s.endswith("-userdata")]) == 3, secrets
    ops_listed = platform(fresh_server, "GET", "/api/v1/clusters/operations").json()
    assert {o["operationId"] for o in ops_listed} >= set(ops)
