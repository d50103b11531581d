"""The Cloud Director compatible API (`virtyard serve --vcd-listen`, docs/tenancy.md) with a
real VCD client, pyvcloud 23.0.4, and hostile raw requests.

Each pyvcloud test runs in a scratch directory with its own HOME: pyvcloud writes its log
into the working directory.
"""

from __future__ import annotations

import base64
import json
import stat

from pathlib import Path

import pytest
import yaml

# A plugin (the shared `vcd` server, `scratch`) that these files also import from.
pytest.register_assert_rewrite("vcd_support")
from conftest import serving
from vcd_support import JSON36, TOKEN_HEADER, VERSIONS, XML36, Org, Tenant, UnauthorizedException, VCDServer

pytest_plugins = ["vcd_support"]


@pytest.fixture(scope="module")
def tenant(vcd) -> Tenant:
    """An organisation with a vApp user `ann` and a VDC `dev`, created with kubectl."""
    acme = Tenant("acme", "ann", "dev")
    vcd.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(acme.objects()))
    return acme


# -- what a real client does -----------------------------------------------------------


def test_versions_need_no_login_and_list_every_supported_version(vcd):
    resp = vcd.request("GET", "/api/versions")
    assert resp.status_code == 200, resp.text
    for version in VERSIONS:
        assert f"<Version>{version}</Version>" in resp.text
    assert f"<LoginUrl>{vcd.vcd}/api/sessions</LoginUrl>" in resp.text


def test_pyvcloud_logs_in_as_system_administrator_and_lists_organisations(vcd, scratch):
    client = vcd.client("administrator", "System", vcd.admin_password)
    try:
        assert client.get_api_version() == "36.0"
        assert client.is_sysadmin()
        names = [org.get("name") for org in client.get_org_list()]
        assert "System" in names
        org = Org(client, resource=client.get_org())
        assert org.get_name() == "System"
        assert org.href.startswith(vcd.vcd + "/api/org/")
        assert org.list_vdcs() == []
    finally:
        client.logout()
    # pyvcloud logs into the working directory of the process's first Client (it adds its file
    # handler once): a scratch directory, never the repository.
    conformance = Path(__file__).resolve().parent
    for folder in (conformance, conformance.parent.parent):
        assert not (folder / "pyvcloud.log").exists(), folder


def test_tenant_sees_its_own_organisation_and_vdcs_only(vcd, tenant, scratch):
    client = vcd.client(tenant.user, tenant.org, tenant.password)
    try:
        assert not client.is_sysadmin()
        assert [org.get("name") for org in client.get_org_list()] == [tenant.org]
        org = Org(client, resource=client.get_org())
        assert org.get_name() == tenant.org
        vdcs = org.list_vdcs()
        assert [vdc["name"] for vdc in vdcs] == ["dev"]
        assert vdcs[0]["href"] == f"{vcd.vcd}/api/vdc/{tenant.vdc_id}"
    finally:
        client.logout()
    admin = vcd.client("administrator", "System", vcd.admin_password)
    try:
        assert {"System", tenant.org} <= {org.get("name") for org in admin.get_org_list()}
    finally:
        admin.logout()


def test_admin_password_file_is_private_and_never_logged(vcd):
    path = vcd.data_dir / "vcd-admin-password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert vcd.admin_password not in vcd.log_tail(lines=100_000)
    secret = vcd.kubectl("get", "secret", "-n", "virtyard-system", "vcd-user-system.administrator", "-o", "json")
    stored = base64.b64decode(json.loads(secret.stdout)["data"]["passwordHash"]).decode()
    assert stored.startswith("scrypt$")
    assert vcd.admin_password not in stored


def test_cloudapi_orgs_are_paged_as_ssvirt_and_cloud_director_page_them(vcd, tenant):
    token = vcd.login("administrator", "System", vcd.admin_password, provider=True).headers[TOKEN_HEADER]
    headers = {"Authorization": f"Bearer {token}", "Accept": JSON36}
    first = vcd.request("GET", "/cloudapi/1.0.0/orgs?page_size=1", headers=headers).json()
    assert first["resultTotal"] >= 2 and first["pageSize"] == 1 and first["pageCount"] == first["resultTotal"]
    names = {org["name"] for page in range(1, first["pageCount"] + 1)
             for org in vcd.request("GET", f"/cloudapi/1.0.0/orgs?pageSize=1&page={page}", headers=headers).json()["values"]}
    assert {"System", tenant.org} <= names
    acme = vcd.request("GET", f"/cloudapi/1.0.0/orgs/urn:vcloud:org:{tenant.org_id}", headers=headers)
    assert acme.status_code == 200, acme.text
    assert acme.json()["displayName"] == f"{tenant.org} Inc."
    ann = vcd.login(tenant.user, tenant.org, tenant.password).headers[TOKEN_HEADER]
    own = vcd.request("GET", "/cloudapi/1.0.0/orgs", headers={"Authorization": f"Bearer {ann}", "Accept": JSON36}).json()
    assert [org["name"] for org in own["values"]] == [tenant.org]


# -- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize("user,org,password_ok", [
    ("administrator", "System", False),   # wrong password
    ("administrator", "Nowhere", True),   # unknown organisation
    ("nobody", "System", True),           # unknown user
])
def test_bad_credentials_are_401_without_a_token(vcd, user, org, password_ok):
    password = vcd.admin_password if password_ok else "wrong-password"
    resp = vcd.login(user, org, password, provider=True)
    assert resp.status_code == 401, resp.text
    assert TOKEN_HEADER not in resp.headers
    assert resp.json()["minorErrorCode"] == "UNAUTHORIZED"


