"""The Cloud Director compatible API (`virtyard serve --vcd-listen`, docs/tenancy.md) with a
real VCD client, pyvcloud 23.0.4, and hostile raw requests.

Each pyvcloud test runs in a scratch directory with its own HOME: pyvcloud writes its log
into the working directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import tempfile
import uuid
from pathlib import Path
from typing import Iterable

import pytest
import requests
import yaml

# pyvcloud opens `vcd_sdk.log` in the working directory when its vApp module is imported:
# import it from a scratch directory so no run leaves that file in the repository.
_cwd = os.getcwd()
os.chdir(tempfile.gettempdir())
try:
    from pyvcloud.vcd.client import BasicLoginCredentials, Client
    from pyvcloud.vcd.exceptions import UnauthorizedException
    from pyvcloud.vcd.org import Org
finally:
    os.chdir(_cwd)

from conftest import VirtyardServer, _stop_checked, wait_until

VERSIONS = ["33.0", "34.0", "35.0", "36.0", "37.0", "37.1", "37.2"]
XML36 = "application/*+xml;version=36.0"
JSON36 = "application/json;version=36.0"
TOKEN_HEADER = "X-VMWARE-VCLOUD-ACCESS-TOKEN"


class VCDServer(VirtyardServer):
    """`virtyard serve` with the Cloud Director API on a free port."""

    vcd: str = ""

    @property
    def command(self) -> list[str]:
        return super().command + ["--vcd-listen", "127.0.0.1:0"]

    def start(self) -> "VCDServer":
        super().start()
        self.vcd = json.loads(self.endpoints_path.read_text())["vcd"].rstrip("/")
        assert self.vcd.startswith("https://127.0.0.1:"), self.vcd
        # The provider organisation is made once the CRDs are installed; until then 503.
        wait_until(lambda: self.login("administrator", "System", self.admin_password, provider=True).status_code != 503,
                   timeout=60, message="the tenancy store to be ready")
        return self

    @property
    def ca(self) -> str:
        return str(self.data_dir / "ca.crt")

    @property
    def admin_password(self) -> str:
        return (self.data_dir / "vcd-admin-password").read_text().strip()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.vcd + path, verify=self.ca, timeout=30, **kwargs)

    def login(self, user: str, org: str, password: str, provider: bool = False) -> requests.Response:
        path = "/cloudapi/1.0.0/sessions/provider" if provider else "/cloudapi/1.0.0/sessions"
        return self.request("POST", path, auth=(f"{user}@{org}", password), headers={"Accept": JSON36})

    def client(self, user: str, org: str, password: str) -> Client:
        client = Client(self.vcd, verify_ssl_certs=self.ca, log_file="pyvcloud.log")
        client.set_credentials(BasicLoginCredentials(user, org, password))
        return client


@pytest.fixture(scope="module")
def vcd(tmp_path_factory) -> Iterable[VCDServer]:
    srv = VCDServer(tmp_path_factory.mktemp("virtyard-vcd"))
    srv.start()
    try:
        yield srv
    finally:
        _stop_checked(srv)


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def scrypt_hash(password: str) -> str:
    """Virtyard's stored form (scrypt$logN$r$p$salt$key), made here as an operator would."""
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt$15$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


@pytest.fixture(scope="module")
def tenant(vcd) -> dict:
    """An organisation `acme` with a vApp user and a VDC, created with kubectl."""
    org_id, user_id, vdc_id = (str(uuid.uuid4()) for _ in range(3))
    password = "ann-" + uuid.uuid4().hex
    objects = [
        {"apiVersion": "virtyard.io/v1alpha1", "kind": "Organization", "metadata": {"name": "acme"},
         "spec": {"id": org_id, "name": "Acme", "fullName": "Acme Inc.", "enabled": True}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "vcd-user-acme.ann", "namespace": "virtyard-system"},
         "stringData": {"passwordHash": scrypt_hash(password)}},
        {"apiVersion": "virtyard.io/v1alpha1", "kind": "User", "metadata": {"name": "acme.ann"},
         "spec": {"id": user_id, "name": "ann", "organization": "acme", "role": "vApp User",
                  "passwordSecret": "vcd-user-acme.ann"}},
        {"apiVersion": "virtyard.io/v1alpha1", "kind": "VDC", "metadata": {"name": "acme.dev"},
         "spec": {"id": vdc_id, "name": "dev", "organization": "acme"}},
    ]
    vcd.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))
    return {"org_id": org_id, "vdc_id": vdc_id, "password": password}


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
    # pyvcloud logged into the scratch directory, not the repository.
    assert (scratch / "pyvcloud.log").exists()


