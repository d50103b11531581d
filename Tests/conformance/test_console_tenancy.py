"""The console's Tenancy page (issue 16, page 5) as a person uses it: an organisation, a VDC
and a vApp made through the Cloud Director API of the shared server, then the vApp powered on
and off and deleted from the page, its status following over Server-Sent Events.

The vApp is made the way test_vcd_vapps.py makes one (Organization, User and VDC objects, a
KubeVirt-style Template, a catalog, then cloudapi's instantiateTemplate as the tenant user).
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests
import yaml
from playwright.sync_api import expect

from conftest import new_name, run_kubectl, wait_until
from console_support import assert_accessible, screenshot, open_live
from vcd_support import JSON36, XML36, Tenant

SETTLE = 90_000  # ms: a bound for the simulated VM to change state, never an assertion of speed


def template(name: str) -> dict:
    """A catalog item in the shape of KubeVirt's common templates: one small halted VM."""
    return {
        "apiVersion": "template.openshift.io/v1", "kind": "Template",
        "metadata": {"name": name, "namespace": "openshift",
                     "labels": {"template.kubevirt.io/version": "v0.31.1", "template.kubevirt.io/type": "base"},
                     "annotations": {"template.kubevirt.io/containerdisks": "quay.io/containerdisks/fedora:41"}},
        "objects": [{
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": {"name": "${NAME}", "labels": {"app": "${NAME}"}},
            "spec": {"runStrategy": "Halted", "template": {
                "metadata": {"labels": {"kubevirt.io/domain": "${NAME}"}},
                "spec": {"domain": {"cpu": {"cores": 1}, "memory": {"guest": "1Gi"},
                                    "devices": {"disks": [{"name": "rootdisk", "disk": {"bus": "virtio"}}]}},
                         "volumes": [{"name": "rootdisk",
                                      "containerDisk": {"image": "quay.io/containerdisks/fedora:41"}}]}}},
        }],
        "parameters": [{"name": "NAME", "generate": "expression", "from": "vm-[a-z0-9]{8}"}],
    }


class VCD:
    """The shared server's Cloud Director address, as a client sees it."""

    def __init__(self, server):
        self.server = server
        self.base = json.loads(server.endpoints_path.read_text())["vcd"].rstrip("/")
        self.ca = str(server.data_dir / "ca.crt")
        self.admin_password = (server.data_dir / "vcd-admin-password").read_text().strip()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, verify=self.ca, timeout=30, **kwargs)

    def token(self, user: str, org: str, password: str) -> str:
        path = "/cloudapi/1.0.0/sessions/provider" if org == "System" else "/cloudapi/1.0.0/sessions"
        answer = self.request("POST", path, auth=(f"{user}@{org}", password), headers={"Accept": JSON36})
        assert answer.status_code == 200, answer.text
        return answer.headers["X-VMWARE-VCLOUD-ACCESS-TOKEN"]

    def ready(self) -> bool:
        path = "/cloudapi/1.0.0/sessions/provider"
        answer = self.request("POST", path, auth=("administrator@System", self.admin_password), headers={"Accept": JSON36})
        return answer.status_code != 503


@pytest.fixture(scope="module")
def vapp(server) -> dict:
    """A tenant (organisation, user, VDC with a CPU and memory limit) and one powered-off vApp."""
    vcd = VCD(server)
    wait_until(vcd.ready, timeout=60, message="the tenancy store to be ready")
    tenant = Tenant("consoleorg", "ann", "dev")
    objects = tenant.objects()
    objects[-1]["spec"]["computeCapacity"] = {"cpu": {"limit": 4000, "units": "MHz"},
                                              "memory": {"limit": 8192, "units": "MB"}}
    run_kubectl(server, "apply", "-f", "-", input=yaml.safe_dump_all(objects))
    for namespace in (tenant.namespace, "openshift"):
        if run_kubectl(server, "get", "namespace", namespace, check=False).returncode != 0:
            made = run_kubectl(server, "create", "namespace", namespace, check=False)
            assert made.returncode == 0 or "AlreadyExists" in made.stderr, made.stderr
    template_name = new_name("fedora")
    run_kubectl(server, "apply", "-f", "-", input=yaml.safe_dump(template(template_name)))
    admin = {"Authorization": f"Bearer {vcd.token('administrator', 'System', vcd.admin_password)}", "Accept": XML36,
             "Content-Type": "application/vnd.vmware.admin.catalog+xml"}
    catalog = vcd.request("POST", f"/api/admin/org/{tenant.org_id}/catalogs", headers=admin,
                          data='<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="lab">'
                               "<Description>Lab images</Description></AdminCatalog>")
    assert catalog.status_code == 201, catalog.text
    catalog_id = catalog.text.split('id="urn:vcloud:catalog:')[1].split('"')[0]
    user = {"Authorization": f"Bearer {vcd.token(tenant.user, tenant.org, tenant.password)}", "Accept": JSON36}
    items = vcd.request("GET", f"/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:{catalog_id}/catalogItems", headers=user).json()
    item = next(i for i in items["values"] if i["name"] == template_name)
    name = new_name("web")
    made = vcd.request("POST", f"/cloudapi/1.0.0/vdcs/urn:vcloud:vdc:{tenant.vdc_id}/actions/instantiateTemplate",
                       headers=user, json={"name": name, "catalogItem": {"id": item["id"], "name": item["name"]}})
    assert made.status_code == 201, made.text
    urn = made.json()["id"]

    def powered_off():
        body = vcd.request("GET", f"/cloudapi/1.0.0/vapps/{urn}", headers=user).json()
        return body if body["vms"] and body["status"] == "POWERED_OFF" else None

    wait_until(powered_off, timeout=60, message="the vApp's VM to exist, powered off")
    return {"vcd": vcd, "tenant": tenant, "name": name, "id": urn.split(":")[-1], "user": user, "urn": urn}


