"""Tenancy administration over the Cloud Director compatible API (docs/tenancy.md) with the real
clients: pyvcloud 23.0.4 (`System.create_org`, `Org.create_user`, `list_users`,
`get_role_record`, queries), vcd-cli 24.1.0 (`login`, `org create/list/use`, `user create`,
`vdc list`), ssvirt's JSON routes with requests; the role matrix; VDC namespaces, quotas and
network policies read back with kubectl; kill -9 and restart.

The clients run in a scratch directory with their own HOME (they write logs and profiles).
"""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest

# A plugin (the shared `vcd` server, `scratch`) that these files also import from.
pytest.register_assert_rewrite("vcd_support")
from conftest import serving, wait_until
from vcd_support import XML36, Org, QueryResultFormat, System, VCDServer, vcd_cli

pytest_plugins = ["vcd_support"]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def make_org(vcd: VCDServer, name: str) -> dict:
    resp = vcd.request("POST", "/cloudapi/1.0.0/orgs", headers=vcd.admin_headers(),
                       json={"name": name, "displayName": f"{name} Inc.", "isEnabled": True})
    assert resp.status_code == 201, resp.text
    return resp.json()


def make_user(vcd: VCDServer, org: dict, name: str, role: str, password: str) -> dict:
    resp = vcd.request("POST", "/cloudapi/1.0.0/users", headers=vcd.admin_headers(),
                       json={"username": name, "password": password, "orgEntityRef": {"id": org["id"]},
                             "roleEntityRefs": [{"name": role}], "enabled": True})
    assert resp.status_code == 201, resp.text
    return resp.json()


