"""The console's Capacity page (/ui/capacity), as a person uses it: load a node-classifier-sim
scenario from the page, then see the nodes with their usage, pressure, VM count and
classification, and a chart per node drawn from the last 15 minutes kept in memory; a bad
scenario is refused beside the field and changes nothing.

Loading a scenario replaces the cluster's simulated nodes, so these tests run on a server of
their own started with `--sim-nodes 0` (as test_capacity.py does), never on the shared one.
"""
from __future__ import annotations

import json
from typing import Iterable

import pytest

from conftest import _stop_checked
from console_support import expect_status, PageProblems, assert_accessible, screenshot, sign_in, wait_live
from test_capacity import start_capacity_server


# Fixed figures on nodes (no VMs of their own) make the classes certain whatever the scheduler
# does with the one small VM: hot is over-utilised, warm appropriately, idle under.
SCENARIO = {"name": "console-demo", "nodes": [
    {"name": "cap-hot", "cpu_usage": 0.9, "cpu_pressure": 0.2, "memory_usage": 0.8, "memory_pressure": 0.1},
    {"name": "cap-warm", "cpu_usage": 0.5, "cpu_pressure": 0.03, "memory_usage": 0.5, "memory_pressure": 0.03},
    {"name": "cap-idle", "cpu_usage": 0.05, "cpu_pressure": 0.0, "memory_usage": 0.05, "memory_pressure": 0.0},
    {"name": "cap-vms", "vms": [
        {"id": "web-1", "cpu_cores": 0.1, "memory_bytes": 64 << 20, "cpu_utilization": 0.1, "memory_utilization": 0.1},
    ]},
]}
EXPECTED_CLASSES = {"cap-hot": "over-utilised", "cap-warm": "appropriately utilised", "cap-idle": "under-utilised"}


@pytest.fixture(scope="module")
def capacity_server(tmp_path_factory) -> Iterable:
    srv = start_capacity_server(tmp_path_factory.mktemp("console-capacity"))
    try:
        yield srv
    finally:
        _stop_checked(srv)


@pytest.fixture
def capacity_page(page, capacity_server, console_problems) -> Iterable:
    """Signed in as the admin on the capacity server; fails the test on page problems."""
    problems = PageProblems(page)
    console_problems["problems"] = problems
    sign_in(page, capacity_server.platform, capacity_server.token)
    yield page
    problems.assert_clean()


def node_names(srv) -> list[str]:
    # A plain request (no pooled client connection left open to hold up the server's shutdown).
    answer = srv.http("GET", "/api/v1/nodes")
    assert answer.status == 200, answer
    return sorted(node["metadata"]["name"] for node in answer.json()["items"])


def open_capacity(page, srv) -> None:
    page.goto(srv.platform + "/ui/capacity")
    page.get_by_role("heading", name="Nodes").wait_for()


def test_an_empty_cluster_says_what_to_do(capacity_page, capacity_server):
    page = capacity_page
    open_capacity(page, capacity_server)
    assert page.get_by_text("No nodes yet. Load a scenario below").is_visible()
    assert page.get_by_text("No migrations yet").is_visible()
    assert page.get_by_label("Scenario JSON").is_visible()
    assert_accessible(page)


