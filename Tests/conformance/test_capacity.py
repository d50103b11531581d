"""The capacity API on the platform address: scenarios (POST/GET /scenario), node metrics
computed from where the scheduler actually placed the VMs (/metrics), /nodes/<name>,
migrations requested through /feedback, the classification report, and the token and
body checks of the POSTs.

These tests run on a server of their own started with `--sim-nodes 0`, so every node comes
from a scenario. Expected figures are computed here, in Python, from the launcher pods read
back through the Kubernetes API (node-classifier-sim's model, Sources/Capacity/
UtilizationModel.swift):

    consumption = cores × utilization / node cores   (memory: bytes × utilization / node memory)
    usage       = min(1, Σ consumption)
    p(u)        = min(0.05, 0.07u) for u < 0.7; (u − 0.7)/0.2 × 0.2 for u < 0.9;
                  0.2 + ((u − 0.9)/0.1)² × 0.6 otherwise
    cpu PSI     = p(demand) for demand ≤ 1, min(1, p(1) + (demand − 1) × 0.5) past it
    memory PSI  = p(min(1, usage))
    score       = mean of the four
"""

from __future__ import annotations

import json
import math
import time
from typing import Iterable

import pytest
from kubernetes.utils import parse_quantity
from prometheus_client.parser import text_string_to_metric_families

from conftest import VirtyardServer, _stop_checked, wait_until

GI = 1 << 30
TOL = 1e-9
PREFIXES = ["", "/api/v1/capacity"]
ANN = "simulation.node-classifier.io/"
SCENARIO_LABEL = "virtyard.io/scenario"


class SimulationServer(VirtyardServer):
    """`virtyard serve` with extra flags (the session default stays as it is)."""

    def __init__(self, data_dir, extra: list[str]):
        super().__init__(data_dir)
        self.extra = list(extra)

    @property
    def command(self) -> list[str]:
        return super().command + self.extra


def start_capacity_server(data_dir, extra: Iterable[str] = ("--sim-nodes", "0")) -> SimulationServer:
    srv = SimulationServer(data_dir, list(extra))
    srv.start()
    try:
        wait_until(lambda: srv.http("GET", "/health", platform=True, token=None).status == 200,
                   timeout=60, message="capacity /health healthy")
    except BaseException:
        srv.kill9()
        raise
    return srv


@pytest.fixture(scope="module")
def cap(tmp_path_factory) -> Iterable[SimulationServer]:
    """A server that loads the MIXED scenario once; the tests using it only read, or (the
    feedback test, last) move a VM."""
    srv = start_capacity_server(tmp_path_factory.mktemp("virtyard-capacity"))
    try:
        load_scenario(srv, MIXED)
        yield srv
    finally:
        _stop_checked(srv)


@pytest.fixture
def fresh_cap(tmp_path) -> Iterable[SimulationServer]:
    """A server of the test's own, for tests that load a scenario of their own (so that one
    test's scenario cannot leave anything behind for the next)."""
    srv = start_capacity_server(tmp_path / "data")
    try:
        yield srv
    finally:
        _stop_checked(srv)


# -- the model, in Python -----------------------------------------------------------------


def pressure(u: float) -> float:
    u = max(0.0, u)
    if u < 0.7:
        return min(0.05, u * 0.07)
    if u < 0.9:
        return (u - 0.7) / 0.2 * 0.20
    over = (u - 0.9) / 0.1
    return 0.20 + over * over * 0.60


def cpu_pressure(demand: float) -> float:
    return pressure(demand) if demand <= 1 else min(1.0, pressure(1.0) + (demand - 1) * 0.5)


def memory_pressure(usage: float) -> float:
    return pressure(min(1.0, usage))