def test_tenant_sees_its_own_organisation_and_vdcs_only(vcd, tenant, scratch):
    client = vcd.client("ann", "Acme", tenant["password"])
    try:
        assert not client.is_sysadmin()
        assert [org.get("name") for org in client.get_org_list()] == ["Acme"]
        org = Org(client, resource=client.get_org())
        assert org.get_name() == "Acme"
        vdcs = org.list_vdcs()
        assert [vdc["name"] for vdc in vdcs] == ["dev"]
        assert vdcs[0]["href"] == f"{vcd.vcd}/api/vdc/{tenant['vdc_id']}"
    finally:
        client.logout()
    admin = vcd.client("administrator", "System", vcd.admin_password)
    try:
        assert {"System", "Acme"} <= {org.get("name") for org in admin.get_org_list()}
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
    assert {"System", "Acme"} <= names
    acme = vcd.request("GET", f"/cloudapi/1.0.0/orgs/urn:vcloud:org:{tenant['org_id']}", headers=headers)
    assert acme.status_code == 200, acme.text
    assert acme.json()["displayName"] == "Acme Inc."
    ann = vcd.login("ann", "Acme", tenant["password"]).headers[TOKEN_HEADER]
    own = vcd.request("GET", "/cloudapi/1.0.0/orgs", headers={"Authorization": f"Bearer {ann}", "Accept": JSON36}).json()
    assert [org["name"] for org in own["values"]] == ["Acme"]


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
    assert vcd.login("ann", "Acme", tenant["password"], provider=True).status_code == 401
    assert vcd.login("ann", "Acme", tenant["password"], provider=False).status_code == 200


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
    token = vcd.login("ann", "Acme", tenant["password"]).headers[TOKEN_HEADER]
    headers = {"Authorization": f"Bearer {token}", "Accept": XML36}
    admin = vcd.login("administrator", "System", vcd.admin_password, provider=True).headers[TOKEN_HEADER]
    orgs = vcd.request("GET", "/api/org", headers={"Authorization": f"Bearer {admin}", "Accept": XML36}).text
    system_href = next(line for line in orgs.split("<Org ") if 'name="System"' in line).split('href="')[1].split('"')[0]
    assert system_href.startswith(vcd.vcd + "/api/org/")
    resp = vcd.request("GET", system_href[len(vcd.vcd):], headers=headers)
    assert resp.status_code == 403, resp.text


@pytest.mark.parametrize("kind,name", [("users.virtyard.io", "acme.ann"), ("organizations.virtyard.io", "acme")])
def test_disabled_users_and_organisations_cannot_log_in(vcd, tenant, kind, name):
    vcd.kubectl("patch", kind, name, "--type=merge", "-p", '{"spec":{"enabled":false}}')
    try:
        resp = vcd.login("ann", "Acme", tenant["password"])
        assert resp.status_code == 401, resp.text
        assert TOKEN_HEADER not in resp.headers
    finally:
        vcd.kubectl("patch", kind, name, "--type=merge", "-p", '{"spec":{"enabled":true}}')
    assert vcd.login("ann", "Acme", tenant["password"]).status_code == 200


# -- restarts ---------------------------------------------------------------------------


def test_admin_password_survives_kill_9_and_a_deleted_file_sets_a_new_one(tmp_path_factory):
    srv = VCDServer(tmp_path_factory.mktemp("virtyard-vcd-restart"))
    srv.start()
    try:
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
    finally:
        _stop_checked(srv)