def vapp_row(page, vapp: dict):
    return page.locator(f"#vapp-{vapp['id']}")


def test_tenancy_page_shows_organisation_vdc_quota_and_vapp(console_page, server, vapp):
    page = console_page
    open_live(page, server.platform + "/ui/tenancy")
    tenant = vapp["tenant"]
    expect(page.get_by_role("heading", level=2, name=re.compile(re.escape(tenant.org)))).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(f"VDC {tenant.vdc}"))).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", level=2, name=re.compile(re.escape(tenant.org))))
    # A powered-off vApp uses none of the VDC's CPU: 0 of the 4 cores its limit allows.
    expect(section.get_by_text("0 of 4 cores (0 %)")).to_be_visible()
    expect(section.get_by_text("0 of 8 GiB (0 %)")).to_be_visible()
    row = vapp_row(page, vapp)
    expect(row).to_contain_text(vapp["name"])
    expect(row.locator("[data-status]")).to_have_text("Powered off")
    expect(row.get_by_role("button", name="Power on")).to_be_enabled()
    expect(row.get_by_role("button", name="Power off")).to_be_disabled()
    assert_accessible(page)
    screenshot(page, "tenancy")


def test_power_a_vapp_on_and_off_from_the_page(console_page, server, vapp):
    page = console_page
    open_live(page, server.platform + "/ui/tenancy")
    row = vapp_row(page, vapp)
    expect(row.locator("[data-status]")).to_have_text("Powered off")
    row.get_by_role("button", name="Power on").click()
    expect(row.locator("[data-status]")).to_have_text("Powered on", timeout=SETTLE)
    # The quota follows: the running VM's core counts against the VDC.
    section = page.locator("section", has=row)
    expect(section.get_by_text("1 of 4 cores (25 %)")).to_be_visible()
    # The API agrees, and it recorded the console's task.
    body = vapp["vcd"].request("GET", f"/cloudapi/1.0.0/vapps/{vapp['urn']}", headers=vapp["user"]).json()
    assert body["status"] == "POWERED_ON", body
    row.get_by_role("button", name="Power off").click()
    expect(row.locator("[data-status]")).to_have_text("Powered off", timeout=SETTLE)
    expect(row.get_by_role("button", name="Power on")).to_be_enabled()


def test_forged_vapp_actions_are_404_and_change_nothing(console_page, server, vapp, console_problems):
    page = console_page
    console_problems["problems"].expected_statuses.add(404)
    page.goto(server.platform + "/ui/tenancy")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for vapp_id in ["not-a-uuid", str(uuid.uuid4()), "..%2f..%2fetc", "<script>"]:
        answer = page.request.post(server.platform + f"/ui/tenancy/vapps/{vapp_id}/power-on",
                                   headers={"X-CSRF-Token": token, "HX-Request": "true"})
        assert answer.status == 404, (vapp_id, answer.status)
        assert "<script>" not in answer.text()
    # Without the CSRF token, even a real vApp is refused.
    console_problems["problems"].expected_statuses.add(403)
    answer = page.request.post(server.platform + f"/ui/tenancy/vapps/{vapp['id']}/delete")
    assert answer.status == 403
    body = vapp["vcd"].request("GET", f"/cloudapi/1.0.0/vapps/{vapp['urn']}", headers=vapp["user"])
    assert body.status_code == 200


def test_zz_delete_a_vapp_after_confirming(console_page, server, vapp):
    page = console_page
    open_live(page, server.platform + "/ui/tenancy")
    row = vapp_row(page, vapp)
    expect(row).to_be_visible()
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    row.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0, timeout=SETTLE)
    assert dialogs and vapp["name"] in dialogs[0]
    wait_until(lambda: vapp["vcd"].request("GET", f"/cloudapi/1.0.0/vapps/{vapp['urn']}",
                                           headers=vapp["user"]).status_code == 404,
               timeout=60, message="the vApp to be gone from the API")