def vm_load(pod) -> dict | None:
    """What a launcher pod's annotations say (VMLoad.init(pod:))."""
    labels = pod.metadata.labels or {}
    if labels.get("kubevirt.io") != "virt-launcher" and not pod.metadata.name.startswith("virt-launcher-"):
        return None
    ann = pod.metadata.annotations or {}
    cores = float(ann.get(ANN + "vm-cpu-cores", 1))
    memory = int(float(ann.get(ANN + "vm-memory-bytes", 0)))
    cpu_util = float(ann.get(ANN + "vm-cpu-utilization", 0))
    mem_util = float(ann.get(ANN + "vm-memory-utilization", 0))
    if ANN + "vm-cpu-cores" not in ann and "kubevirt.io/vm-cpu-consumption" in ann:
        cores, cpu_util = float(ann["kubevirt.io/vm-cpu-consumption"]) * 32, 1.0
    if ANN + "vm-memory-bytes" not in ann and "kubevirt.io/vm-memory-consumption" in ann:
        memory, mem_util = int(float(ann["kubevirt.io/vm-memory-consumption"]) * 128 * GI), 1.0
    return {"vm": labels.get("vm.kubevirt.io/name"), "id": ann.get(ANN + "vm-id"), "pod": pod.metadata.name,
            "cores": cores, "memory": memory, "cpu_util": cpu_util, "mem_util": mem_util}


def expected_utilization(srv: VirtyardServer) -> dict[str, dict]:
    """Per node: the four figures, the score and the VMs, from the pods actually placed."""
    core = srv.core()
    pods = core.list_pod_for_all_namespaces().items
    by_node: dict[str, list[dict]] = {}
    for pod in pods:
        node = pod.spec.node_name
        if not node or pod.metadata.deletion_timestamp is not None:
            continue
        if pod.status.phase in ("Succeeded", "Failed"):
            continue
        load = vm_load(pod)
        if load:
            by_node.setdefault(node, []).append(load)
    result = {}
    for node in core.list_node().items:
        if node.metadata.deletion_timestamp is not None:
            continue
        name = node.metadata.name
        alloc = node.status.allocatable or node.status.capacity
        cores = float(parse_quantity(alloc["cpu"]))
        memory = float(parse_quantity(alloc["memory"]))
        vms = by_node.get(name, [])
        cpu_demand = sum(v["cores"] * v["cpu_util"] / cores for v in vms)
        mem_demand = sum(v["memory"] * v["mem_util"] / memory for v in vms)
        raw = (node.metadata.annotations or {}).get("virtyard.io/capacity-baseline")
        base = json.loads(raw) if raw else None
        if base:
            cpu_u = min(1.0, base["cpuUsage"] + cpu_demand)
            mem_u = min(1.0, base["memoryUsage"] + mem_demand)
            if vms:
                cpu_p = cpu_pressure(base["cpuUsage"] + cpu_demand)
                mem_p = memory_pressure(base["memoryUsage"] + mem_demand)
            else:
                cpu_p, mem_p = base["cpuPressure"], base["memoryPressure"]
        else:
            cpu_u, mem_u = min(1.0, cpu_demand), min(1.0, mem_demand)
            cpu_p, mem_p = cpu_pressure(cpu_demand), memory_pressure(mem_demand)
        result[name] = {"cpu_usage": cpu_u, "cpu_pressure": cpu_p, "memory_usage": mem_u,
                        "memory_pressure": mem_p, "score": (cpu_u + cpu_p + mem_u + mem_p) / 4,
                        "vms": vms, "cores": cores, "memory": memory}
    return result


# -- talking to the capacity API ------------------------------------------------------------


def get(srv, path: str, **kw):
    return srv.http("GET", path, platform=True, token=None, **kw)


def post(srv, path: str, body, token=True, **kw):
    return srv.http("POST", path, body=body, platform=True, token=token, timeout=120, **kw)


def load_scenario(srv, body: dict, path: str = "/scenario") -> dict:
    resp = post(srv, path, body)
    assert resp.status == 200, resp
    answer = resp.json()
    assert answer["status"] == "success", answer
    return answer


def metrics(srv, path: str = "/metrics") -> dict[str, list]:
    """Family name → samples (prometheus_client's parser)."""
    resp = get(srv, path)
    assert resp.status == 200, resp
    assert resp.headers.get("Content-Type", "").startswith("text/plain"), resp.headers
    families = {}
    for fam in text_string_to_metric_families(resp.text):
        families[fam.name] = fam
    return families


def per_node(families, name: str, label: str = "node") -> dict[str, float]:
    fam = families[name]
    return {s.labels[label]: s.value for s in fam.samples}


