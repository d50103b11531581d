"""StatefulSets, DaemonSets, ReplicationControllers, PodDisruptionBudgets and
HorizontalPodAutoscalers run by Virtyard's own controllers, driven with kubectl.

Runs on the shared session server (`virtyard serve`, three simulated nodes, the simulated
scheduler and kubelet); every test keeps to its own namespace. What is simulated and how is in
docs/workloads.md.
"""

from __future__ import annotations

import json

from conftest import wait_until

# Generous: the controllers act within a second, but the machine may be busy.
SETTLE = 90.0


def apply(kubectl, ns: str, manifest: dict) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(manifest))


def get(kubectl, ns: str, *what: str) -> dict:
    return json.loads(kubectl("get", *what, "-n", ns, "-o", "json").stdout)


def pods_of(kubectl, ns: str, selector: str) -> list[dict]:
    """The pods of `selector` that are not being deleted."""
    items = get(kubectl, ns, "pods", "-l", selector)["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def running(pods: list[dict]) -> bool:
    return all(p.get("status", {}).get("phase") == "Running" for p in pods)


def rollout_status(kubectl, ns: str, what: str) -> str:
    return kubectl("rollout", "status", what, "-n", ns, f"--timeout={int(SETTLE)}s",
                   timeout=SETTLE + 15).stdout


def template(app: str, image: str, annotations: dict | None = None, cpu: str | None = None) -> dict:
    container: dict = {"name": "main", "image": image}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    metadata: dict = {"labels": {"app": app}}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": {"containers": [container]}}


def statefulset(name: str, replicas: int, image: str = "nginx:1.27", **spec) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
        "spec": {
            "replicas": replicas, "serviceName": name, "selector": {"matchLabels": {"app": name}},
            "template": template(name, image),
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            }],
            **spec,
        },
    }


def ready_time(pod: dict) -> str:
    return next(c["lastTransitionTime"] for c in pod["status"]["conditions"]
                if c["type"] == "Ready" and c["status"] == "True")


def test_statefulset_creates_ordered_pods_with_stable_identity(kubectl, ns):
    apply(kubectl, ns, statefulset("web", 3))
    out = rollout_status(kubectl, ns, "statefulset/web")
    # The API server defaults `partition: 0`, so kubectl reports a partitioned roll-out, as
    # against any cluster.
    assert "partitioned roll out complete: 3 new pods have been updated" in out

    pods = {p["metadata"]["name"]: p for p in pods_of(kubectl, ns, "app=web")}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    assert running(pods.values())
    sts = get(kubectl, ns, "statefulset", "web")
    revision = sts["status"]["updateRevision"]
    for ordinal in range(3):
        pod = pods[f"web-{ordinal}"]
        assert pod["spec"]["hostname"] == f"web-{ordinal}"
        assert pod["spec"]["subdomain"] == "web"
        assert pod["spec"]["nodeName"]
        labels = pod["metadata"]["labels"]
        assert labels["statefulset.kubernetes.io/pod-name"] == f"web-{ordinal}"
        assert labels["controller-revision-hash"] == revision
        volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "data")
        assert volume["persistentVolumeClaim"]["claimName"] == f"data-web-{ordinal}"
        ref = pod["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"]) == ("StatefulSet", "web", True)
    # OrderedReady: each pod was created no earlier than its predecessor became Ready.
    for ordinal in (1, 2):
        assert pods[f"web-{ordinal}"]["metadata"]["creationTimestamp"] >= ready_time(pods[f"web-{ordinal - 1}"])

    claims = {c["metadata"]["name"] for c in get(kubectl, ns, "pvc")["items"]}
    assert {"data-web-0", "data-web-1", "data-web-2"} <= claims

    status = sts["status"]
    assert status["observedGeneration"] == sts["metadata"]["generation"]
    assert (status["replicas"], status["readyReplicas"], status["currentReplicas"], status["updatedReplicas"],
            status["availableReplicas"]) == (3, 3, 3, 3, 3)
    assert status["currentRevision"] == status["updateRevision"]
    revisions = get(kubectl, ns, "controllerrevisions")["items"]
    assert [r["metadata"]["name"] for r in revisions] == [revision]