def make_vdc(vcd: VCDServer, org: dict, name: str, headers: dict | None = None) -> dict:
    body = {"name": name, "description": "test", "allocationModel": "PayAsYouGo",
            "computeCapacity": {"cpu": {"allocated": 2000, "limit": 4000, "units": "MHz"},
                                "memory": {"allocated": 2048, "limit": 4096, "units": "MB"}},
            "nicQuota": 10, "networkQuota": 5, "isEnabled": True}
    resp = vcd.request("POST", f"/api/admin/org/{org['id']}/vdcs", headers=headers or vcd.admin_headers(), json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


# -- pyvcloud ------------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", [None, "33.0"])
def test_pyvcloud_creates_an_organisation_and_its_users(vcd, scratch, api_version):
    """33.0 makes pyvcloud encode query filters twice (`filterEncoded=true`)."""
    name = unique("Wayne")
    client = vcd.client("administrator", "System", vcd.admin_password, api_version)
    try:
        system = System(client, admin_resource=client.get_admin())
        created = system.create_org(name, "Wayne Enterprises", True)
        assert created.get("name") == name
        assert str(created.FullName) == "Wayne Enterprises"
        assert str(created.IsEnabled).lower() == "true"
        org = Org(client, resource=client.get_org_by_name(name))
        role = org.get_role_record("vApp User")
        assert role["name"] == "vApp User" and role["href"].startswith(vcd.vcd + "/api/admin/role/")
        assert {r["name"] for r in org.list_roles()} == {"Organization Administrator", "vApp User"}
        user = org.create_user("bruce", "bruce-pass-1", role["href"], full_name="Bruce", email="b@example.com",
                               is_enabled=True)
        assert user.get("name") == "bruce"
        assert [u.get("name") for u in org.list_users()] == ["bruce"]
        assert org.get_user("bruce").get("href") == user.get("href")
        with pytest.raises(Exception):
            system.create_org(name.upper(), "again", True)
    finally:
        client.logout()
    bruce = vcd.client("bruce", name, "bruce-pass-1", api_version)
    try:
        assert [o.get("name") for o in bruce.get_org_list()] == [name]
        org = Org(bruce, resource=bruce.get_org())
        assert {r["name"] for r in org.list_roles()} == {"Organization Administrator", "vApp User"}
        records = list(bruce.get_typed_query("user", query_result_format=QueryResultFormat.RECORDS).execute())
        assert [r.get("name") for r in records] == ["bruce"]
    finally:
        bruce.logout()
    assert "bruce-pass-1" not in vcd.log_tail(lines=100_000)


def test_pyvcloud_reads_a_vdc_with_its_instantiate_link(vcd, scratch):
    org = make_org(vcd, unique("gotham"))
    vdc = make_vdc(vcd, org, "dev")
    client = vcd.client("administrator", "System", vcd.admin_password)
    try:
        resource = client.get_resource(f"{vcd.vcd}/api/vdc/{vdc['id'].split(':')[-1]}")
        links = {(link.get("rel"), link.get("type")): link.get("href") for link in resource.Link}
        add = links[("add", "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml")]
        assert add.endswith("/action/instantiateVAppTemplate")
        assert str(resource.ComputeCapacity.Cpu.Limit) == "4000"
        records = list(client.get_typed_query("adminOrgVdc", query_result_format=QueryResultFormat.RECORDS,
                                              qfilter=f"name==dev;orgName=={org['name']}").execute())
        assert len(records) == 1 and records[0].get("cpuLimitMhz") == "4000"
    finally:
        client.logout()


# -- vcd-cli -------------------------------------------------------------------------------


def cli(vcd: VCDServer, home: Path, *args: str, ok: bool = True) -> str:
    """vcd-cli trusting the server's CA."""
    return vcd_cli(home, *args, check=ok, ca=vcd.ca)


def test_vcd_cli_creates_an_organisation_and_a_user_and_lists_vdcs(vcd, scratch):
    host = vcd.vcd.removeprefix("https://")
    name = unique("Metro")
    out = cli(vcd, scratch, "login", host, "System", "administrator", "--password", vcd.admin_password)
    assert "administrator logged in, org: 'System'" in out
    assert f"Org '{name}' is successfully created." in cli(vcd, scratch, "org", "create", name, "Metropolis", "--enabled")
    listed = cli(vcd, scratch, "org", "list")
    assert name in listed and "System" in listed
    org = next(o for o in vcd.request("GET", "/cloudapi/1.0.0/orgs?pageSize=128", headers=vcd.admin_headers()).json()["values"]
               if o["name"] == name)
    make_vdc(vcd, org, "prod")
    cli(vcd, scratch, "org", "use", name)
    out = cli(vcd, scratch, "user", "create", "clark", "clark-pass-1", "vApp User", "--enabled")
    assert "clark" in out
    assert "prod" in cli(vcd, scratch, "vdc", "list")
    assert "logged out" in cli(vcd, scratch, "logout")
    # The new user logs in with vcd-cli and sees their organisation and VDC.
    home = scratch / "clark"
    home.mkdir()
    assert "clark logged in" in cli(vcd, home, "login", host, name, "clark", "--password", "clark-pass-1")
    assert "prod" in cli(vcd, home, "vdc", "list")
    assert "System" not in cli(vcd, home, "org", "list")
    denied = cli(vcd, home, "org", "create", unique("nope"), "Nope", "--enabled", ok=False)
    assert "Error" in denied


# -- the role matrix -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_tenants(vcd) -> dict:
    a, b = make_org(vcd, unique("alpha")), make_org(vcd, unique("beta"))
    make_user(vcd, a, "admin-a", "Organization Administrator", "admin-a-pass")
    make_user(vcd, a, "user-a", "vApp User", "user-a-pass")
    make_user(vcd, b, "admin-b", "Organization Administrator", "admin-b-pass")
    vdc_b = make_vdc(vcd, b, "vdc")
    return {"a": a, "b": b, "vdc_b": vdc_b}


def test_vapp_user_may_create_no_organisation_vdc_or_user(vcd, two_tenants):
    a = two_tenants["a"]
    user = vcd.headers("user-a", a["name"], "user-a-pass")
    assert vcd.request("POST", "/cloudapi/1.0.0/orgs", headers=user, json={"name": unique("x")}).status_code == 403
    assert vcd.request("POST", f"/api/admin/org/{a['id']}/vdcs", headers=user,
                       json={"name": "x", "allocationModel": "Flex"}).status_code == 403
    assert vcd.request("POST", "/cloudapi/1.0.0/users", headers=user,
                       json={"username": "x", "password": "xxxxxxxx"}).status_code == 403
    xml = {**user, "Accept": XML36, "Content-Type": "application/vnd.vmware.admin.organization+xml"}
    assert vcd.request("POST", "/api/admin/orgs", headers=xml,
                       data=f'<AdminOrg name="{unique("x")}"><FullName>x</FullName></AdminOrg>').status_code == 403


def test_org_admin_of_one_organisation_cannot_touch_another(vcd, two_tenants):
    a, b = two_tenants["a"], two_tenants["b"]
    admin_a = vcd.headers("admin-a", a["name"], "admin-a-pass")
    created = vcd.request("POST", "/cloudapi/1.0.0/users", headers=admin_a,
                          json={"username": "user-a2", "password": "user-a2-pass"})
    assert created.status_code == 201, created.text
    assert created.json()["orgEntityRef"]["name"] == a["name"]
    assert vcd.request("POST", "/cloudapi/1.0.0/users", headers=admin_a,
                       json={"username": "evil", "password": "evil-pass", "orgEntityRef": {"id": b["id"]}}).status_code == 403
    vdc_b = two_tenants["vdc_b"]["id"]
    for method, path in [("GET", f"/cloudapi/1.0.0/orgs/{b['id']}"), ("GET", f"/api/admin/org/{b['id']}/vdcs"),
                         ("GET", f"/cloudapi/1.0.0/vdcs/{vdc_b}"), ("DELETE", f"/cloudapi/1.0.0/orgs/{b['id']}"),
                         ("GET", f"/api/vdc/{vdc_b.split(':')[-1]}")]:
        resp = vcd.request(method, path, headers=admin_a)
        assert resp.status_code in (403, 404), (method, path, resp.status_code, resp.text)
    users = vcd.request("GET", "/cloudapi/1.0.0/users?pageSize=128", headers=admin_a).json()["values"]
    assert {u["orgEntityRef"]["name"] for u in users} == {a["name"]}
    assert vcd.request("POST", f"/api/admin/org/{a['id']}/vdcs", headers=admin_a,
                       json={"name": "x", "allocationModel": "Flex"}).status_code == 403


def test_disabling_a_user_kills_their_existing_token(vcd, two_tenants):
    a = two_tenants["a"]
    user = make_user(vcd, a, unique("temp"), "vApp User", "temp-pass-1")
    headers = vcd.headers(user["username"], a["name"], "temp-pass-1")
    assert vcd.request("GET", "/cloudapi/1.0.0/orgs", headers=headers).status_code == 200
    admin_a = vcd.headers("admin-a", a["name"], "admin-a-pass")
    resp = vcd.request("PUT", f"/cloudapi/1.0.0/users/{user['id']}", headers=admin_a, json={"enabled": False})
    assert resp.status_code == 200, resp.text
    assert vcd.request("GET", "/cloudapi/1.0.0/orgs", headers=headers).status_code == 401
    assert vcd.login(user["username"], a["name"], "temp-pass-1").status_code == 401
    # Even re-enabled, the old token stays dead (its kept session is gone).
    vcd.request("PUT", f"/cloudapi/1.0.0/users/{user['id']}", headers=admin_a, json={"enabled": True})
    assert vcd.request("GET", "/cloudapi/1.0.0/orgs", headers=headers).status_code == 401


def test_hostile_bodies_are_400_and_create_nothing(vcd):
    headers = vcd.admin_headers()
    before = vcd.request("GET", "/cloudapi/1.0.0/orgs?pageSize=128", headers=headers).json()["resultTotal"]
    for body in ["{", "[]", '{"name": "has space"}', '{"name": "' + "a" * 64 + '"}', '{"name": 7}']:
        resp = vcd.request("POST", "/cloudapi/1.0.0/orgs", headers={**headers, "Content-Type": "application/json"}, data=body)
        assert resp.status_code == 400, (body, resp.text)
        assert "message" in resp.json()
    xml = {**vcd.admin_headers(XML36), "Content-Type": "application/vnd.vmware.admin.organization+xml"}
    for body in ["<AdminOrg name='x'><FullName>", "<Nope/>", "<!DOCTYPE a [<!ENTITY b 'c'>]><AdminOrg name='y'/>"]:
        resp = vcd.request("POST", "/api/admin/orgs", headers=xml, data=body)
        assert resp.status_code == 400 and "<Error" in resp.text and "message=" in resp.text, (body, resp.text)
    assert vcd.request("GET", "/cloudapi/1.0.0/orgs?pageSize=128", headers=headers).json()["resultTotal"] == before
    dup = vcd.request("POST", "/cloudapi/1.0.0/orgs", headers=headers, json={"name": "SYSTEM"})
    assert dup.status_code == 400 and dup.json()["minorErrorCode"] == "DUPLICATE_NAME"


# -- VDCs on Kubernetes ---------------------------------------------------------------------


def kube_json(vcd: VCDServer, *args: str) -> dict:
    return json.loads(vcd.kubectl("get", *args, "-o", "json").stdout)


def test_vdc_namespace_quota_and_network_policy(vcd, two_tenants):
    b, vdc = two_tenants["b"], two_tenants["vdc_b"]
    namespace = f"vdc-{b['name'].lower()}-vdc"
    assert vdc["namespace"] == namespace
    labels = kube_json(vcd, "namespace", namespace)["metadata"]["labels"]
    assert labels["ssvirt.io/organization"] == b["name"].lower()
    assert labels["ssvirt.io/organization-id"] == b["id"].split(":")[-1]
    assert labels["ssvirt.io/vdc"] == "vdc" and labels["ssvirt.io/vdc-id"] == vdc["id"].split(":")[-1]
    assert labels["app.kubernetes.io/managed-by"] == "virtyard"
    hard = kube_json(vcd, "resourcequota", "vdc-quota", "-n", namespace)["spec"]["hard"]
    assert hard == {"limits.cpu": "4000m", "requests.cpu": "2000m", "limits.memory": "4096Mi", "requests.memory": "2048Mi"}
    policy = kube_json(vcd, "networkpolicy", "vdc-isolation", "-n", namespace)["spec"]
    assert policy["podSelector"] == {} and policy["ingress"] == [{"from": [{"podSelector": {}}]}]
    # The VDC object is the truth: what is deleted or changed by hand comes back.
    vcd.kubectl("delete", "resourcequota", "vdc-quota", "-n", namespace)
    vcd.kubectl("patch", "networkpolicy", "vdc-isolation", "-n", namespace, "--type=merge", "-p",
                '{"spec":{"ingress":[{}]}}')
    wait_until(lambda: vcd.kubectl("get", "resourcequota", "vdc-quota", "-n", namespace, check=False).returncode == 0,
               timeout=30, message="the quota to come back")
    wait_until(lambda: kube_json(vcd, "networkpolicy", "vdc-isolation", "-n", namespace)["spec"]["ingress"]
               == [{"from": [{"podSelector": {}}]}], timeout=30, message="the policy to be put back")
    # A change through the API reaches the quota.
    resp = vcd.request("PUT", f"/api/admin/org/{b['id']}/vdcs/{vdc['id']}", headers=vcd.admin_headers(),
                       json={"computeCapacity": {"memory": {"limit": 8192, "allocated": 1024}}})
    assert resp.status_code == 200, resp.text
    assert kube_json(vcd, "resourcequota", "vdc-quota", "-n", namespace)["spec"]["hard"]["limits.memory"] == "8192Mi"


def test_vdc_names_that_make_too_long_a_namespace_are_refused(vcd, two_tenants):
    resp = vcd.request("POST", f"/api/admin/org/{two_tenants['a']['id']}/vdcs", headers=vcd.admin_headers(),
                       json={"name": "v" * 60, "allocationModel": "Flex"})
    assert resp.status_code == 400 and "63" in resp.json()["message"]


def test_deleting_a_vdc_with_virtual_machines_needs_force(vcd, two_tenants):
    a = two_tenants["a"]
    vdc = make_vdc(vcd, a, unique("tmp"))
    namespace = vdc["namespace"]
    vm = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "vm1", "namespace": namespace},
          "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}, "memory": {"guest": "64Mi"}}}}}}
    vcd.kubectl("apply", "-f", "-", input=json.dumps(vm))
    path = f"/api/admin/org/{a['id']}/vdcs/{vdc['id']}"
    refused = vcd.request("DELETE", path, headers=vcd.admin_headers())
    assert refused.status_code == 409 and "VirtualMachine" in refused.json()["message"], refused.text
    assert vcd.request("GET", path, headers=vcd.admin_headers()).status_code == 200
    assert vcd.request("DELETE", path + "?force=true", headers=vcd.admin_headers()).status_code == 204
    assert vcd.request("GET", path, headers=vcd.admin_headers()).status_code == 404
    wait_until(lambda: vcd.kubectl("get", "namespace", namespace, check=False).returncode != 0, timeout=60,
               message="the VDC's namespace to go")