def assert_close(actual: float, expected: float, what: str) -> None:
    assert math.isclose(actual, expected, rel_tol=TOL, abs_tol=TOL), f"{what}: {actual} != {expected}"


def assert_metrics_match_pods(srv, path: str = "/metrics") -> dict[str, dict]:
    expected = expected_utilization(srv)
    fams = metrics(srv, path)
    for family, key in [("node_cpu_usage_ratio", "cpu_usage"), ("node_cpu_pressure_psi", "cpu_pressure"),
                        ("node_memory_usage_ratio", "memory_usage"),
                        ("node_memory_pressure_psi", "memory_pressure"),
                        ("virtyard_capacity_node_score", "score")]:
        got = per_node(fams, family)
        assert set(got) == set(expected), (family, got, list(expected))
        for node, exp in expected.items():
            assert_close(got[node], exp[key], f"{family}{{node={node}}}")
    counts = per_node(fams, "node_vm_count")
    assert counts == {n: float(len(e["vms"])) for n, e in expected.items()}, counts
    total = per_node(fams, "node_memory_MemTotal_bytes", "instance")
    avail = per_node(fams, "node_memory_MemAvailable_bytes", "instance")
    for node, exp in expected.items():
        assert total[node] == exp["memory"]
        assert_close(avail[node], exp["memory"] * (1 - exp["memory_usage"]), f"MemAvailable {node}")
    roles = {(s.labels["node"], s.labels["role"]): s.value for s in fams["kube_node_role"].samples}
    assert roles == {(n, "worker"): 1.0 for n in expected}, roles
    modes = {(s.labels["instance"], s.labels["mode"]) for s in fams["node_cpu_seconds"].samples}
    assert modes == {(n, m) for n in expected for m in ("idle", "system", "user")}, modes
    return expected


def scenario_vms(srv) -> dict[str, dict]:
    """The scenario VirtualMachines in `default`, by name."""
    items = srv.custom().list_namespaced_custom_object(
        "kubevirt.io", "v1", "default", "virtualmachines", label_selector=SCENARIO_LABEL)["items"]
    return {vm["metadata"]["name"]: vm for vm in items}


def vmi_node(srv, name: str) -> str | None:
    vmi = srv.custom().get_namespaced_custom_object("kubevirt.io", "v1", "default",
                                                    "virtualmachineinstances", name)
    return (vmi.get("status") or {}).get("nodeName")


MIXED = {"mixed": [
    {"name": "cap-a", "vms": [
        {"id": "VM_1", "cpu_consumption": 0.2, "memory_consumption": 0.1},
        {"id": "vm-2", "cpu_cores": 8, "memory_bytes": 16 * GI, "cpu_utilization": 0.9,
         "memory_utilization": 0.5},
    ]},
    {"name": "cap-b", "vms": [
        {"id": "vm-3", "cpu_cores": 4, "memory_bytes": 8 * GI, "cpu_utilization": 0.25,
         "memory_utilization": 0.75},
        {"id": "vm-4", "cpu_cores": 16, "memory_bytes": 64 * GI, "cpu_utilization": 1.0,
         "memory_utilization": 0.95},
    ]},
    {"name": "cap-c", "vms": [
        {"id": "vm-5", "cpu_consumption": 0.05, "memory_consumption": 0.02},
    ]},
]}


# -- tests -------------------------------------------------------------------------------------


def test_sim_nodes_0_starts_without_nodes(fresh_cap):
    assert fresh_cap.core().list_node().items == []
    health = get(fresh_cap, "/health").json()
    assert health["status"] == "healthy" and health["nodes"] == 0, health
    fams = metrics(fresh_cap)
    assert list(fams["node_cpu_usage_ratio"].samples) == []
    assert get(fresh_cap, "/scenario").json() == {"scenario": None, "nodes": []}


