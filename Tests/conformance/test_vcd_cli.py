"""vcd-cli 24.1.0 against the Cloud Director compatible API (docs/tenancy.md, "Catalogs and
vApps"): an organisation's vApp user logs in, lists and reads catalogs, creates a vApp from a
Template, lists, reads, powers off and on, and deletes it, and logs out; kubectl checks what
happened to the VMs after each step.

vcd-cli keeps its profile in `~/.vcd-cli` and logs into the working directory, so it runs in a
scratch directory with its own HOME. `-i -w`: the server's certificate is made by the data
directory's CA, which vcd-cli is not told about here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# A plugin (the shared `vcd` server, `scratch`) that these files also import from.
pytest.register_assert_rewrite("vcd_support")
from conftest import new_name
from test_vcd_vapps import Env, env, needs_org_catalog_links  # noqa: F401  (the module's tenants, catalog and template)
from vcd_support import vcd_cli

pytest_plugins = ["vcd_support"]


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path


def logged_in(env: Env, home: Path) -> None:
    host = env.vcd.vcd.removeprefix("https://")
    out = vcd_cli(home, "login", host, env.acme.org, env.acme.user, "--password", env.acme.password, "-i", "-w")
    assert f"{env.acme.user} logged in, org: '{env.acme.org}', vdc: '{env.acme.vdc}'" in out


def test_vcd_cli_lists_and_reads_catalogs(env, home):
    logged_in(env, home)
    catalogs = vcd_cli(home, "catalog", "list")
    assert "lab" in catalogs
    items = vcd_cli(home, "catalog", "list", "lab")
    assert env.template in items
    needs_org_catalog_links(env)
    info = vcd_cli(home, "catalog", "info", "lab")
    assert "Lab images" in info
    item = vcd_cli(home, "catalog", "info", "lab", env.template)
    assert "template-name" in item and env.template in item
    assert "logged out" in vcd_cli(home, "logout")


def test_vcd_cli_creates_powers_and_deletes_a_vapp(env, home):
    name = new_name("cli")
    needs_org_catalog_links(env)
    logged_in(env, home)
    created = vcd_cli(home, "vapp", "create", name, "-c", "lab", "-t", env.template)
    assert "result: success" in created, created
    vms = env.vms(env.acme, name)
    assert len(vms) == 1 and vms[0]["spec"]["runStrategy"] == "Always"
    assert vms[0]["status"]["printableStatus"] == "Running"

    listed = vcd_cli(home, "vapp", "list")
    assert name in listed and "POWERED_ON" in listed
    info = vcd_cli(home, "vapp", "info", name)
    assert "Powered on" in info and "2 virtual CPU(s)" in info

    off = vcd_cli(home, "vapp", "power-off", name, "-y")
    assert "result: success" in off, off
    assert env.vms(env.acme, name)[0]["status"]["printableStatus"] == "Stopped"
    assert "Powered off" in vcd_cli(home, "vapp", "info", name)

    on = vcd_cli(home, "vapp", "power-on", name)
    assert "result: success" in on, on
    assert env.vms(env.acme, name)[0]["status"]["printableStatus"] == "Running"

    deleted = vcd_cli(home, "vapp", "delete", name, "-y")
    assert "result: success" in deleted, deleted
    assert env.vms(env.acme, name) == []
    assert name not in vcd_cli(home, "vapp", "list")
    assert "logged out" in vcd_cli(home, "logout")


def test_vcd_cli_reports_another_organisations_vapp_as_missing(env, home):
    host = env.vcd.vcd.removeprefix("https://")
    vcd_cli(home, "login", host, env.globex.org, env.globex.user, "--password", env.globex.password, "-i", "-w")
    assert "lab" not in vcd_cli(home, "catalog", "list", check=False)
    out = vcd_cli(home, "vapp", "info", "anything", check=False)
    assert "not found" in out.lower(), out
    vcd_cli(home, "logout")