def test_statefulset_scales_down_from_the_highest_ordinal_and_rolls_updates(kubectl, ns):
    apply(kubectl, ns, statefulset("db", 3))
    rollout_status(kubectl, ns, "statefulset/db")

    kubectl("scale", "statefulset/db", "--replicas=1", "-n", ns)
    wait_until(lambda: [p["metadata"]["name"] for p in pods_of(kubectl, ns, "app=db")] == ["db-0"],
               timeout=SETTLE, message="only db-0 left")
    wait_until(lambda: get(kubectl, ns, "statefulset", "db")["status"]["replicas"] == 1, timeout=SETTLE,
               message="status.replicas 1")
    # The claims stay (persistentVolumeClaimRetentionPolicy Retain by default).
    claims = {c["metadata"]["name"] for c in get(kubectl, ns, "pvc")["items"]}
    assert {"data-db-1", "data-db-2"} <= claims

    kubectl("scale", "statefulset/db", "--replicas=3", "-n", ns)
    rollout_status(kubectl, ns, "statefulset/db")
    before = get(kubectl, ns, "statefulset", "db")["status"]["currentRevision"]

    kubectl("set", "image", "statefulset/db", "main=nginx:1.28", "-n", ns)
    out = rollout_status(kubectl, ns, "statefulset/db")
    assert "partitioned roll out complete: 3 new pods have been updated" in out
    pods = wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=db")) == 3 and running(pods) and pods,
                      timeout=SETTLE, message="three running pods")
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods)
    status = wait_until(lambda: (s := get(kubectl, ns, "statefulset", "db")["status"])["currentRevision"]
                        == s["updateRevision"] and s, timeout=SETTLE, message="the current revision updated")
    assert status["currentRevision"] == status["updateRevision"] != before
    assert all(p["metadata"]["labels"]["controller-revision-hash"] == status["updateRevision"] for p in pods)
    history = kubectl("rollout", "history", "statefulset/db", "-n", ns).stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]


def test_statefulset_partition_keeps_lower_ordinals(kubectl, ns):
    apply(kubectl, ns, statefulset("part", 3, podManagementPolicy="Parallel",
                                   updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    rollout_status(kubectl, ns, "statefulset/part")
    kubectl("set", "image", "statefulset/part", "main=nginx:1.28", "-n", ns)
    out = rollout_status(kubectl, ns, "statefulset/part")
    assert "partitioned roll out complete: 1 new pods have been updated" in out
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in pods_of(kubectl, ns, "app=part")}
    assert images == {"part-0": "nginx:1.27", "part-1": "nginx:1.27", "part-2": "nginx:1.28"}


def daemonset(name: str, image: str = "nginx:1.27", **pod_spec) -> dict:
    body = template(name, image)
    body["spec"].update(pod_spec)
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": body},
    }


def test_daemonset_runs_one_pod_per_node_and_rolls_updates(kubectl, ns):
    nodes = sorted(n["metadata"]["name"] for n in json.loads(kubectl("get", "nodes", "-o", "json").stdout)["items"])
    assert nodes
    apply(kubectl, ns, daemonset("agent"))
    out = rollout_status(kubectl, ns, "daemonset/agent")
    assert 'daemon set "agent" successfully rolled out' in out

    pods = pods_of(kubectl, ns, "app=agent")
    assert running(pods)
    assert sorted(p["spec"]["nodeName"] for p in pods) == nodes
    for pod in pods:
        terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms["nodeSelectorTerms"] == [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}]
        tolerations = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
        assert ("node.kubernetes.io/not-ready", "NoExecute") in tolerations
        assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tolerations
    ds = get(kubectl, ns, "daemonset", "agent")
    status = ds["status"]
    assert status["observedGeneration"] == ds["metadata"]["generation"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"], status["numberReady"],
            status["numberAvailable"], status["updatedNumberScheduled"], status["numberMisscheduled"]) \
        == (len(nodes), len(nodes), len(nodes), len(nodes), len(nodes), 0)

    kubectl("set", "image", "daemonset/agent", "main=nginx:1.28", "-n", ns)
    assert "successfully rolled out" in rollout_status(kubectl, ns, "daemonset/agent")
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=agent")) == len(nodes)
               and all(p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods)
               and sorted(p["spec"]["nodeName"] for p in pods) == nodes,
               timeout=SETTLE, message="one new pod per node")


def test_daemonset_node_selector_matching_no_node_schedules_nothing(kubectl, ns):
    apply(kubectl, ns, daemonset("picky", nodeSelector={"virtyard.io/no-such-label": "x"}))
    status = wait_until(lambda: (s := get(kubectl, ns, "daemonset", "picky").get("status"))
                        and "desiredNumberScheduled" in s and s, timeout=SETTLE, message="a status")
    assert status["desiredNumberScheduled"] == 0 and status["currentNumberScheduled"] == 0
    assert pods_of(kubectl, ns, "app=picky") == []


def test_replication_controller_keeps_and_scales_its_pods(kubectl, ns):
    apply(kubectl, ns, {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
        "spec": {"replicas": 3, "selector": {"app": "legacy"}, "template": template("legacy", "nginx")},
    })
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=legacy")) == 3 and running(pods),
               timeout=SETTLE, message="three running pods")
    pod = pods_of(kubectl, ns, "app=legacy")[0]
    ref = pod["metadata"]["ownerReferences"][0]
    assert (ref["apiVersion"], ref["kind"], ref["name"], ref["controller"]) == \
        ("v1", "ReplicationController", "legacy", True)
    assert pod["metadata"]["name"].startswith("legacy-")

    kubectl("scale", "rc/legacy", "--replicas=1", "-n", ns)
    wait_until(lambda: len(pods_of(kubectl, ns, "app=legacy")) == 1, timeout=SETTLE, message="one pod")
    status = wait_until(lambda: (s := get(kubectl, ns, "rc", "legacy")["status"]).get("replicas") == 1 and s,
                        timeout=SETTLE, message="status.replicas 1")
    assert status["readyReplicas"] == 1 and status["availableReplicas"] == 1


