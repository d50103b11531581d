"""The embedded simulation: KWOK-style nodes and their Leases, the scheduler and simulated
kubelet, and simulated KubeVirt (VirtualMachine → VirtualMachineInstance → virt-launcher
pod, run strategies, unschedulable VMs, live migration, snapshot and restore).

Everything here runs on the shared session server (`virtyard serve` with its default three
nodes `kwok-node-1..3`, 32 CPU / 128Gi each); every test keeps to its own namespace. The
last test dumps every KubeVirt object the product wrote and checks it against KubeVirt's
real schemas with `../shared/tools/validate-objects`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from decimal import Decimal

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes.utils import parse_quantity

from conftest import VALIDATE_OBJECTS, wait_until, write_manifest

KUBEVIRT = ("kubevirt.io", "v1")
SNAPSHOT = ("snapshot.kubevirt.io", "v1beta1")
NODES = ["kwok-node-1", "kwok-node-2", "kwok-node-3"]
KWOK_TAINT = {"key": "kwok.x-k8s.io/node", "value": "fake", "effect": "NoSchedule"}
MI = 1 << 20
GI = 1 << 30

# Generous: the controllers act within a second or two, but the machine may be busy.
SETTLE = 45.0


# -- manifests and readers ------------------------------------------------------------


def vm_manifest(name: str, cores: int = 2, memory: str = "2Gi", run_strategy: str | None = "Always",
                running: bool | None = None, labels: dict | None = None) -> dict:
    spec: dict = {}
    if run_strategy is not None:
        spec["runStrategy"] = run_strategy
    if running is not None:
        spec["running"] = running
    spec["template"] = {
        "metadata": {"labels": labels or {"app": name}},
        "spec": {"domain": {"cpu": {"cores": cores}, "memory": {"guest": memory}, "devices": {}}},
    }
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
            "spec": spec}


def apply(kubectl, ns: str, tmp_path, *docs: dict) -> str:
    path = write_manifest(tmp_path, f"{docs[0]['metadata']['name']}-{len(list(tmp_path.iterdir()))}.yaml",
                          *docs)
    return kubectl("apply", "-n", ns, "-f", str(path)).stdout


def get_obj(custom, ns: str, plural: str, name: str, group=KUBEVIRT) -> dict | None:
    try:
        return custom.get_namespaced_custom_object(*group, ns, plural, name)
    except k8s.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def vm_status(custom, ns: str, name: str) -> dict:
    return (get_obj(custom, ns, "virtualmachines", name) or {}).get("status") or {}


def launcher_pods(core, ns: str, vm: str, live_only: bool = True) -> list[k8s.V1Pod]:
    pods = core.list_namespaced_pod(ns, label_selector=f"vm.kubevirt.io/name={vm}").items
    if live_only:
        pods = [p for p in pods if p.metadata.deletion_timestamp is None]
    return pods


def condition(conditions: list | None, ctype: str) -> dict | None:
    return next((c for c in conditions or [] if c.get("type") == ctype), None)


def wait_vm_running(custom, core, ns: str, name: str, timeout: float = SETTLE) -> tuple[dict, k8s.V1Pod]:
    """Waits until the VM says Running and its VMI runs on the node its one live launcher
    pod runs on; returns (vmi, pod)."""

    def check():
        if vm_status(custom, ns, name).get("printableStatus") != "Running":
            return None
        vmi = get_obj(custom, ns, "virtualmachineinstances", name)
        st = (vmi or {}).get("status") or {}
        if st.get("phase") != "Running" or not st.get("nodeName"):
            return None
        if not (st.get("interfaces") or [{}])[0].get("ipAddress"):
            return None
        pods = [p for p in launcher_pods(core, ns, name) if p.status.phase == "Running"
                and p.spec.node_name == st["nodeName"]]
        return (vmi, pods[0]) if pods else None

    return wait_until(check, timeout=timeout, interval=0.25, message=f"VM {ns}/{name} Running")


def expected_memory_request(guest_bytes: int, vcpus: int, graphics: bool = True) -> int:
    """LauncherPod.memoryOverhead + the guest: page tables (guest/512), the launcher's
    processes (100+25+25+40+30 Mi), 8 Mi per vCPU, 16 Mi video memory."""
    overhead = guest_bytes // 512 + (100 + 25 + 25 + 40 + 30) * MI + vcpus * 8 * MI
    if graphics:
        overhead += 16 * MI
    return guest_bytes + overhead


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- nodes ------------------------------------------------------------------------------


def test_simulated_nodes_are_ready_kwok_nodes(server, core):
    def all_ready():
        nodes = {n.metadata.name: n for n in core.list_node().items}
        if not set(NODES) <= set(nodes):
            return None
        for name in NODES:
            ready = condition([c.to_dict() for c in nodes[name].status.conditions or []], "Ready")
            if not ready or ready["status"] != "True":
                return None
        return nodes

    nodes = wait_until(all_ready, timeout=SETTLE, message="kwok-node-1..3 Ready")
    cidrs, ips = set(), set()
    for name in NODES:
        node = nodes[name]
        assert node.metadata.labels.get("type") == "kwok", node.metadata.labels
        assert node.metadata.labels.get("kubernetes.io/hostname") == name
        taints = [{"key": t.key, "value": t.value, "effect": t.effect} for t in node.spec.taints or []]
        # The taint exists for mixing fake and real nodes; in embedded mode every node is
        # simulated, so plain workloads (`kubectl create deployment`) must schedule.
        assert KWOK_TAINT not in taints, taints
        assert parse_quantity(node.status.capacity["cpu"]) == 32
        assert parse_quantity(node.status.capacity["memory"]) == 128 * GI
        assert parse_quantity(node.status.allocatable["cpu"]) == 32
        assert parse_quantity(node.status.allocatable["memory"]) == 128 * GI
        assert node.spec.pod_cidr, f"{name} has no podCIDR"
        cidrs.add(node.spec.pod_cidr)
        internal = [a.address for a in node.status.addresses or [] if a.type == "InternalIP"]
        assert len(internal) == 1, node.status.addresses
        ips.add(internal[0])
        conds = {c.type: c.status for c in node.status.conditions}
        assert conds == {"Ready": "True", "MemoryPressure": "False", "DiskPressure": "False",
                         "PIDPressure": "False"}, conds
    assert len(cidrs) == 3 and len(ips) == 3, (cidrs, ips)


def test_node_leases_are_renewed(server):
    coordination = k8s.CoordinationV1Api(server.api())

    def leases():
        got = {l.metadata.name: l for l in
               coordination.list_namespaced_lease("kube-node-lease").items}
        return got if set(NODES) <= set(got) else None

    first = wait_until(leases, timeout=SETTLE, message="a Lease per node in kube-node-lease")
    for name in NODES:
        lease = first[name]
        assert lease.spec.holder_identity == name
        assert lease.spec.lease_duration_seconds == 40
        assert lease.spec.renew_time is not None
        owners = lease.metadata.owner_references or []
        assert [(o.kind, o.name) for o in owners] == [("Node", name)], owners

    # The heartbeat renews every 10 s.
    def renewed():
        now = leases()
        return all(now[n].spec.renew_time > first[n].spec.renew_time for n in NODES)

    wait_until(renewed, timeout=30, interval=1, message="every node Lease renewed")


# -- a VM's life -------------------------------------------------------------------------


def test_vm_applied_with_kubectl_runs(server, kubectl, core, custom, ns, tmp_path):
    out = apply(kubectl, ns, tmp_path, vm_manifest("web", cores=2, memory="2Gi"))
    assert "virtualmachine.kubevirt.io/web created" in out, out
    vmi, pod = wait_vm_running(custom, core, ns, "web")
    vm = get_obj(custom, ns, "virtualmachines", "web")

    # The VM.
    st = vm["status"]
    assert st["printableStatus"] == "Running"
    assert st.get("ready") is True and st.get("created") is True, st
    assert condition(st.get("conditions"), "Ready")["status"] == "True"

    # The VMI: same name, owned by the VM, on a simulated node, with an IP.
    assert vmi["metadata"]["name"] == "web"
    [owner] = vmi["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"], owner.get("controller")) == \
        ("VirtualMachine", "web", vm["metadata"]["uid"], True)
    vst = vmi["status"]
    assert vst["phase"] == "Running"
    assert vst["nodeName"] in NODES
    ip = vst["interfaces"][0]["ipAddress"]
    assert condition(vst.get("conditions"), "Ready")["status"] == "True"
    assert vmi["metadata"]["labels"].get("kubevirt.io/nodeName") == vst["nodeName"]

    # The launcher pod.
    [live] = launcher_pods(core, ns, "web")
    assert live.metadata.name == pod.metadata.name
    assert pod.metadata.name.startswith("virt-launcher-web-")
    suffix = pod.metadata.name.removeprefix("virt-launcher-web-")
    assert len(suffix) == 5 and suffix.isalnum(), pod.metadata.name
    labels = pod.metadata.labels
    assert labels["kubevirt.io"] == "virt-launcher"
    assert labels["kubevirt.io/created-by"] == vmi["metadata"]["uid"]
    assert labels["vm.kubevirt.io/name"] == "web"
    assert labels.get("app") == "web", "template labels are copied to the launcher"
    [powner] = pod.metadata.owner_references
    assert (powner.kind, powner.name, powner.uid) == ("VirtualMachineInstance", "web",
                                                      vmi["metadata"]["uid"])
    assert pod.spec.node_name == vst["nodeName"]
    assert pod.status.phase == "Running"
    assert pod.status.pod_ip == ip
    node = core.read_node(pod.spec.node_name)
    host_ip = next(a.address for a in node.status.addresses if a.type == "InternalIP")
    assert pod.status.host_ip == host_ip
    assert ip.startswith(node.spec.pod_cidr.rsplit(".", 1)[0] + "."), (ip, node.spec.pod_cidr)
    pconds = {c.type: c.status for c in pod.status.conditions}
    assert pconds.get("PodScheduled") == "True" and pconds.get("Ready") == "True", pconds
    [compute] = pod.spec.containers
    assert compute.name == "compute"
    requests = compute.resources.requests
    # 2 vCPUs / cpuAllocationRatio 10 = 200m; memory = guest + overhead.
    assert requests["cpu"] == "200m", requests
    assert parse_quantity(requests["memory"]) == expected_memory_request(2 * GI, 2), requests
    assert parse_quantity(requests["memory"]) == 2304 * MI
    tolerations = [{"key": t.key, "value": t.value, "effect": t.effect}
                   for t in pod.spec.tolerations or []]
    assert KWOK_TAINT in tolerations, tolerations

    # kubectl lists all three.
    listing = kubectl("get", "vm,vmi,pods", "-n", ns, "-o", "wide").stdout
    for name in ("virtualmachine.kubevirt.io/web", "virtualmachineinstance.kubevirt.io/web",
                 f"pod/{pod.metadata.name}"):
        assert name in listing, listing
    # Server-side tables: KubeVirt's printer columns and the pod's wide columns.
    lines = {line.split()[0]: line.split() for line in listing.splitlines() if line.strip()
             and not line.startswith("NAME")}
    assert "Running" in lines["virtualmachine.kubevirt.io/web"], listing
    vmi_line = lines["virtualmachineinstance.kubevirt.io/web"]
    assert "Running" in vmi_line and ip in vmi_line and vst["nodeName"] in vmi_line, listing
    pod_line = lines[f"pod/{pod.metadata.name}"]
    assert "Running" in pod_line and ip in pod_line and vst["nodeName"] in pod_line, listing


def test_launcher_requests_follow_the_vm_size(server, kubectl, core, custom, ns, tmp_path):
    # 4 vCPUs as sockets × cores × threads, odd memory, no graphics device.
    vm = vm_manifest("sized", memory="3000Mi")
    vm["spec"]["template"]["spec"]["domain"]["cpu"] = {"sockets": 2, "cores": 2, "threads": 1}
    vm["spec"]["template"]["spec"]["domain"]["devices"] = {"autoattachGraphicsDevice": False}
    apply(kubectl, ns, tmp_path, vm)
    _, pod = wait_vm_running(custom, core, ns, "sized")
    requests = pod.spec.containers[0].resources.requests
    assert parse_quantity(requests["cpu"]) == Decimal("0.4"), requests
    assert parse_quantity(requests["memory"]) == expected_memory_request(3000 * MI, 4, graphics=False)


def test_run_strategy_halted_stops_and_always_starts_again(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("toggle"))
    vmi, pod = wait_vm_running(custom, core, ns, "toggle")

    kubectl("patch", "vm", "toggle", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"runStrategy":"Halted"}}')

    def stopped():
        return (vm_status(custom, ns, "toggle").get("printableStatus") == "Stopped"
                and get_obj(custom, ns, "virtualmachineinstances", "toggle") is None
                and not launcher_pods(core, ns, "toggle", live_only=False))

    wait_until(stopped, timeout=SETTLE, interval=0.25, message="VM Stopped, VMI and pod gone")
    st = vm_status(custom, ns, "toggle")
    assert not st.get("ready") and not st.get("created"), st
    assert st.get("runStrategy") == "Halted"

    kubectl("patch", "vm", "toggle", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"runStrategy":"Always"}}')
    vmi2, pod2 = wait_vm_running(custom, core, ns, "toggle")
    assert vmi2["metadata"]["uid"] != vmi["metadata"]["uid"], "a new VMI"
    assert pod2.metadata.name != pod.metadata.name, "a new launcher pod"


def test_deprecated_spec_running(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("legacy-on", run_strategy=None, running=True),
          vm_manifest("legacy-off", run_strategy=None, running=False))
    wait_vm_running(custom, core, ns, "legacy-on")
    wait_until(lambda: vm_status(custom, ns, "legacy-off").get("printableStatus") == "Stopped",
               timeout=SETTLE, message="legacy-off Stopped")
    assert get_obj(custom, ns, "virtualmachineinstances", "legacy-off") is None
    assert not launcher_pods(core, ns, "legacy-off")

    # running: false on the running one stops it.
    kubectl("patch", "vm", "legacy-on", "-n", ns, "--type", "merge", "-p", '{"spec":{"running":false}}')
    wait_until(lambda: vm_status(custom, ns, "legacy-on").get("printableStatus") == "Stopped"
               and get_obj(custom, ns, "virtualmachineinstances", "legacy-on") is None,
               timeout=SETTLE, message="legacy-on Stopped")


def test_run_strategies_manual_and_once(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("manual", run_strategy="Manual"),
          vm_manifest("once", run_strategy="Once"))
    wait_vm_running(custom, core, ns, "once")
    wait_until(lambda: vm_status(custom, ns, "manual").get("printableStatus") == "Stopped",
               timeout=SETTLE, message="a Manual VM stays Stopped")
    assert get_obj(custom, ns, "virtualmachineinstances", "manual") is None


def test_vm_that_fits_nowhere_is_unschedulable(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("huge", cores=10, memory="500Gi"))

    def unschedulable():
        st = vm_status(custom, ns, "huge")
        return st if st.get("printableStatus") == "ErrorUnschedulable" else None

    st = wait_until(unschedulable, timeout=SETTLE, message="VM ErrorUnschedulable")
    assert not st.get("ready"), st
    vm_cond = condition(st.get("conditions"), "PodScheduled")
    assert vm_cond and vm_cond["status"] == "False" and vm_cond["reason"] == "Unschedulable", st

    [pod] = launcher_pods(core, ns, "huge")
    assert pod.spec.node_name is None
    assert pod.status.phase == "Pending"
    requests = pod.spec.containers[0].resources.requests
    assert requests["cpu"] == "1", requests
    assert parse_quantity(requests["memory"]) == expected_memory_request(500 * GI, 10)
    cond = next(c for c in pod.status.conditions if c.type == "PodScheduled")
    assert cond.status == "False" and cond.reason == "Unschedulable", cond
    assert cond.message.startswith("0/3 nodes are available"), cond.message
    assert "Insufficient memory" in cond.message, cond.message

    vmi = get_obj(custom, ns, "virtualmachineinstances", "huge")
    assert vmi["status"]["phase"] in ("Pending", "Scheduling"), vmi["status"]
    vcond = condition(vmi["status"].get("conditions"), "PodScheduled")
    assert vcond["status"] == "False" and vcond["message"] == cond.message, vcond

    # A FailedScheduling event names the pod.
    def event():
        evs = core.list_namespaced_event(ns).items
        return [e for e in evs if e.reason == "FailedScheduling"
                and e.involved_object.name == pod.metadata.name]

    wait_until(event, timeout=10, message="a FailedScheduling event")

    # Shrinking the VM (and restarting its instance) makes it fit.
    kubectl("patch", "vm", "huge", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"template":{"spec":{"domain":{"memory":{"guest":"8Gi"}}}}}}')
    custom.delete_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachineinstances", "huge")
    _, pod2 = wait_vm_running(custom, core, ns, "huge")
    assert parse_quantity(pod2.spec.containers[0].resources.requests["memory"]) == \
        expected_memory_request(8 * GI, 10)
    assert condition(vm_status(custom, ns, "huge").get("conditions"), "PodScheduled") is None


# -- live migration ----------------------------------------------------------------------


def migration_manifest(name: str, vmi: str) -> dict:
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
            "metadata": {"name": name}, "spec": {"vmiName": vmi}}


def test_live_migration_moves_the_vmi(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("mover"))
    vmi, source = wait_vm_running(custom, core, ns, "mover")
    source_node = vmi["status"]["nodeName"]

    out = apply(kubectl, ns, tmp_path, migration_manifest("move-1", "mover"))
    assert "virtualmachineinstancemigration.kubevirt.io/move-1 created" in out, out

    def finished():
        mig = get_obj(custom, ns, "virtualmachineinstancemigrations", "move-1")
        phase = ((mig or {}).get("status") or {}).get("phase")
        return mig if phase in ("Succeeded", "Failed") else None

    mig = wait_until(finished, timeout=SETTLE, interval=0.25, message="migration finished")
    assert mig["status"]["phase"] == "Succeeded", mig["status"]
    state = mig["status"]["migrationState"]
    assert state["completed"] is True and state["failed"] is False, state
    assert state["sourceNode"] == source_node
    assert state["sourcePod"] == source.metadata.name
    target_node = state["targetNode"]
    assert target_node != source_node and target_node in NODES, state

    moved, target = wait_vm_running(custom, core, ns, "mover")
    assert moved["metadata"]["uid"] == vmi["metadata"]["uid"], "the same VMI moved"
    assert moved["status"]["nodeName"] == target_node
    assert moved["metadata"]["labels"].get("kubevirt.io/nodeName") == target_node
    assert moved["status"]["migrationState"]["completed"] is True
    assert target.metadata.name == state["targetPod"]
    assert target.spec.node_name == target_node
    assert target.metadata.labels.get("kubevirt.io/migrationJobUID") == mig["metadata"]["uid"]
    assert moved["status"]["interfaces"][0]["ipAddress"] == target.status.pod_ip
    assert list(moved["status"]["activePods"]) == [target.metadata.uid]

    # The source launcher is gone; only the target remains.
    wait_until(lambda: [p.metadata.name for p in launcher_pods(core, ns, "mover", live_only=False)]
               == [target.metadata.name], timeout=SETTLE, message="source pod gone")
    with pytest.raises(k8s.ApiException) as err:
        core.read_namespaced_pod(source.metadata.name, ns)
    assert err.value.status == 404
    assert vm_status(custom, ns, "mover")["printableStatus"] == "Running"


def test_migration_of_a_missing_vmi_fails(server, kubectl, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, migration_manifest("nowhere", "no-such-vmi"))

    def failed():
        st = (get_obj(custom, ns, "virtualmachineinstancemigrations", "nowhere") or {}).get("status") or {}
        return st if st.get("phase") == "Failed" else None

    st = wait_until(failed, timeout=SETTLE, message="migration Failed")
    assert condition(st.get("conditions"), "Failed")["status"] == "True", st


# -- snapshot and restore ----------------------------------------------------------------


def snapshot_manifest(name: str, vm: str) -> dict:
    return {"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": name},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}}


def restore_manifest(name: str, vm: str, snapshot: str, policy: str | None = None) -> dict:
    spec: dict = {"target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm},
                  "virtualMachineSnapshotName": snapshot}
    if policy:
        spec["targetReadinessPolicy"] = policy
    return {"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
            "metadata": {"name": name}, "spec": spec}


def take_snapshot(kubectl, custom, ns, tmp_path, name: str, vm: str) -> dict:
    apply(kubectl, ns, tmp_path, snapshot_manifest(name, vm))

    def ready():
        snap = get_obj(custom, ns, "virtualmachinesnapshots", name, group=SNAPSHOT)
        st = (snap or {}).get("status") or {}
        return snap if st.get("phase") in ("Succeeded", "Failed") else None

    snap = wait_until(ready, timeout=SETTLE, interval=0.25, message=f"snapshot {name} done")
    assert snap["status"]["phase"] == "Succeeded", snap["status"]
    return snap


def wait_restore(custom, ns: str, name: str) -> dict:
    def done():
        r = get_obj(custom, ns, "virtualmachinerestores", name, group=SNAPSHOT)
        st = (r or {}).get("status") or {}
        failure = condition(st.get("conditions"), "Failure")
        if failure and failure["status"] == "True":
            return r
        return r if st.get("complete") is True else None

    return wait_until(done, timeout=SETTLE, interval=0.25, message=f"restore {name} complete")


def test_snapshot_becomes_ready(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("snapped", cores=2))
    wait_vm_running(custom, core, ns, "snapped")
    vm = get_obj(custom, ns, "virtualmachines", "snapped")
    started = time.monotonic()
    snap = take_snapshot(kubectl, custom, ns, tmp_path, "snap-1", "snapped")
    # The default duration is 2 s, counted from a whole-second timestamp: at least ~1 s.
    assert time.monotonic() - started >= 0.9
    st = snap["status"]
    assert st["readyToUse"] is True
    assert st["sourceUID"] == vm["metadata"]["uid"]
    assert condition(st["conditions"], "Ready")["status"] == "True"
    assert condition(st["conditions"], "Progressing")["status"] == "False"
    assert parse_time(st["creationTime"]), st

    content = get_obj(custom, ns, "virtualmachinesnapshotcontents",
                      st["virtualMachineSnapshotContentName"], group=SNAPSHOT)
    assert content is not None
    assert content["spec"]["virtualMachineSnapshotName"] == "snap-1"
    saved = content["spec"]["source"]["virtualMachine"]
    assert saved["metadata"]["name"] == "snapped"
    assert saved["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] == 2
    assert (content.get("status") or {}).get("readyToUse") is True, content.get("status")
    [owner] = content["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"]) == ("VirtualMachineSnapshot", "snap-1")
    # The VM is no longer marked as being snapshotted (cleared right after the snapshot's
    # status is written).
    wait_until(lambda: not vm_status(custom, ns, "snapped").get("snapshotInProgress"), timeout=15,
               message="status.snapshotInProgress cleared")


def test_restore_with_stop_target_brings_the_spec_back(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("restored", cores=2))
    wait_vm_running(custom, core, ns, "restored")
    take_snapshot(kubectl, custom, ns, tmp_path, "before", "restored")

    kubectl("patch", "vm", "restored", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"template":{"spec":{"domain":{"cpu":{"cores":4}}}}}}')
    changed = get_obj(custom, ns, "virtualmachines", "restored")
    assert changed["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] == 4

    apply(kubectl, ns, tmp_path, restore_manifest("back", "restored", "before", policy="StopTarget"))
    restore = wait_restore(custom, ns, "back")
    st = restore["status"]
    assert st["complete"] is True, st
    assert condition(st["conditions"], "Ready")["status"] == "True", st
    assert st.get("restoreTime"), st

    vm = get_obj(custom, ns, "virtualmachines", "restored")
    assert vm["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] == 2, vm["spec"]
    # StopTarget stopped it; the restore does not start it again.
    assert vm["spec"]["runStrategy"] == "Halted", vm["spec"]
    wait_until(lambda: vm_status(custom, ns, "restored").get("printableStatus") == "Stopped",
               timeout=SETTLE, message="restored VM Stopped")
    assert get_obj(custom, ns, "virtualmachineinstances", "restored") is None
    assert not vm_status(custom, ns, "restored").get("restoreInProgress")

    # Started again, it runs with the restored size.
    kubectl("patch", "vm", "restored", "-n", ns, "--type", "merge", "-p", '{"spec":{"runStrategy":"Always"}}')
    vmi, pod = wait_vm_running(custom, core, ns, "restored")
    assert vmi["spec"]["domain"]["cpu"]["cores"] == 2
    assert pod.spec.containers[0].resources.requests["cpu"] == "200m"


def test_restore_waits_for_a_running_target_by_default(server, kubectl, core, custom, ns, tmp_path):
    apply(kubectl, ns, tmp_path, vm_manifest("waiter", cores=2))
    wait_vm_running(custom, core, ns, "waiter")
    take_snapshot(kubectl, custom, ns, tmp_path, "snap", "waiter")
    kubectl("patch", "vm", "waiter", "-n", ns, "--type", "merge",
            "-p", '{"spec":{"template":{"spec":{"domain":{"cpu":{"cores":3}}}}}}')
    apply(kubectl, ns, tmp_path, restore_manifest("wait", "waiter", "snap"))

    def waiting():
        r = get_obj(custom, ns, "virtualmachinerestores", "wait", group=SNAPSHOT)
        st = (r or {}).get("status") or {}
        ready = condition(st.get("conditions"), "Ready")
        return st if ready and ready.get("reason") == "Waiting for target to be ready" else None

    st = wait_until(waiting, timeout=SETTLE, message="restore waiting for the target")
    assert st.get("complete") is False, st
    # WaitGracePeriod does not stop the VM by itself: it keeps running for a while.
    time.sleep(3)
    assert vm_status(custom, ns, "waiter").get("printableStatus") == "Running"
    r = get_obj(custom, ns, "virtualmachinerestores", "wait", group=SNAPSHOT)
    assert not (r.get("status") or {}).get("complete"), r.get("status")

    # Stopping it lets the restore finish.
    kubectl("patch", "vm", "waiter", "-n", ns, "--type", "merge", "-p", '{"spec":{"runStrategy":"Halted"}}')
    restore = wait_restore(custom, ns, "wait")
    assert restore["status"]["complete"] is True, restore["status"]
    vm = get_obj(custom, ns, "virtualmachines", "waiter")
    assert vm["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] == 2
    assert vm["spec"]["runStrategy"] == "Halted"


# -- what the product wrote is valid KubeVirt ---------------------------------------------


KINDS = ["vm", "vmi", "vmim", "vmsnapshot", "vmsnapshotcontent", "vmrestore"]


def test_every_kubevirt_object_validates_against_the_real_schemas(server, kubectl, core, custom, ns,
                                                                  tmp_path):
    if not VALIDATE_OBJECTS.exists():
        pytest.fail(f"{VALIDATE_OBJECTS} is missing (shared/ must sit beside the repository)")
    # One of each kind, in every state the flows above reach, in this namespace.
    apply(kubectl, ns, tmp_path, vm_manifest("v-run"), vm_manifest("v-stop", run_strategy="Halted"),
          vm_manifest("v-huge", cores=10, memory="500Gi"))
    wait_vm_running(custom, core, ns, "v-run")
    apply(kubectl, ns, tmp_path, migration_manifest("v-mig", "v-run"))
    wait_until(lambda: ((get_obj(custom, ns, "virtualmachineinstancemigrations", "v-mig") or {})
                        .get("status") or {}).get("phase") == "Succeeded",
               timeout=SETTLE, message="v-mig Succeeded")
    apply(kubectl, ns, tmp_path, migration_manifest("v-mig-fail", "no-such-vmi"))
    take_snapshot(kubectl, custom, ns, tmp_path, "v-snap", "v-run")
    apply(kubectl, ns, tmp_path, restore_manifest("v-restore", "v-run", "v-snap", policy="StopTarget"))
    wait_restore(custom, ns, "v-restore")
    wait_until(lambda: vm_status(custom, ns, "v-huge").get("printableStatus") == "ErrorUnschedulable",
               timeout=SETTLE, message="v-huge ErrorUnschedulable")
    # Something running as well (v-run is stopped by its restore).
    apply(kubectl, ns, tmp_path, vm_manifest("v-run2"))
    wait_vm_running(custom, core, ns, "v-run2")

    dump = tmp_path / "kubevirt-objects.yaml"
    docs = []
    counts = {}
    for kind in KINDS:
        text = kubectl("get", kind, "-A", "-o", "yaml").stdout
        listed = yaml.safe_load(text)
        counts[kind] = len(listed.get("items") or [])
        docs.append(text)
    assert all(counts[k] >= 1 for k in KINDS), counts
    dump.write_text("---\n".join(docs))
    proc = subprocess.run([sys.executable, str(VALIDATE_OBJECTS), str(dump)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, (f"validate-objects exited {proc.returncode} on {dump} "
                                  f"({counts})\nstdout:\n{proc.stdout[-6000:]}\n"
                                  f"stderr:\n{proc.stderr[-3000:]}")