def test_scenario_metrics_equal_what_the_placed_pods_imply(cap):
    nodes = {n.metadata.name: n for n in cap.core().list_node().items}
    assert set(nodes) == {"cap-a", "cap-b", "cap-c"}, list(nodes)
    for node in nodes.values():
        assert node.metadata.labels.get("type") == "kwok"
        assert node.metadata.labels.get(SCENARIO_LABEL) == "mixed"

    vms = scenario_vms(cap)
    assert set(vms) == {"vm-1", "vm-2", "vm-3", "vm-4", "vm-5"}, list(vms)
    for vm in vms.values():
        assert vm["metadata"]["labels"][SCENARIO_LABEL] == "mixed"

    expected = assert_metrics_match_pods(cap)
    placed = {v["id"]: node for node, e in expected.items() for v in e["vms"]}
    assert set(placed) == {"VM_1", "vm-2", "vm-3", "vm-4", "vm-5"}, placed
    # The legacy form: 2 cores, utilisation c × 32 / 2, so the node share comes back out.
    [legacy] = [v for e in expected.values() for v in e["vms"] if v["id"] == "VM_1"]
    assert legacy["cores"] == 2.0
    assert_close(legacy["cpu_util"], 0.2 * 32 / 2, "VM_1 cpu utilisation")
    assert_close(legacy["cores"] * legacy["cpu_util"] / 32, 0.2, "VM_1 cpu share")
    assert_close(legacy["memory"] * legacy["mem_util"] / (128 * GI), 0.1, "VM_1 memory share")
    # The same figures under /api/v1/capacity/metrics.
    assert_metrics_match_pods(cap, "/api/v1/capacity/metrics")


def test_load_answer_counts_what_was_placed(fresh_cap):
    answer = load_scenario(fresh_cap, MIXED)
    assert answer["scenario"] == "mixed"
    assert answer["nodes_loaded"] == 3 and answer["total_vms"] == 5, answer
    assert answer["placed"] == 5 and answer["unschedulable"] == 0, answer
    # Placed means running: every VMI runs when the answer comes.
    vmis = fresh_cap.custom().list_namespaced_custom_object(
        "kubevirt.io", "v1", "default", "virtualmachineinstances")["items"]
    assert sorted((v["metadata"]["name"], v["status"]["phase"]) for v in vmis) == \
        [(f"vm-{i}", "Running") for i in range(1, 6)], vmis
    assert_metrics_match_pods(fresh_cap)


def test_cpu_counters_integrate_usage_and_pressure(cap):
    expected = expected_utilization(cap)
    first = metrics(cap)
    time.sleep(1.5)
    second = metrics(cap)

    def counters(fams):
        out = {}
        for s in fams["node_cpu_seconds"].samples:
            out[(s.labels["instance"], s.labels["mode"])] = s.value
        for s in fams["node_pressure_cpu_waiting_seconds"].samples:
            out[(s.labels["instance"], "waiting")] = s.value
        return out

    a, b = counters(first), counters(second)
    for node, exp in expected.items():
        delta = {m: b[(node, m)] - a[(node, m)] for m in ("idle", "system", "user", "waiting")}
        assert all(v >= 0 for v in delta.values()), (node, delta)
        elapsed = delta["idle"] + delta["system"] + delta["user"]
        assert 1.0 < elapsed < 10, (node, delta)
        busy = delta["system"] + delta["user"]
        assert_close(busy / elapsed, exp["cpu_usage"], f"{node} busy share")
        if busy > 0:
            assert_close(delta["user"] / busy, 0.6, f"{node} user share")
        assert_close(delta["waiting"] / elapsed, exp["cpu_pressure"], f"{node} waiting share")


def test_prometheus_text_parses(cap):
    fams = metrics(cap)
    types = {name: fam.type for name, fam in fams.items()}
    for name in ["node_cpu_usage_ratio", "node_cpu_pressure_psi", "node_memory_usage_ratio",
                 "node_memory_pressure_psi", "node_vm_count", "kube_node_role",
                 "virtyard_capacity_node_score", "virtyard_capacity_node_classification"]:
        assert types.get(name) == "gauge", (name, types.get(name))
    # Counters: the parser strips `_total` from the family name.
    assert types.get("node_cpu_seconds") == "counter"
    assert types.get("node_pressure_cpu_waiting_seconds") == "counter"
    assert {s.name for s in fams["node_cpu_seconds"].samples} == {"node_cpu_seconds_total"}


