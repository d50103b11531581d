"""What the Cloud Director API conformance files (test_vcd_*.py, docs/tenancy.md) share:
the server with its VCD endpoint, logins, tenants made with kubectl, the clients' scratch
HOME, vcd-cli, and pyvcloud imported without leaving `vcd_sdk.log` in the repository.

Each test file registers this module as a plugin (`pytest_plugins = ["vcd_support"]`), so
its session-scoped `vcd` fixture is ONE server for all of them; tests stay independent
through names of their own (`new_name`). Tests that kill or restart a server start a
private `VCDServer` with `serving(...)`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterable

import pytest
import requests

from conftest import VirtyardServer, new_name, serving, wait_until

# pyvcloud opens `vcd_sdk.log` in the working directory when its vApp module is imported
# (`vdc` imports it too): import them all from a scratch directory, once, here.
_cwd = os.getcwd()
os.chdir(tempfile.gettempdir())
try:
    from pyvcloud.vcd.client import BasicLoginCredentials, Client, QueryResultFormat, TaskStatus  # noqa: F401
    from pyvcloud.vcd.exceptions import UnauthorizedException  # noqa: F401
    from pyvcloud.vcd.org import Org  # noqa: F401
    from pyvcloud.vcd.system import System  # noqa: F401
    from pyvcloud.vcd.vapp import VApp  # noqa: F401
    from pyvcloud.vcd.vdc import VDC  # noqa: F401
finally:
    os.chdir(_cwd)

VERSIONS = ["33.0", "34.0", "35.0", "36.0", "37.0", "37.1", "37.2"]
XML36 = "application/*+xml;version=36.0"
JSON36 = "application/json;version=36.0"
TOKEN_HEADER = "X-VMWARE-VCLOUD-ACCESS-TOKEN"
VCD_CLI_TIMEOUT = 300


class VCDServer(VirtyardServer):
    """`virtyard serve` with the Cloud Director API on a free port."""

    vcd: str = ""

    @property
    def command(self) -> list[str]:
        command = super().command
        return command if "--vcd-listen" in command else command + ["--vcd-listen", "127.0.0.1:0"]

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

    def session_token(self, user: str, org: str, password: str) -> str:
        """A session token (the System organisation logs in at the provider door); the login must succeed."""
        resp = self.login(user, org, password, provider=org == "System")
        assert resp.status_code == 200, resp.text
        return resp.headers[TOKEN_HEADER]

    def headers(self, user: str, org: str, password: str, accept: str = JSON36) -> dict:
        return {"Authorization": f"Bearer {self.session_token(user, org, password)}", "Accept": accept}

    def admin_headers(self, accept: str = JSON36) -> dict:
        return self.headers("administrator", "System", self.admin_password, accept)

    def client(self, user: str, org: str, password: str, api_version: str | None = None) -> Client:
        """A logged-in pyvcloud client; it logs into the working directory (use `scratch`)."""
        client = Client(self.vcd, api_version=api_version, verify_ssl_certs=self.ca, log_file="pyvcloud.log")
        client.set_credentials(BasicLoginCredentials(user, org, password))
        return client


@pytest.fixture(scope="session")
def vcd(tmp_path_factory) -> Iterable[VCDServer]:
    """The VCD server the test_vcd_*.py files share (stopped, exit 0 checked, at the end)."""
    with serving(VCDServer(tmp_path_factory.mktemp("virtyard-vcd"))) as srv:
        yield srv


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """A working directory and HOME of the test's own: pyvcloud and vcd-cli write logs and
    profiles there, not into the repository or the user's home."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def scrypt_hash(password: str) -> str:
    """Virtyard's stored form (scrypt$logN$r$p$salt$key), made here as an operator would."""
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt$15$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


class Tenant:
    """An organisation (a unique name from `prefix`) with one vApp user and one VDC, as an
    operator makes them with kubectl (`objects()`)."""

    def __init__(self, prefix: str, user: str, vdc: str):
        self.org = new_name(prefix).capitalize()
        self.user, self.vdc = user, vdc
        self.org_id, self.user_id, self.vdc_id = (str(uuid.uuid4()) for _ in range(3))
        self.password = f"{user}-" + uuid.uuid4().hex

    @property
    def object_name(self) -> str:
        return self.org.lower()

    @property
    def namespace(self) -> str:
        return f"vdc-{self.object_name}-{self.vdc.lower()}"

    def objects(self) -> list[dict]:
        lower = self.object_name
        return [
            {"apiVersion": "virtyard.io/v1alpha1", "kind": "Organization", "metadata": {"name": lower},
             "spec": {"id": self.org_id, "name": self.org, "fullName": f"{self.org} Inc.", "enabled": True}},
            {"apiVersion": "v1", "kind": "Secret",
             "metadata": {"name": f"vcd-user-{lower}.{self.user}", "namespace": "virtyard-system"},
             "stringData": {"passwordHash": scrypt_hash(self.password)}},
            {"apiVersion": "virtyard.io/v1alpha1", "kind": "User", "metadata": {"name": f"{lower}.{self.user}"},
             "spec": {"id": self.user_id, "name": self.user, "organization": lower, "role": "vApp User",
                      "passwordSecret": f"vcd-user-{lower}.{self.user}"}},
            {"apiVersion": "virtyard.io/v1alpha1", "kind": "VDC", "metadata": {"name": f"{lower}.{self.vdc}"},
             "spec": {"id": self.vdc_id, "name": self.vdc, "organization": lower}},
        ]


def vcd_cli(home: Path, *args: str, check: bool = True, ca: str | None = None) -> str:
    """Runs vcd-cli with `home` as HOME and working directory (its profile and log go there);
    `ca`: the CA it trusts (else the tests pass `-i -w`). With check, it must succeed."""
    env = {**os.environ, "HOME": str(home)}
    if ca:
        env["REQUESTS_CA_BUNDLE"] = ca
    proc = subprocess.run(["vcd", *args], cwd=home, env=env, capture_output=True, text=True, timeout=VCD_CLI_TIMEOUT)
    output = proc.stdout + proc.stderr
    if check:
        assert proc.returncode == 0 and "Error" not in output, f"vcd {' '.join(args)}:\n{output}"
    return output