def test_deleting_an_organisation_with_users_needs_force(vcd):
    org = make_org(vcd, unique("gone"))
    make_user(vcd, org, "u", "vApp User", "u-pass-12")
    headers = vcd.admin_headers()
    refused = vcd.request("DELETE", f"/cloudapi/1.0.0/orgs/{org['id']}", headers=headers)
    assert refused.status_code == 409, refused.text
    assert vcd.request("DELETE", f"/cloudapi/1.0.0/orgs/{org['id']}?force=true", headers=headers).status_code == 204
    assert vcd.request("GET", f"/cloudapi/1.0.0/orgs/{org['id']}", headers=headers).status_code == 404
    assert vcd.kubectl("get", "users.virtyard.io", f"{org['name'].lower()}.u", check=False).returncode != 0


def test_passwords_are_stored_hashed_only(vcd, two_tenants):
    secret = kube_json(vcd, "secret", "-n", "virtyard-system", f"vcd-user-{two_tenants['a']['name'].lower()}.user-a")
    stored = base64.b64decode(secret["data"]["passwordHash"]).decode()
    assert stored.startswith("scrypt$15$8$1$") and "user-a-pass" not in json.dumps(secret)
    assert secret["metadata"]["ownerReferences"][0]["kind"] == "User"
    assert "user-a-pass" not in vcd.log_tail(lines=100_000)
    assert "user-a-pass" not in json.dumps(kube_json(vcd, "users.virtyard.io"))


