"""The console's Clusters page (issue 16, page 6) as a person uses it: a small cluster
provisioned through the REST API, then scaled, validated and decommissioned from the page;
a bad scale count shows the provisioner's refusal beside the field."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import new_name, provisioner_attached, wait_until
from console_support import assert_accessible, screenshot, open_live

SETTLE = 120_000  # ms: a bound for the simulated VMs, never an assertion of speed
IMAGE = {"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}


def platform(server, method: str, path: str, body=None):
    return server.http(method, path, body=body, platform=True)


@pytest.fixture(scope="module")
def cluster(server) -> str:
    """A GENERIC cluster (VMs only) with one node, provisioned and COMPLETED."""
    provisioner_attached(server)
    name = new_name("ui")
    body = {"name": name, "type": "GENERIC",
            "nodeGroups": [{"name": "vm", "role": "WORKER", "count": 1,
                            "template": {"cores": 1, "memoryMB": 1024, "diskGB": 10, "imageSource": IMAGE}}]}
    answer = platform(server, "POST", "/api/v1/clusters/provision", body)
    assert answer.status == 202, answer
    operation = answer.json()["operationId"]
    wait_until(lambda: platform(server, "GET", f"/api/v1/clusters/operations/{operation}").json()["status"] == "COMPLETED",
               timeout=120, message=f"cluster {name} provisioned")
    return name


def cluster_row(page, name: str):
    return page.locator(f"#cluster-{name}")


def test_clusters_page_lists_the_cluster_its_node_groups_and_operations(console_page, server, cluster):
    page = console_page
    open_live(page, server.platform + "/ui/clusters")
    row = cluster_row(page, cluster)
    expect(row).to_contain_text("GENERIC")
    expect(row).to_contain_text("COMPLETED")
    expect(row.locator('[data-group="vm"] [data-ready]')).to_have_text("1 of 1 ready")
    # The provisioning operation, finished: its progress bar at 100.
    provision = page.locator("#live-clusters tr", has_text="Provision").filter(has_text=cluster).first
    bar = provision.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    assert_accessible(page)
    screenshot(page, "clusters")


def test_scale_from_the_page_and_see_the_new_count(console_page, server, cluster):
    page = console_page
    open_live(page, server.platform + "/ui/clusters")
    page.get_by_label(f"Node group of {cluster}").select_option("vm")
    page.get_by_label(f"Target count for {cluster}").fill("2")
    page.locator(f"#scale-{cluster}").get_by_role("button", name="Scale").click()
    expect(page.locator(f"#scale-{cluster}").get_by_role("status")).to_contain_text("accepted")
    row = cluster_row(page, cluster)
    expect(row.locator('[data-group="vm"] [data-target]')).to_have_text("2", timeout=SETTLE)
    expect(row.locator('[data-group="vm"] [data-ready]')).to_have_text("2 of 2 ready", timeout=SETTLE)
    scale = page.locator("#live-clusters tr", has_text="Scale").filter(has_text=cluster).first
    expect(scale.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=SETTLE)
    assert platform(server, "GET", f"/api/v1/clusters/{cluster}").json()["nodeGroups"][0]["targetCount"] == 2


@pytest.mark.parametrize("count, message", [
    ("0", re.compile(r"answered 400: node group vm keeps at least 1 node")),
    ("500", re.compile(r"answered 400: .*targetCount")),
    ("two", re.compile(r"must be a whole number")),
    ("", re.compile(r"must be a whole number")),
])
def test_a_bad_scale_count_shows_the_error_beside_the_field(console_page, server, cluster, console_problems, count, message):
    page = console_page
    console_problems["problems"].expected_statuses.add(422)
    page.goto(server.platform + "/ui/clusters")
    before = platform(server, "GET", f"/api/v1/clusters/{cluster}").json()["nodeGroups"][0]["targetCount"]
    field = page.get_by_label(f"Target count for {cluster}")
    field.fill(count)
    with page.expect_response(lambda r: r.url.endswith(f"/ui/clusters/{cluster}/scale")) as answer:
        page.locator(f"#scale-{cluster}").get_by_role("button", name="Scale").click()
    assert answer.value.status == 422
    error = page.locator(f"#scale-{cluster}-count-error")
    expect(error).to_have_text(message)
    # Beside the field, and tied to it for screen readers.
    field = page.get_by_label(f"Target count for {cluster}")
    expect(field).to_have_attribute("aria-describedby", f"scale-{cluster}-count-error")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert platform(server, "GET", f"/api/v1/clusters/{cluster}").json()["nodeGroups"][0]["targetCount"] == before


def test_forged_cluster_actions_are_refused(console_page, server, cluster, console_problems):
    page = console_page
    console_problems["problems"].expected_statuses.update({404, 422})
    page.goto(server.platform + "/ui/clusters")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    for name in ["no-such-cluster", "Bad_Name", "x" * 200]:
        answer = page.request.post(server.platform + f"/ui/clusters/{name}/validate", headers=headers)
        assert answer.status == 404, (name, answer.status)
    answer = page.request.post(server.platform + f"/ui/clusters/{cluster}/scale", headers=headers,
                               form={"nodeGroup": "<script>alert(1)</script>", "targetCount": "3"})
    assert answer.status == 422
    assert "<script>alert" not in answer.text() and "Choose one of the node groups" in answer.text()


def test_validate_shows_the_checks(console_page, server, cluster):
    page = console_page
    page.goto(server.platform + "/ui/clusters")
    card = page.locator("section", has=page.get_by_role("heading", name=f"Cluster {cluster}"))
    card.get_by_role("button", name="Validate").click()
    report = page.locator(f"#validate-{cluster}")
    expect(report.get_by_role("table")).to_be_visible()
    check = report.locator("tr", has_text="cluster-phase")
    expect(check).to_contain_text("PASSED")
    expect(report.locator("tr", has_text=f"vm/{cluster}-vm-01")).to_contain_text("VirtualMachine")
    assert_accessible(page)


def test_zz_decommission_after_confirming(console_page, server, cluster):
    page = console_page
    open_live(page, server.platform + "/ui/clusters")
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    card = page.locator("section", has=page.get_by_role("heading", name=f"Cluster {cluster}"))
    card.get_by_role("button", name="Decommission").click()
    page.wait_for_load_state("networkidle")
    assert dialogs and cluster in dialogs[0]
    wait_until(lambda: platform(server, "GET", f"/api/v1/clusters/{cluster}").status == 404, timeout=120,
               message=f"cluster {cluster} decommissioned")
    expect(cluster_row(page, cluster)).to_have_count(0, timeout=SETTLE)
