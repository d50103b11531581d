"""The provisioning REST API (issue 15, docs/provisioning.md) on the platform address, against
a real `virtyard serve`: moxxie's routes and shapes, authentication (bearer token or
X-API-Key), the 400 Constraint Violation body, dry runs, 409s and 404s, safe mode on VM
deletes, and the audit log persisted as AuditEntry objects (it survives `kill -9`).

What the controllers and the simulated guests do with an accepted request (nodes joining,
scale, upgrade, rollback) is tested elsewhere; here only what the REST layer promises, plus
decommission ending in a 404 once the controller has released the cluster.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import VirtyardServer, new_name, provisioner_attached, wait_until

IMAGE = {"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}
NAMESPACE = "virtyard-clusters"
MOXXIE_ERROR_KEYS = {"error", "message", "status", "timestamp"}


@pytest.fixture(autouse=True)
def _provisioner_attached(request):
    for fixture in ("server", "fresh_server"):
        if fixture in request.fixturenames:
            provisioner_attached(request.getfixturevalue(fixture))


def spec(name: str, workers: int = 1, **extra) -> dict:
    body = {
        "name": name, "type": "K3S", "version": "v1.32.0+k3s1",
        "nodeGroups": [
            {"name": "cp", "role": "CONTROL_PLANE", "count": 1,
             "template": {"cores": 1, "memoryMB": 1024, "imageSource": IMAGE}},
            {"name": "work", "role": "WORKER", "count": workers,
             "template": {"cores": 1, "memoryMB": 1024, "imageSource": IMAGE}},
        ],
    }
    body.update(extra)
    return body


def api(srv: VirtyardServer, method: str, path: str, body=None, token=True, headers=None):
    return srv.http(method, path, body=body, token=token, headers=headers, platform=True)


def assert_moxxie_error(resp, status: int, code: str) -> dict:
    assert resp.status == status, resp
    body = resp.json()
    assert MOXXIE_ERROR_KEYS <= set(body), body
    assert body["error"] == code and body["status"] == status, body
    return body


def audit(srv: VirtyardServer, query: str = "?limit=1000") -> list[dict]:
    resp = api(srv, "GET", "/api/v1/safety/audit" + query)
    assert resp.status == 200, resp
    return resp.json()["entries"]


def test_provision_answers_202_with_the_operation_and_kubectl_sees_it(server):
    name = new_name("rest")
    resp = api(server, "POST", "/api/v1/clusters/provision", spec(name))
    assert resp.status == 202, resp
    body = resp.json()
    op = body["operationId"]
    assert re.fullmatch(r"op-[0-9a-f]{8}", op)
    assert resp.headers["Location"] == f"/api/v1/clusters/operations/{op}"
    assert body["clusterName"] == name and body["totalNodes"] == 2
    for key in ("status", "progressPercentage", "currentOperation", "successfulNodes", "failedNodes",
                "startTime", "nodeStates", "links"):
        assert key in body, key
    assert body["links"]["status"] == f"/api/v1/clusters/operations/{op}"

    read = api(server, "GET", f"/api/v1/clusters/operations/{op}")
    assert read.status == 200 and read.json()["operationId"] == op
    listed = api(server, "GET", "/api/v1/clusters/operations")
    assert listed.status == 200 and isinstance(listed.json(), list)
    assert op in [o["operationId"] for o in listed.json()]
    cluster = api(server, "GET", f"/api/v1/clusters/{name}")
    assert cluster.status == 200 and cluster.json()["name"] == name

    got = server.kubectl("get", "clusterdefinition", name, "-n", NAMESPACE, "-o", "json")
    definition = json.loads(got.stdout)
    assert definition["metadata"]["annotations"]["virtyard.io/operation-id"] == op
    ops = server.kubectl("get", "clusteroperations", "-n", NAMESPACE)
    assert op in ops.stdout
    entries = [e for e in audit(server, "?limit=1000&startTime=2000-01-01T00:00:00Z") if e.get("operationId") == op]
    assert entries and entries[0]["operation"] == "PROVISION" and entries[0]["decision"] == "ACCEPTED"
    assert entries[0]["user"] == "admin"
    printed = server.kubectl("get", "auditentries", "-n", NAMESPACE)
    assert "PROVISION" in printed.stdout and "ACCEPTED" in printed.stdout


def test_x_api_key_is_the_admin_token_and_no_token_is_401(server):
    key = api(server, "GET", "/api/v1/clusters", token=None, headers={"X-API-Key": server.token})
    assert key.status == 200, key
    assert_moxxie_error(api(server, "GET", "/api/v1/clusters", token=None), 401, "UNAUTHORIZED")
    assert_moxxie_error(api(server, "GET", "/api/v1/clusters", token=None, headers={"X-API-Key": "nope"}),
                        401, "UNAUTHORIZED")
    name = new_name("anon")
    assert_moxxie_error(api(server, "POST", "/api/v1/clusters/provision", spec(name), token=None), 401, "UNAUTHORIZED")
    assert_moxxie_error(api(server, "GET", f"/api/v1/clusters/{name}"), 404, "RESOURCE_NOT_FOUND")


def test_a_bad_spec_lists_every_violation_and_creates_nothing(server):
    name = new_name("bad")
    body = spec(name, workers=0, version="1.32")
    body["nodeGroups"][0]["template"]["memoryMB"] = 256
    body["nodeGroups"][1]["template"]["cores"] = 1000
    body["services"] = [{"name": "a", "type": "DNS", "dependsOn": ["b"]},
                        {"name": "b", "type": "DNS", "dependsOn": ["a"]},
                        {"name": "lb", "type": "LOAD_BALANCER", "configuration": {"implementation": "nginx"}}]
    resp = api(server, "POST", "/api/v1/clusters/provision", body)
    assert resp.status == 400, resp
    answer = resp.json()
    assert answer["title"] == "Constraint Violation" and answer["status"] == 400
    fields = {v["field"] for v in answer["violations"]}
    assert {"version", "nodeGroups[1].count", "nodeGroups[0].template.memoryMB", "nodeGroups[1].template.cores",
            "services[2].configuration.implementation"} <= fields, answer
    assert any("cycle" in v["message"] for v in answer["violations"] if v["field"].startswith("services[")), answer
    assert_moxxie_error(api(server, "GET", f"/api/v1/clusters/{name}"), 404, "RESOURCE_NOT_FOUND")
    vms = server.kubectl("get", "vm", "-n", NAMESPACE, "-l", f"virtyard.io/cluster={name}", "-o", "name", check=False)
    assert vms.stdout.strip() == ""
    assert not [o for o in api(server, "GET", "/api/v1/clusters/operations").json() if o["clusterName"] == name]


def test_malformed_json_and_hostile_inputs_are_4xx(server):
    assert_moxxie_error(api(server, "POST", "/api/v1/clusters/provision", b"{\"name\": "), 400, "BAD_REQUEST")
    assert_moxxie_error(api(server, "POST", "/api/v1/clusters/provision", b"[" * 10000), 400, "BAD_REQUEST")
    assert_moxxie_error(api(server, "POST", "/api/v1/clusters/provision", {"name": 5}), 400, "BAD_REQUEST")
    for op in ("op-00000000", "op-ZZZZZZZZ", "x" * 300):
        assert_moxxie_error(api(server, "GET", f"/api/v1/clusters/operations/{op}"), 404, "RESOURCE_NOT_FOUND")
    assert_moxxie_error(api(server, "GET", "/api/v1/clusters/NOT_A_LABEL"), 404, "RESOURCE_NOT_FOUND")
    for query in ("?limit=0", "?limit=1001", "?limit=x", "?startTime=yesterday"):
        assert_moxxie_error(api(server, "GET", "/api/v1/safety/audit" + query), 400, "BAD_REQUEST")


def test_dry_run_answers_the_plan_and_writes_nothing(server):
    name = new_name("plan")
    resp = api(server, "POST", "/api/v1/clusters/provision", spec(name, options={"dryRun": True}))
    assert resp.status == 200, resp
    plan = resp.json()
    assert plan["dryRun"] is True and [n["name"] for n in plan["nodes"]] == [f"{name}-cp-01", f"{name}-work-01"]
    assert all(n["configuration"].startswith("#cloud-config") for n in plan["nodes"])
    assert plan["objects"]["kind"] == "List"
    assert_moxxie_error(api(server, "GET", f"/api/v1/clusters/{name}"), 404, "RESOURCE_NOT_FOUND")


def test_an_existing_name_is_409(server):
    name = new_name("dup")
    assert api(server, "POST", "/api/v1/clusters/provision", spec(name)).status == 202
    assert_moxxie_error(api(server, "POST", "/api/v1/clusters/provision", spec(name)), 409, "RESOURCE_CONFLICT")
    assert len([o for o in api(server, "GET", "/api/v1/clusters/operations").json() if o["clusterName"] == name]) == 1


def test_decommission_answers_202_and_the_cluster_is_gone_afterwards(server):
    name = new_name("gone")
    assert api(server, "POST", "/api/v1/clusters/provision", spec(name)).status == 202
    resp = api(server, "DELETE", f"/api/v1/clusters/{name}")
    assert resp.status == 202, resp
    assert resp.json()["type"] == "DECOMMISSION"
    wait_until(lambda: api(server, "GET", f"/api/v1/clusters/{name}").status == 404, timeout=60,
               message=f"cluster {name} decommissioned")
    assert_moxxie_error(api(server, "GET", f"/api/v1/clusters/{name}"), 404, "RESOURCE_NOT_FOUND")


def test_safe_mode_refuses_a_vm_the_provisioner_did_not_make(server, ns):
    vm = {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": "precious", "namespace": ns, "labels": {"virtyard.io/cluster": "someone"}},
        "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}, "resources": {"requests": {"memory": "64Mi"}}}}}},
    }
    server.kubectl("apply", "-f", "-", input=json.dumps(vm))
    refused = api(server, "DELETE", f"/api/v1/vms/{ns}/precious")
    assert refused.status == 403, refused
    body = refused.json()
    assert body["error"] == "SAFE_MODE_VIOLATION" and {"reason", "suggestion"} <= set(body["details"])
    server.kubectl("get", "vm", "precious", "-n", ns)
    forced = api(server, "DELETE", f"/api/v1/vms/{ns}/precious?force=true")
    assert forced.status == 200 and forced.json()["decision"] == "OVERRIDDEN", forced
    assert_moxxie_error(api(server, "DELETE", f"/api/v1/vms/{ns}/nothing"), 404, "RESOURCE_NOT_FOUND")
    decisions = [e["decision"] for e in audit(server, "?limit=1000&startTime=2000-01-01T00:00:00Z")
                 if e.get("resource") == f"vm/{ns}/precious"]
    assert decisions == ["BLOCKED", "OVERRIDDEN"]


def test_operations_and_the_audit_log_survive_kill_9(fresh_server):
    name = new_name("durable")
    resp = api(fresh_server, "POST", "/api/v1/clusters/provision", spec(name))
    assert resp.status == 202, resp
    op = resp.json()["operationId"]
    before = [e for e in audit(fresh_server) if e.get("operationId") == op]
    assert before
    fresh_server.kill9()
    provisioner_attached(fresh_server.start())
    assert api(fresh_server, "GET", f"/api/v1/clusters/operations/{op}").status == 200
    after = [e for e in audit(fresh_server) if e.get("operationId") == op]
    assert after[: len(before)] == before
