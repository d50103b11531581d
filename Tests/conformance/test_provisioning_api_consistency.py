"""The provisioning REST API's consistency guarantees (docs/provisioning.md, "The REST API"),
against a real `virtyard serve`: a DECOMMISSION cannot be cancelled (409), and a PENDING
PROVISION whose ClusterDefinition was never written (the request stopped halfway) is marked
FAILED once it is older than 60 s instead of staying PENDING forever.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

import pytest

from conftest import new_name, provisioner_attached, wait_until
from test_provisioning_api import NAMESPACE, api, assert_moxxie_error, spec


@pytest.fixture(autouse=True)
def _provisioner_attached(request):
    for fixture in ("server", "fresh_server"):
        if fixture in request.fixturenames:
            provisioner_attached(request.getfixturevalue(fixture))


def test_a_decommission_cannot_be_cancelled(server):
    name = new_name("leave")
    assert api(server, "POST", "/api/v1/clusters/provision", spec(name)).status == 202
    resp = api(server, "DELETE", f"/api/v1/clusters/{name}")
    assert resp.status == 202, resp
    op = resp.json()["operationId"]
    body = assert_moxxie_error(api(server, "POST", f"/api/v1/clusters/operations/{op}/cancel"), 409, "RESOURCE_CONFLICT")
    assert "DECOMMISSION" in body["message"], body
    got = json.loads(server.kubectl("get", "clusteroperation", op, "-n", NAMESPACE, "-o", "json").stdout)
    assert "cancelRequested" not in got["spec"], got
    wait_until(lambda: api(server, "GET", f"/api/v1/clusters/{name}").status == 404, timeout=60,
               message=f"cluster {name} decommissioned")


def test_a_pending_provision_of_a_cluster_never_created_is_marked_failed_by_the_controller(server):
    # What a crash between writing the ClusterOperation and the ClusterDefinition leaves.
    server.kubectl("create", "namespace", NAMESPACE, check=False)
    op = "op-" + secrets.token_hex(4)
    cluster = new_name("never")
    operation = {
        "apiVersion": "virtyard.io/v1alpha1", "kind": "ClusterOperation",
        "metadata": {"name": op, "namespace": NAMESPACE, "labels": {"virtyard.io/cluster": cluster}},
        "spec": {"operationId": op, "clusterName": cluster, "type": "PROVISION", "requestedBy": "admin"},
    }
    server.kubectl("create", "-f", "-", input=json.dumps(operation))
    started = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status = {"status": {"operationId": op, "clusterName": cluster, "status": "PENDING", "startTime": started,
                         "progressPercentage": 0}}
    server.kubectl("patch", "clusteroperation", op, "-n", NAMESPACE, "--subresource=status", "--type=merge",
                   "-p", json.dumps(status))
    # The controller's sweep marks it (every 10 s); reading it only shows what is stored.
    read = wait_until(lambda: (r := api(server, "GET", f"/api/v1/clusters/operations/{op}")).status == 200
                      and r.json()["status"] == "FAILED" and r, timeout=60, message=f"{op} marked FAILED")
    assert "never created" in read.json()["errorMessage"], read.json()
    stored = json.loads(server.kubectl("get", "clusteroperation", op, "-n", NAMESPACE, "-o", "json").stdout)
    assert stored["status"]["status"] == "FAILED"
    listed = {o["operationId"]: o["status"] for o in api(server, "GET", "/api/v1/clusters/operations").json()}
    assert listed[op] == "FAILED"
