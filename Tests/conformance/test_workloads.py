"""Workload controllers (Deployment → ReplicaSet → Pod, Job → Pod) driven with kubectl.

Runs on the shared session server (`virtyard serve`, three simulated nodes, the simulated
scheduler and kubelet); every test keeps to its own namespace. What is simulated and how is
in docs/workloads.md.
"""

from __future__ import annotations

import json


from conftest import wait_until

# Generous: the controllers act within a second, but the machine may be busy.
SETTLE = 60.0


def create_deployment(kubectl, ns: str, name: str, image: str, replicas: int) -> None:
    """`kubectl create deployment` as a student types it: no toleration, since embedded nodes
    carry no KWOK taint."""
    kubectl("create", "deployment", name, f"--image={image}", f"--replicas={replicas}", "-n", ns)


def get(kubectl, ns: str, *what: str) -> dict:
    return json.loads(kubectl("get", *what, "-n", ns, "-o", "json").stdout)


def pods_of(kubectl, ns: str, selector: str) -> list[dict]:
    """The pods of `selector` that are not being deleted."""
    items = get(kubectl, ns, "pods", "-l", selector)["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def rollout_status(kubectl, ns: str, name: str) -> str:
    return kubectl("rollout", "status", f"deployment/{name}", "-n", ns, f"--timeout={int(SETTLE)}s",
                   timeout=SETTLE + 15).stdout


def replica_sets(kubectl, ns: str, app: str) -> dict[int, dict]:
    """The Deployment's ReplicaSets by revision."""
    items = get(kubectl, ns, "replicasets", "-l", f"app={app}")["items"]
    return {int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]): rs for rs in items}


def test_create_deployment_rolls_out_with_running_pods(kubectl, ns):
    create_deployment(kubectl, ns, "web", "nginx:1.27", 3)
    assert 'deployment "web" successfully rolled out' in rollout_status(kubectl, ns, "web")

    deployment = get(kubectl, ns, "deployment", "web")
    status = deployment["status"]
    assert status["observedGeneration"] == deployment["metadata"]["generation"]
    assert (status["replicas"], status["updatedReplicas"], status["readyReplicas"], status["availableReplicas"]) \
        == (3, 3, 3, 3)
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["Available"]["status"] == "True"
    assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"

    (replica_set,) = replica_sets(kubectl, ns, "web").values()
    template_hash = replica_set["metadata"]["labels"]["pod-template-hash"]
    assert replica_set["metadata"]["name"] == f"web-{template_hash}"
    owner = replica_set["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("Deployment", "web", True)

    pods = pods_of(kubectl, ns, "app=web")
    assert len(pods) == 3
    for pod in pods:
        assert pod["status"]["phase"] == "Running"
        assert pod["spec"]["nodeName"]
        assert pod["metadata"]["name"].startswith(f"web-{template_hash}-")
        assert pod["metadata"]["labels"]["pod-template-hash"] == template_hash
        ref = pod["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"]) == ("ReplicaSet", replica_set["metadata"]["name"], True)


def test_set_image_history_and_undo(kubectl, ns):
    create_deployment(kubectl, ns, "app", "nginx:1.27", 3)
    rollout_status(kubectl, ns, "app")

    kubectl("set", "image", "deployment/app", "nginx=nginx:1.28", "-n", ns)
    assert "successfully rolled out" in rollout_status(kubectl, ns, "app")
    sets = replica_sets(kubectl, ns, "app")
    assert sorted(sets) == [1, 2]
    assert sets[1]["spec"]["replicas"] == 0 and sets[2]["spec"]["replicas"] == 3
    assert sets[2]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=app")) == 3
               and all(p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods),
               timeout=SETTLE, message="three pods of the new image")

    history = kubectl("rollout", "history", "deployment/app", "-n", ns).stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]

    kubectl("rollout", "undo", "deployment/app", "-n", ns)
    assert "successfully rolled out" in rollout_status(kubectl, ns, "app")
    sets = replica_sets(kubectl, ns, "app")
    # The first ReplicaSet is reused as revision 3; no new one is made.
    assert sorted(sets) == [2, 3]
    assert sets[3]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert sets[3]["spec"]["replicas"] == 3 and sets[2]["spec"]["replicas"] == 0
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=app")) == 3
               and all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in pods),
               timeout=SETTLE, message="three pods of the old image again")
    deployment = get(kubectl, ns, "deployment", "app")
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_scale_by_replicas(kubectl, ns):
    create_deployment(kubectl, ns, "sc", "nginx", 2)
    rollout_status(kubectl, ns, "sc")
    for replicas in (5, 1):
        kubectl("patch", "deployment", "sc", "-n", ns, "--type", "merge", "-p",
                json.dumps({"spec": {"replicas": replicas}}))
        rollout_status(kubectl, ns, "sc")
        wait_until(lambda: len(pods_of(kubectl, ns, "app=sc")) == replicas, timeout=SETTLE,
                   message=f"{replicas} pods")
        assert get(kubectl, ns, "deployment", "sc")["status"]["availableReplicas"] == replicas