# -- restarts ------------------------------------------------------------------------------


def test_orgs_users_vdcs_and_tokens_survive_kill_9(tmp_path_factory):
    with serving(VCDServer(tmp_path_factory.mktemp("virtyard-vcd-admin-restart"))) as srv:
        org = make_org(srv, "durable")
        make_user(srv, org, "dora", "Organization Administrator", "dora-pass-1")
        vdc = make_vdc(srv, org, "keep")
        token = srv.headers("dora", "durable", "dora-pass-1")
        srv.kill9()
        srv.restart()
        wait_until(lambda: srv.login("dora", "durable", "dora-pass-1").status_code == 200, timeout=60,
                   message="dora to log in after the restart")
        assert srv.request("GET", f"/cloudapi/1.0.0/vdcs/{vdc['id']}", headers=token).status_code == 200
        users = srv.request("GET", "/cloudapi/1.0.0/users", headers=token).json()["values"]
        assert [u["username"] for u in users] == ["dora"]
        assert srv.kubectl("get", "resourcequota", "vdc-quota", "-n", "vdc-durable-keep", check=False).returncode == 0


def test_a_user_disabled_with_kubectl_loses_their_live_token(vcd, two_tenants):
    a = two_tenants["a"]
    user = make_user(vcd, a, unique("kube"), "vApp User", "kube-pass-1")
    headers = vcd.headers(user["username"], a["name"], "kube-pass-1")
    assert vcd.request("GET", "/cloudapi/1.0.0/orgs", headers=headers).status_code == 200
    vcd.kubectl("patch", "users.virtyard.io", f"{a['name'].lower()}.{user['username']}", "--type=merge", "-p",
                '{"spec":{"enabled":false}}')
    wait_until(lambda: vcd.request("GET", "/cloudapi/1.0.0/orgs", headers=headers).status_code == 401, timeout=30,
               message="the disabled user's token to stop working")