def test_pod_disruption_budget_status(kubectl, ns):
    kubectl("create", "deployment", "guarded", "--image=nginx", "--replicas=3", "-n", ns)
    rollout_status(kubectl, ns, "deployment/guarded")
    kubectl("create", "pdb", "keep-two", "--selector=app=guarded", "--min-available=2", "-n", ns)
    kubectl("create", "pdb", "half", "--selector=app=guarded", "--max-unavailable=50%", "-n", ns)

    def settled(name: str) -> dict | None:
        pdb = get(kubectl, ns, "pdb", name)
        status = pdb.get("status", {})
        return status if status.get("observedGeneration") == pdb["metadata"]["generation"] \
            and status.get("currentHealthy") == 3 else None

    status = wait_until(lambda: settled("keep-two"), timeout=SETTLE, message="keep-two's status")
    assert (status["currentHealthy"], status["desiredHealthy"], status["expectedPods"],
            status["disruptionsAllowed"]) == (3, 2, 3, 1)
    condition = next(c for c in status["conditions"] if c["type"] == "DisruptionAllowed")
    assert (condition["status"], condition["reason"]) == ("True", "SufficientPods")

    # maxUnavailable 50% of the Deployment's 3 replicas rounds up to 2.
    status = wait_until(lambda: settled("half"), timeout=SETTLE, message="half's status")
    assert (status["desiredHealthy"], status["expectedPods"], status["disruptionsAllowed"]) == (1, 3, 2)

    kubectl("scale", "deployment/guarded", "--replicas=2", "-n", ns)
    status = wait_until(lambda: (s := get(kubectl, ns, "pdb", "keep-two")["status"])["currentHealthy"] == 2 and s,
                        timeout=SETTLE, message="two healthy pods")
    assert status["disruptionsAllowed"] == 0
    condition = next(c for c in status["conditions"] if c["type"] == "DisruptionAllowed")
    assert (condition["status"], condition["reason"]) == ("False", "InsufficientPods")
    assert "keep-two" in kubectl("get", "pdb", "-n", ns).stdout


def test_horizontal_pod_autoscaler_scales_on_simulated_cpu(kubectl, ns):
    apply(kubectl, ns, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "busy"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "busy"}},
                 "template": template("busy", "nginx", cpu="100m",
                                      annotations={"virtyard.io/simulated-cpu-utilization": "100"})},
    })
    rollout_status(kubectl, ns, "deployment/busy")
    apply(kubectl, ns, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "busy"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "busy"},
            "minReplicas": 1, "maxReplicas": 5,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}],
        },
    })
    # Two pods at 100% of their request against a 50% target: ceil(2 × 100 / 50) = 4.
    status = wait_until(lambda: (s := get(kubectl, ns, "hpa", "busy").get("status", {})).get("desiredReplicas") == 4
                        and s, timeout=SETTLE, message="desiredReplicas 4")
    assert status["currentMetrics"][0]["resource"]["name"] == "cpu"
    assert status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 100
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["ScalingActive"]["status"] == "True"
    assert conditions["AbleToScale"]["status"] == "True"
    wait_until(lambda: get(kubectl, ns, "deployment", "busy")["spec"]["replicas"] == 4, timeout=SETTLE,
               message="the Deployment scaled to 4 through its scale subresource")
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=busy")) == 4 and running(pods), timeout=SETTLE,
               message="four running pods")
    # Four pods at 100% still want 8, but maxReplicas caps it at 5.
    status = wait_until(lambda: (s := get(kubectl, ns, "hpa", "busy")["status"]).get("desiredReplicas") == 5 and s,
                        timeout=SETTLE, message="desiredReplicas capped at 5")
    limited = next(c for c in status["conditions"] if c["type"] == "ScalingLimited")
    assert (limited["status"], limited["reason"]) == ("True", "TooManyReplicas")
    assert "busy" in kubectl("get", "hpa", "-n", ns).stdout


def test_horizontal_pod_autoscaler_without_cpu_requests_reports_why(kubectl, ns):
    kubectl("create", "deployment", "bare", "--image=nginx", "--replicas=1", "-n", ns)
    rollout_status(kubectl, ns, "deployment/bare")
    apply(kubectl, ns, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "bare"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bare"},
                 "maxReplicas": 3},
    })
    condition = wait_until(lambda: next((c for c in get(kubectl, ns, "hpa", "bare").get("status", {})
                                         .get("conditions", []) if c["type"] == "ScalingActive"), None),
                           timeout=SETTLE, message="a ScalingActive condition")
    assert (condition["status"], condition["reason"]) == ("False", "FailedGetResourceMetric")
    assert "missing request for cpu" in condition["message"]
    assert get(kubectl, ns, "deployment", "bare")["spec"]["replicas"] == 1