def test_kubectl_scale(kubectl, ns):
    create_deployment(kubectl, ns, "ks", "nginx", 1)
    rollout_status(kubectl, ns, "ks")
    kubectl("scale", "deployment/ks", "--replicas=4", "-n", ns)
    rollout_status(kubectl, ns, "ks")
    wait_until(lambda: len(pods_of(kubectl, ns, "app=ks")) == 4, timeout=SETTLE, message="4 pods")


def test_deleted_pod_is_replaced(kubectl, ns):
    create_deployment(kubectl, ns, "rp", "nginx", 2)
    rollout_status(kubectl, ns, "rp")
    victim = pods_of(kubectl, ns, "app=rp")[0]["metadata"]["name"]
    kubectl("delete", "pod", victim, "-n", ns, "--wait=false")
    wait_until(lambda: len(pods := pods_of(kubectl, ns, "app=rp")) == 2
               and victim not in {p["metadata"]["name"] for p in pods}
               and all(p["status"].get("phase") == "Running" for p in pods),
               timeout=SETTLE, message="a replacement pod running")


def test_job_creates_its_pods(kubectl, ns):
    kubectl("create", "job", "once", "--image=busybox", "-n", ns, "--", "true")
    job = get(kubectl, ns, "job", "once")
    pods = wait_until(lambda: pods_of(kubectl, ns, "job-name=once"), timeout=SETTLE, message="the job's pod")
    assert len(pods) == 1
    ref = pods[0]["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == ("Job", "once", job["metadata"]["uid"], True)
    assert pods[0]["metadata"]["name"].startswith("once-")
    assert pods[0]["spec"]["restartPolicy"] == "Never"
    wait_until(lambda: get(kubectl, ns, "job", "once")["status"].get("startTime"), timeout=SETTLE,
               message="the job's startTime")


def test_job_completes(kubectl, ns):
    kubectl("create", "job", "done", "--image=busybox", "-n", ns, "--", "true")
    kubectl("wait", "--for=condition=complete", "job/done", "-n", ns, "--timeout=45s", timeout=60)
    status = get(kubectl, ns, "job", "done")["status"]
    assert status["succeeded"] == 1
    assert status.get("completionTime")


def test_cronjob_starts_a_job_on_schedule(kubectl, ns):
    # Every minute: the first start comes within a minute of creation.
    kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *", "-n", ns, "--", "true")
    job = wait_until(lambda: get(kubectl, ns, "jobs")["items"], timeout=90, interval=1.0,
                     message="a Job started by the CronJob")[0]
    cronjob = get(kubectl, ns, "cronjob", "tick")
    ref = job["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == \
        ("CronJob", "tick", cronjob["metadata"]["uid"], True)
    # `<cronjob>-<minutes since the epoch>`, and the scheduled time as an annotation.
    suffix = job["metadata"]["name"].removeprefix("tick-")
    assert suffix.isdigit()
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    status = wait_until(lambda: get(kubectl, ns, "cronjob", "tick").get("status", {}).get("lastScheduleTime")
                        and get(kubectl, ns, "cronjob", "tick")["status"], timeout=SETTLE,
                        message="lastScheduleTime")
    assert status["lastScheduleTime"].endswith(":00Z")


def test_cronjob_with_an_unparseable_schedule_is_refused_or_reported(kubectl, ns):
    proc = kubectl("create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *", "-n", ns,
                   check=False)
    if proc.returncode != 0:
        return  # the API server validated the schedule, as kube-apiserver does
    wait_until(lambda: any(e.get("reason") == "UnparseableSchedule"
                           for e in get(kubectl, ns, "events")["items"]),
               timeout=SETTLE, message="an UnparseableSchedule event")