def test_pyvcloud_reports_a_wrong_password_as_unauthorized(vcd, scratch):
    with pytest.raises(UnauthorizedException):
        vcd.client("administrator", "System", "not-the-password")


@pytest.mark.parametrize("header", ["Basic !!!not-base64", "Basic " + base64.b64encode(b"no-colon").decode(),
                                    "Basic " + base64.b64encode(b"user-without-org:pw").decode()])
def test_malformed_basic_header_is_400(vcd, header):
    resp = vcd.request("POST", "/cloudapi/1.0.0/sessions/provider", headers={"Authorization": header, "Accept": JSON36})
    assert resp.status_code == 400, resp.text
    assert TOKEN_HEADER not in resp.headers


def test_each_login_door_admits_its_own_organisations(vcd, tenant):
    assert vcd.login("administrator", "System", vcd.admin_password, provider=False).status_code == 401
    assert vcd.login(tenant.user, tenant.org, tenant.password, provider=True).status_code == 401
    assert vcd.login(tenant.user, tenant.org, tenant.password, provider=False).status_code == 200


def test_revoked_token_is_refused_at_once(vcd):
    resp = vcd.login("administrator", "System", vcd.admin_password, provider=True)
    assert resp.status_code == 200, resp.text
    token = resp.headers[TOKEN_HEADER]
    assert resp.headers["Authorization"] == f"Bearer {token}"
    headers = {"Authorization": f"Bearer {token}", "Accept": XML36}
    assert vcd.request("GET", "/api/org", headers=headers).status_code == 200
    assert vcd.request("DELETE", "/api/session", headers=headers).status_code == 204
    for path in ["/api/org", "/api/session"]:
        refused = vcd.request("GET", path, headers=headers)
        assert refused.status_code == 401, refused.text
        assert "<Error" in refused.text


def test_forged_tokens_are_401(vcd):
    for headers in [{"Authorization": "Bearer forged"}, {"x-vcloud-authorization": "forged"}, {}]:
        resp = vcd.request("GET", "/api/org", headers={**headers, "Accept": XML36})
        assert resp.status_code == 401, resp.text


def test_unsupported_version_is_406_with_an_error_document(vcd):
    resp = vcd.request("GET", "/api/versions", headers={"Accept": "application/*+xml;version=9.0"})
    assert resp.status_code == 406, resp.text
    assert resp.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.error+xml")
    assert 'majorErrorCode="406"' in resp.text


def test_tenant_cannot_read_another_organisation(vcd, tenant):
    token = vcd.login(tenant.user, tenant.org, tenant.password).headers[TOKEN_HEADER]
    headers = {"Authorization": f"Bearer {token}", "Accept": XML36}
    admin = vcd.login("administrator", "System", vcd.admin_password, provider=True).headers[TOKEN_HEADER]
    orgs = vcd.request("GET", "/api/org", headers={"Authorization": f"Bearer {admin}", "Accept": XML36}).text
    system_href = next(line for line in orgs.split("<Org ") if 'name="System"' in line).split('href="')[1].split('"')[0]
    assert system_href.startswith(vcd.vcd + "/api/org/")
    resp = vcd.request("GET", system_href[len(vcd.vcd):], headers=headers)
    assert resp.status_code == 403, resp.text


@pytest.mark.parametrize("kind", ["users.virtyard.io", "organizations.virtyard.io"])
def test_disabled_users_and_organisations_cannot_log_in(vcd, tenant, kind):
    name = f"{tenant.object_name}.{tenant.user}" if kind.startswith("users.") else tenant.object_name
    vcd.kubectl("patch", kind, name, "--type=merge", "-p", '{"spec":{"enabled":false}}')
    try:
        resp = vcd.login(tenant.user, tenant.org, tenant.password)
        assert resp.status_code == 401, resp.text
        assert TOKEN_HEADER not in resp.headers
    finally:
        vcd.kubectl("patch", kind, name, "--type=merge", "-p", '{"spec":{"enabled":true}}')
    assert vcd.login(tenant.user, tenant.org, tenant.password).status_code == 200


# -- restarts ---------------------------------------------------------------------------


def test_admin_password_survives_kill_9_and_a_deleted_file_sets_a_new_one(tmp_path_factory):
    with serving(VCDServer(tmp_path_factory.mktemp("virtyard-vcd-restart"))) as srv:
        first = srv.admin_password
        kept = srv.login("administrator", "System", first, provider=True).headers[TOKEN_HEADER]
        revoked = srv.login("administrator", "System", first, provider=True).headers[TOKEN_HEADER]
        assert srv.request("DELETE", "/api/session", headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
        srv.kill9()
        srv.restart()
        assert srv.admin_password == first
        assert srv.login("administrator", "System", first, provider=True).status_code == 200
        # Tokens outlive kill -9; a revoked one stays revoked.
        assert srv.request("GET", "/api/org", headers={"Authorization": f"Bearer {kept}", "Accept": XML36}).status_code == 200
        assert srv.request("GET", "/api/org", headers={"Authorization": f"Bearer {revoked}", "Accept": XML36}).status_code == 401
        # Only the token's digest is kept, never the token.
        secrets = srv.kubectl("get", "secrets", "-n", "virtyard-system", "-l", "virtyard.io/vcd-session", "-o", "json").stdout
        assert secrets.count('"virtyard.io/vcd-session"') >= 1 and kept not in secrets
        assert base64.b64encode(kept.encode()).decode() not in secrets
        # The file is the way back in: deleted, the next start makes a new password.
        srv.stop()
        (srv.data_dir / "vcd-admin-password").unlink()
        srv.restart()
        second = srv.admin_password
        assert second != first
        assert srv.login("administrator", "System", second, provider=True).status_code == 200
        assert srv.login("administrator", "System", first, provider=True).status_code == 401