def test_get_scenario_and_nodes(cap):
    expected = expected_utilization(cap)
    for prefix in PREFIXES:
        resp = get(cap, prefix + "/scenario")
        assert resp.status == 200, resp
        body = resp.json()
        assert body["scenario"] == "mixed"
        listed = {n["name"]: n for n in body["nodes"]}
        assert set(listed) == set(expected)
        ids = []
        for name, node in listed.items():
            exp = expected[name]
            for key in ("cpu_usage", "cpu_pressure", "memory_usage", "memory_pressure", "score"):
                assert_close(node[key], exp[key], f"/scenario {name} {key}")
            assert node["vm_count"] == len(exp["vms"]) == len(node["vms"])
            assert {v["pod_name"] for v in node["vms"]} == {v["pod"] for v in exp["vms"]}
            for vm in node["vms"]:
                assert vm["scheduled_node"] == name
                assert vm_node_of_pod(cap, vm["pod_name"]) == name
                ids.append(vm["id"])
            one = get(cap, f"{prefix}/nodes/{name}")
            assert one.status == 200, one
            assert one.json() == node
        assert sorted(ids) == sorted(["VM_1", "vm-2", "vm-3", "vm-4", "vm-5"]), ids
        missing = get(cap, f"{prefix}/nodes/no-such-node")
        assert missing.status == 404, missing
        assert missing.json().get("error"), missing


def vm_node_of_pod(srv, pod_name: str) -> str:
    return srv.core().read_namespaced_pod(pod_name, "default").spec.node_name


def test_posts_need_the_admin_token(cap):
    before = {n: vm["metadata"]["uid"] for n, vm in scenario_vms(cap).items()}
    other = {"other": [{"name": "cap-x", "vms": [{"id": "x-1"}]}]}
    for prefix in PREFIXES:
        for path, body in [("/scenario", other), ("/refresh", {}),
                           ("/feedback", {"migrations": [{"vm_id": "vm-2", "from_node": "cap-a",
                                                          "to_node": "cap-b"}]})]:
            for token in (None, "not-the-token"):
                resp = post(cap, prefix + path, body, token=token)
                assert resp.status == 401, (prefix + path, token, resp)
                assert set(resp.json()) >= {"error", "message"}, resp
    # GETs answer without one (Prometheus scrapes them).
    for prefix in PREFIXES:
        for path in ("/metrics", "/health", "/scenario"):
            assert get(cap, prefix + path).status == 200, prefix + path
    assert {n: vm["metadata"]["uid"] for n, vm in scenario_vms(cap).items()} == before
    assert "cap-x" not in {n.metadata.name for n in cap.core().list_node().items}
    assert not [m for m in cap.custom().list_namespaced_custom_object(
        "kubevirt.io", "v1", "default", "virtualmachineinstancemigrations")["items"]]
    refreshed = post(cap, "/refresh", {})
    assert refreshed.status == 200 and refreshed.json()["status"] == "success", refreshed


BAD_BODIES = [
    b"{bad json",
    b"[]",
    b'"just a string"',
    b"{}",
    json.dumps({"s": [{"name": "Bad_Name"}]}).encode(),
    json.dumps({"s": [{"name": "ok-node", "vms": [{"id": "a"}, {"id": "a"}]}]}).encode(),
    json.dumps({"s": [{"name": "ok-node", "vms": [{"id": "a", "cpu_consumption": 0.1}]}]}).encode(),
    json.dumps({"s": [{"name": "ok-node", "vms": [{"id": "a", "cpu_utilization": 1.5}]}]}).encode(),
    json.dumps({"s": [{"name": "dup"}, {"name": "dup"}]}).encode(),
    json.dumps({"s": [{"name": "n", "cpu_usage": 0.5}]}).encode(),
    json.dumps({"s": "not a list"}).encode(),
    json.dumps({"a": [], "b": []}).encode(),
]