def test_load_a_scenario_and_see_nodes_classification_and_charts(capacity_page, capacity_server):
    page = capacity_page
    open_capacity(page, capacity_server)
    wait_live(page)
    page.get_by_label("Scenario JSON").fill(json.dumps(SCENARIO, indent=1))
    with page.expect_response(lambda r: r.url.endswith("/ui/capacity/scenario")) as answer:
        page.get_by_role("button", name="Load scenario").click()
    assert answer.value.status == 200
    page.get_by_role("status").filter(has_text="Loaded console-demo: 4 nodes, 1 of 1 VMs placed").wait_for(timeout=60_000)

    # The nodes table arrives over the live stream, with each class in words and colour.
    for node, words in EXPECTED_CLASSES.items():
        badge = page.locator(f'#live-capacity tr[data-node="{node}"] .badge')
        badge.filter(has_text=words).wait_for(timeout=15_000)
        assert badge.get_attribute("class").split()[-1] == {"over-utilised": "bad", "appropriately utilised": "ok",
                                                             "under-utilised": "muted"}[words]
    hot = page.locator('#live-capacity tr[data-node="cap-hot"] td')
    assert hot.nth(1).inner_text() == "90.0 %"   # CPU usage
    assert hot.nth(3).inner_text() == "80.0 %"   # memory usage
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('#live-capacity tbody tr'))
                 .reduce((sum, row) => sum + Number(row.querySelectorAll('td')[5].textContent), 0) === 1""",
        timeout=15_000)

    # A chart per node, drawn from the history ring, with data.
    for node in ["cap-hot", "cap-warm", "cap-idle", "cap-vms"]:
        figure = page.locator(f'#capacity-charts figure[data-node="{node}"]')
        figure.locator("canvas").first.wait_for(timeout=20_000)
        page.wait_for_function(
            "([n]) => Number(document.querySelector(`#capacity-charts figure[data-node=\"${n}\"]`)"
            "?.getAttribute('data-points') || 0) >= 1", arg=[node], timeout=20_000)
    label = page.locator('#capacity-charts figure[data-node="cap-hot"] [role=img]').get_attribute("aria-label")
    assert "CPU usage 90.0 %" in label, label
    history = page.request.get(capacity_server.platform + "/ui/capacity/history.json").json()
    series = {entry["node"]: entry for entry in history["nodes"]}
    assert set(series) == {"cap-hot", "cap-warm", "cap-idle", "cap-vms"}
    assert series["cap-hot"]["cpuUsage"][-1] == 90.0
    assert len(series["cap-hot"]["times"]) == len(series["cap-hot"]["cpuUsage"]) >= 1
    assert series["cap-hot"]["times"] == sorted(series["cap-hot"]["times"])

    # Later samples move the chart without a reload (the history grows live).
    before = int(page.locator('#capacity-charts figure[data-node="cap-hot"]').get_attribute("data-points"))
    page.wait_for_function(
        "([b]) => Number(document.querySelector('#capacity-charts figure[data-node=\"cap-hot\"]')"
        ".getAttribute('data-points')) > b", arg=[before], timeout=20_000)
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")  # the screenshot shows the top of the page
    screenshot(page, "capacity")


def test_a_bad_scenario_is_refused_beside_the_field_and_changes_nothing(capacity_page, capacity_server,
                                                                        console_problems):
    page = capacity_page
    expect_status(console_problems, 422)
    open_capacity(page, capacity_server)
    nodes_before = node_names(capacity_server)
    field = page.get_by_label("Scenario JSON")

    field.fill('{"nodes": [{"vms": []}]}')
    with page.expect_response(lambda r: r.url.endswith("/ui/capacity/scenario")) as answer:
        page.get_by_role("button", name="Load scenario").click()
    assert answer.value.status == 422
    error = page.locator("#scenario-json-error")
    error.filter(has_text="nodes[0].name").wait_for()
    field = page.get_by_label("Scenario JSON")
    assert field.get_attribute("aria-invalid") == "true"
    assert "scenario-json-error" in field.get_attribute("aria-describedby")

    field.fill("{not json")
    page.get_by_role("button", name="Load scenario").click()
    page.locator("#scenario-json-error").filter(has_text="not JSON").wait_for()

    page.get_by_label("Scenario JSON").fill(json.dumps({"one": [{"name": "a"}], "two": [{"name": "b"}]}))
    page.get_by_role("button", name="Load scenario").click()
    page.locator("#scenario-name-error").filter(has_text="several scenarios").wait_for()
    assert_accessible(page)

    assert node_names(capacity_server) == nodes_before


def test_history_and_scenario_need_the_admin(page, capacity_server):
    # Signed out: the JSON is not served, and the page sends the browser to sign in.
    answer = page.request.get(capacity_server.platform + "/ui/capacity/history.json", max_redirects=0)
    assert answer.status in (302, 303)
    assert answer.headers["location"] == "/ui/login"
    answer = page.request.post(capacity_server.platform + "/ui/capacity/scenario", form={"scenario": "{}"},
                               max_redirects=0)
    assert answer.status in (401, 403, 302, 303)