def test_malformed_scenarios_are_400_and_change_nothing(cap):
    before_vms = {n: vm["metadata"]["uid"] for n, vm in scenario_vms(cap).items()}
    before_nodes = {n.metadata.name: n.metadata.uid for n in cap.core().list_node().items}
    for prefix in PREFIXES:
        for body in BAD_BODIES:
            resp = post(cap, prefix + "/scenario", body)
            assert resp.status == 400, (prefix, body, resp)
            answer = resp.json()
            assert set(answer) >= {"error", "message"} and answer["message"], (body, answer)
        resp = post(cap, prefix + "/scenario?name=missing", {"a": [], "b": []})
        assert resp.status == 400, resp
        for body in (b"{nope", b"{}", json.dumps({"migrations": []}).encode()):
            resp = post(cap, prefix + "/feedback", body)
            assert resp.status == 400, (prefix, body, resp)
    assert {n: vm["metadata"]["uid"] for n, vm in scenario_vms(cap).items()} == before_vms
    assert {n.metadata.name: n.metadata.uid for n in cap.core().list_node().items} == before_nodes
    assert get(cap, "/scenario").json()["scenario"] == "mixed"


def test_feedback_migrates_and_reports_where_the_vm_landed(cap):
    vm_name = "vm-3"
    source = vmi_node(cap, vm_name)
    target = next(n for n in ("cap-a", "cap-b", "cap-c") if n != source)
    resp = post(cap, "/feedback", {"migrations": [
        {"vm_id": "vm-3", "from_node": source, "to_node": target},
        {"vm_id": "no-such-vm", "from_node": source, "to_node": target},
        {"vm_id": "vm-2"},
    ]})
    assert resp.status == 200, resp
    ok, unknown, incomplete = resp.json()["results"]
    assert ok["vm_id"] == "vm-3" and ok["success"] is True, ok
    landed = vmi_node(cap, vm_name)
    assert ok["landed_node"] == landed, (ok, landed)
    assert landed != source
    assert ok["followed_request"] is (landed == target), ok
    assert unknown["success"] is False and unknown.get("error"), unknown
    assert incomplete["success"] is False and incomplete.get("error"), incomplete

    # The launcher moved with it, and the metrics follow the pods.
    pods = cap.core().list_namespaced_pod("default", label_selector=f"vm.kubevirt.io/name={vm_name}").items
    live = [p for p in pods if p.metadata.deletion_timestamp is None]
    assert [p.spec.node_name for p in live] == [landed], [(p.metadata.name, p.spec.node_name) for p in pods]
    expected = assert_metrics_match_pods(cap)
    assert "vm-3" in {v["id"] for v in expected[landed]["vms"]}

    # A request naming the wrong source node is refused and says where the VM is.
    wrong = post(cap, "/api/v1/capacity/feedback", {"migrations": [
        {"vm_id": "vm-3", "from_node": source, "to_node": target}]}).json()["results"][0]
    assert wrong["success"] is False and wrong.get("landed_node") == landed, wrong
    # And one naming a node that does not exist.
    nowhere = post(cap, "/feedback", {"migrations": [
        {"vm_id": "vm-3", "from_node": landed, "to_node": "no-such-node"}]}).json()["results"][0]
    assert nowhere["success"] is False and nowhere.get("error"), nowhere
    assert vmi_node(cap, vm_name) == landed


def test_choosing_one_of_several_scenarios(fresh_cap):
    body = {"first": [{"name": "pick-1", "vms": [{"id": "p-1"}]}],
            "second": [{"name": "pick-2", "vms": [{"id": "p-2"}, {"id": "p-3"}]}]}
    assert post(fresh_cap, "/scenario", body).status == 400
    answer = load_scenario(fresh_cap, body, path="/scenario?name=second")
    assert answer["scenario"] == "second" and answer["total_vms"] == 2, answer
    assert set(scenario_vms(fresh_cap)) == {"p-2", "p-3"}
    assert {n.metadata.name for n in fresh_cap.core().list_node().items} == {"pick-2"}
    assert_metrics_match_pods(fresh_cap)


def test_nodes_form_of_the_body(fresh_cap):
    answer = load_scenario(fresh_cap, {"name": "plain", "nodes": [
        {"name": "plain-1", "vms": [{"id": "q-1", "cpu_cores": 3, "memory_bytes": 6 * GI,
                                      "cpu_utilization": 0.7, "memory_utilization": 0.6}]}]},
                           path="/api/v1/capacity/scenario")
    assert answer["scenario"] == "plain" and answer["placed"] == 1, answer
    assert set(scenario_vms(fresh_cap)) == {"q-1"}
    expected = assert_metrics_match_pods(fresh_cap)
    assert_close(expected["plain-1"]["cpu_usage"], 3 * 0.7 / 32, "plain-1 cpu usage")
    assert_close(expected["plain-1"]["memory_usage"], 6 * 0.6 / 128, "plain-1 memory usage")


def test_a_new_scenario_replaces_the_previous_one(fresh_cap):
    load_scenario(fresh_cap, {"old": [{"name": "r-1", "vms": [{"id": "old-1"}, {"id": "old-2"}]},
                                      {"name": "r-2", "vms": [{"id": "old-3"}]},
                                      {"name": "r-3", "vms": []}]})
    assert set(scenario_vms(fresh_cap)) == {"old-1", "old-2", "old-3"}
    assert {n.metadata.name for n in fresh_cap.core().list_node().items} == {"r-1", "r-2", "r-3"}

    answer = load_scenario(fresh_cap, {"new": [{"name": "r-1", "vms": [{"id": "new-1"}]},
                                               {"name": "r-4", "vms": [{"id": "new-2"}]}]})
    assert answer["total_vms"] == 2 and answer["placed"] == 2, answer
    vms = scenario_vms(fresh_cap)
    assert set(vms) == {"new-1", "new-2"}, list(vms)
    assert all(vm["metadata"]["labels"][SCENARIO_LABEL] == "new" for vm in vms.values())
    # The old VMs' instances and launchers are gone, and so are the nodes left without pods.
    assert_no_leftovers(fresh_cap, {"new-1", "new-2"})
    nodes = {n.metadata.name for n in fresh_cap.core().list_node().items}
    assert nodes == {"r-1", "r-4"}, nodes
    assert_metrics_match_pods(fresh_cap)


def assert_no_leftovers(srv, names: set[str]) -> None:
    vmis = srv.custom().list_namespaced_custom_object("kubevirt.io", "v1", "default",
                                                     "virtualmachineinstances")["items"]
    assert {v["metadata"]["name"] for v in vmis} == names, \
        [(v["metadata"]["name"], v["metadata"]["ownerReferences"][0]["uid"]) for v in vmis]
    pods = srv.core().list_namespaced_pod("default").items
    assert {p.metadata.labels.get("vm.kubevirt.io/name") for p in pods} == names, \
        [p.metadata.name for p in pods]


def test_back_to_back_scenario_loads(fresh_cap):
    """Loading the same scenario again and again must work every time and leave exactly
    that scenario's VMs, instances and launchers behind."""
    for round_ in range(5):
        resp = post(fresh_cap, "/scenario", MIXED)
        assert resp.status == 200, (f"load #{round_ + 1}", resp)
        assert resp.json()["placed"] == 5, resp.json()
    assert set(scenario_vms(fresh_cap)) == {"vm-1", "vm-2", "vm-3", "vm-4", "vm-5"}
    assert_no_leftovers(fresh_cap, {"vm-1", "vm-2", "vm-3", "vm-4", "vm-5"})


def test_unschedulable_vms_are_counted_and_not_placed(fresh_cap):
    answer = load_scenario(fresh_cap, {"tight": [
        {"name": "t-1", "vms": [{"id": "fits", "cpu_cores": 4, "memory_bytes": 8 * GI}]},
        {"name": "t-2", "vms": [{"id": "too-big", "cpu_cores": 4, "memory_bytes": 200 * GI}]},
    ]})
    assert answer["total_vms"] == 2 and answer["placed"] == 1 and answer["unschedulable"] == 1, answer
    [pod] = fresh_cap.core().list_namespaced_pod("default", label_selector="vm.kubevirt.io/name=too-big").items
    assert pod.spec.node_name is None
    cond = next(c for c in pod.status.conditions if c.type == "PodScheduled")
    assert cond.reason == "Unschedulable" and cond.message.startswith("0/2 nodes are available"), cond
    expected = assert_metrics_match_pods(fresh_cap)
    assert sum(len(e["vms"]) for e in expected.values()) == 1


def test_baseline_nodes(fresh_cap):
    # A node given as four figures and no VMs (the scheduler may still put VMs there).
    load_scenario(fresh_cap, {"base": [
        {"name": "b-1", "cpu_usage": 0.5, "cpu_pressure": 0.1, "memory_usage": 0.4, "memory_pressure": 0.05},
        {"name": "b-2", "vms": [{"id": "b-vm", "cpu_cores": 2, "memory_bytes": 4 * GI}]},
    ]})
    expected = assert_metrics_match_pods(fresh_cap)
    if not expected["b-1"]["vms"]:
        node = get(fresh_cap, "/nodes/b-1").json()
        assert (node["cpu_usage"], node["cpu_pressure"], node["memory_usage"], node["memory_pressure"]) == \
            (0.5, 0.1, 0.4, 0.05), node


PRESETS = {"Low": (0.10, 0.10), "Medium": (0.20, 0.20), "High": (0.30, 0.30),
           "AsymmetricLow": (0.0, 0.10), "AsymmetricMedium": (0.0, 0.20), "AsymmetricHigh": (0.0, 0.30)}


def classify(score: float, mean: float, lower: float, upper: float) -> str:
    if score < mean - lower - 1e-9:
        return "under-utilized"
    if score > mean + upper + 1e-9:
        return "over-utilized"
    return "appropriately-utilized"


def test_classification_against_mean_and_offsets(fresh_cap):
    # One busy VM fills one node; the other two stay idle.
    load_scenario(fresh_cap, {"uneven": [
        {"name": "u-1", "vms": [{"id": "busy", "cpu_cores": 30, "memory_bytes": 100 * GI,
                                  "cpu_utilization": 0.95, "memory_utilization": 0.9}]},
        {"name": "u-2", "vms": [{"id": "idle-1", "cpu_cores": 1, "memory_bytes": GI,
                                  "cpu_utilization": 0, "memory_utilization": 0}]},
        {"name": "u-3", "vms": [{"id": "idle-2", "cpu_cores": 1, "memory_bytes": GI,
                                  "cpu_utilization": 0, "memory_utilization": 0}]},
    ]})
    expected = assert_metrics_match_pods(fresh_cap)
    fams = metrics(fresh_cap)
    metric_class = {s.labels["node"]: (s.labels["class"], s.labels["preset"])
                    for s in fams["virtyard_capacity_node_classification"].samples}
    for preset, (lower, upper) in PRESETS.items():
        resp = get(fresh_cap, f"/api/v1/capacity/classification?preset={preset}")
        assert resp.status == 200, resp
        body = resp.json()
        assert body["preset"] == preset
        entries = {e["node"]: e for e in body["nodes"]}
        assert set(entries) == set(expected) and len(body["nodes"]) == len(expected), body
        mean = sum(e["score"] for e in expected.values()) / len(expected)
        assert_close(body["mean"], mean, f"{preset} mean")
        assert_close(body["lower_threshold"], mean - lower, f"{preset} lower")
        assert_close(body["upper_threshold"], mean + upper, f"{preset} upper")
        for node, entry in entries.items():
            assert_close(entry["score"], expected[node]["score"], f"{preset} {node} score")
            assert entry["vm_count"] == len(expected[node]["vms"])
            assert entry["classification"] == classify(expected[node]["score"], mean, lower, upper), \
                (preset, node, entry, mean)
        if preset == "AsymmetricLow":
            classes = sorted(e["classification"] for e in entries.values())
            assert classes == ["over-utilized", "under-utilized", "under-utilized"], entries
            # The server's preset (default AsymmetricLow) is what /metrics reports.
            assert metric_class == {n: (e["classification"], "AsymmetricLow") for n, e in entries.items()}
    default = get(fresh_cap, "/api/v1/capacity/classification").json()
    assert default["preset"] == "AsymmetricLow"
    bad = get(fresh_cap, "/api/v1/capacity/classification?preset=Bogus")
    assert bad.status == 400 and bad.json().get("error"), bad


def test_rebalancer_report_is_disabled_by_default(cap):
    resp = get(cap, "/api/v1/capacity/rebalancer")
    assert resp.status == 200, resp
    assert resp.json() == {"enabled": False, "rounds": []}
