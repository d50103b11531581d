"""Inside a lab session's cluster (docs/lab-clusters.md): CKS-style tasks done with kubectl
and the session's own kubeconfig, as a student does them. The cluster's controllers,
scheduler and simulated kubelet make pods Running and Jobs complete; RBAC decides what a
ServiceAccount may do; the cluster's reset takes the workloads away with everything else.

One server with a one-cluster pool serves every test in this file; each test ends its
session, so the next starts on the reset cluster.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Iterable

import pytest

from conftest import KUBECTL, VALIDATE_OBJECTS, wait_until
from test_lab_pool import LabServer


LAB_ARGS = ["--lab-pool-size", "1", "--sim-snapshot-duration", "200ms", "--sim-restore-duration", "200ms"]


class Session:
    """A running lab session and kubectl with its kubeconfig."""

    def __init__(self, server: LabServer, directory: Path):
        self.server = server
        body = server.wait_running(server.start_session("student")["id"], timeout=60)
        self.id = body["id"]
        self.cluster = body["assignedCluster"]
        self.kubeconfig = directory / f"{self.id}.kubeconfig"
        self.kubeconfig.write_text(body["kubeconfig"])
        self.kubeconfig.chmod(0o600)
        self.cache = directory / f"cache-{self.id}"

    def kubectl(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        env["KUBECONFIG"] = str(self.kubeconfig)
        proc = subprocess.run([KUBECTL, "--cache-dir", str(self.cache), *args], capture_output=True, text=True,
                              timeout=90, env=env, input=input)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def json(self, *args: str) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def end(self) -> None:
        resp = self.server.lab("DELETE", f"/api/v1/sessions/{self.id}")
        assert resp.status in (200, 404), resp


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory) -> Iterable[LabServer]:
    with LabServer(tmp_path_factory.mktemp("virtyard-lab-workloads"), LAB_ARGS).serving() as srv:
        yield srv


@pytest.fixture
def session(lab_server, tmp_path) -> Iterable[Session]:
    lab_server.wait_idle()
    s = Session(lab_server, tmp_path)
    yield s
    s.end()


def running_pods(s: Session, selector: str, namespace: str = "default") -> list[dict]:
    pods = s.json("get", "pods", "-n", namespace, "-l", selector)["items"]
    return [p for p in pods if p["status"].get("phase") == "Running"
            and all(c.get("ready") for c in p["status"].get("containerStatuses", []))]


def test_a_new_lab_cluster_looks_like_kubeadm(session):
    nodes = session.json("get", "nodes")["items"]
    assert {n["metadata"]["name"] for n in nodes} == {f"cp-{session.cluster}", f"wk-{session.cluster}"}
    for node in nodes:
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
        assert ready and ready[0]["status"] == "True", node
        assert not [t for t in node["spec"].get("taints", []) if t["key"].startswith("kwok.x-k8s.io")], node
    control_plane = next(n for n in nodes if n["metadata"]["name"].startswith("cp-"))
    assert {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"} in control_plane["spec"]["taints"]
    service = session.json("get", "service", "kubernetes", "-n", "default")
    assert service["spec"]["clusterIP"] == "10.96.0.1"
    assert service["spec"]["ports"][0]["port"] == 443
    endpoints = session.json("get", "endpoints", "kubernetes", "-n", "default")
    assert endpoints["subsets"][0]["ports"][0]["port"] == 6443
    assert session.json("get", "serviceaccount", "default", "-n", "default")["metadata"]["name"] == "default"


def test_deployment_runs_rolls_out_and_undoes(session):
    session.kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3")
    session.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    pods = running_pods(session, "app=web")
    assert len(pods) == 3, pods
    # The control plane is tainted: every pod is on the worker, with an address of its range.
    assert {p["spec"]["nodeName"] for p in pods} == {f"wk-{session.cluster}"}
    assert all(p["status"]["podIP"].startswith("10.244.") for p in pods), pods

    session.kubectl("set", "image", "deployment/web", "nginx=nginx:1.28")
    session.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    images = {p["spec"]["containers"][0]["image"] for p in running_pods(session, "app=web")}
    assert images == {"nginx:1.28"}, images
    history = session.kubectl("rollout", "history", "deployment/web").stdout
    assert "1" in history and "2" in history, history

    session.kubectl("rollout", "undo", "deployment/web")
    session.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    wait_until(lambda: {p["spec"]["containers"][0]["image"] for p in running_pods(session, "app=web")} == {"nginx:1.27"}
               and len(running_pods(session, "app=web")) == 3,
               timeout=60, message="the undone rollout's pods running")

    # A Service in front of it gets the pods' addresses.
    session.kubectl("expose", "deployment", "web", "--port=80")
    wait_until(lambda: len((session.json("get", "endpoints", "web").get("subsets") or [{}])[0].get("addresses", [])) == 3,
               timeout=30, message="three endpoints for service web")


def test_job_completes_and_cronjob_spawns_jobs(session):
    session.kubectl("create", "job", "hello", "--image=busybox", "--", "echo", "hi")
    session.kubectl("wait", "--for=condition=complete", "job/hello", "--timeout=60s")
    job = session.json("get", "job", "hello")
    assert job["status"]["succeeded"] == 1, job
    pods = session.json("get", "pods", "-l", "job-name=hello")["items"]
    assert [p["status"]["phase"] for p in pods] == ["Succeeded"], pods
    assert pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0


def test_secret_mounted_in_a_pod(session, tmp_path):
    session.kubectl("create", "secret", "generic", "db", "--from-literal=password=s3cret")
    pod = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "reader"},
        "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["sleep", "3600"],
                                 "volumeMounts": [{"name": "db", "mountPath": "/etc/db", "readOnly": True}]}],
                 "volumes": [{"name": "db", "secret": {"secretName": "db"}}]},
    }
    session.kubectl("apply", "-f", "-", input=json.dumps(pod))
    session.kubectl("wait", "--for=condition=Ready", "pod/reader", "--timeout=60s")
    got = session.json("get", "pod", "reader")
    assert got["spec"]["volumes"][0]["secret"]["secretName"] == "db"
    secret = session.json("get", "secret", "db")
    assert base64.b64decode(secret["data"]["password"]) == b"s3cret"
    manifest = tmp_path / "objects.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [got]}))
    if VALIDATE_OBJECTS.exists():
        proc = subprocess.run([str(VALIDATE_OBJECTS), str(manifest)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rbac_for_a_service_account(session):
    session.kubectl("create", "namespace", "team")
    session.kubectl("create", "serviceaccount", "ci", "-n", "team")
    session.kubectl("create", "role", "pod-reader", "-n", "team", "--verb=get,list,watch", "--resource=pods")
    session.kubectl("create", "rolebinding", "ci-reads", "-n", "team", "--role=pod-reader",
                    "--serviceaccount=team:ci")
    subject = "--as=system:serviceaccount:team:ci"
    assert session.kubectl("auth", "can-i", "list", "pods", "-n", "team", subject).stdout.strip() == "yes"
    denied = session.kubectl("auth", "can-i", "delete", "pods", "-n", "team", subject, check=False)
    assert denied.returncode != 0 and denied.stdout.strip() == "no", denied
    other = session.kubectl("auth", "can-i", "list", "pods", "-n", "default", subject, check=False)
    assert other.stdout.strip() == "no", other
    # A request as the ServiceAccount gets kube-apiserver's 403.
    forbidden = session.kubectl("get", "secrets", "-n", "team", subject, check=False)
    assert forbidden.returncode != 0
    assert 'User "system:serviceaccount:team:ci" cannot list resource "secrets"' in forbidden.stderr, forbidden.stderr


def test_network_policy_is_stored_and_validated(session):
    policy = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "deny-all", "namespace": "default"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    session.kubectl("apply", "-f", "-", input=json.dumps(policy))
    got = session.json("get", "networkpolicy", "deny-all")
    assert got["spec"]["policyTypes"] == ["Ingress", "Egress"]
    bad = dict(policy, metadata={"name": "bad", "namespace": "default"}, spec={"podSelector": {}, "policyTypes": 7})
    proc = session.kubectl("apply", "-f", "-", input=json.dumps(bad), check=False)
    assert proc.returncode != 0 and "policyTypes" in proc.stderr, proc.stderr


def test_reset_takes_the_workloads_away(lab_server, tmp_path):
    first = Session(lab_server, tmp_path)
    first.kubectl("create", "deployment", "left-behind", "--image=nginx", "--replicas=5")
    first.kubectl("rollout", "status", "deployment/left-behind", "--timeout=60s")
    first.end()
    lab_server.wait_idle()
    second = Session(lab_server, tmp_path)
    try:
        assert second.cluster == first.cluster
        assert second.json("get", "deployments", "-A")["items"] == []
        assert second.json("get", "replicasets", "-A")["items"] == []
        assert second.json("get", "pods", "-A")["items"] == []
        # The controllers run again after the reset: new work still gets done.
        second.kubectl("create", "deployment", "after", "--image=nginx", "--replicas=2")
        second.kubectl("rollout", "status", "deployment/after", "--timeout=60s")
        assert len(running_pods(second, "app=after")) == 2
    finally:
        second.end()


def test_a_pod_goes_pending_container_creating_running(session):
    import kubernetes
    from kubernetes import client as k8s, watch

    api = kubernetes.config.new_client_from_config(config_file=str(session.kubeconfig), persist_config=False)
    core = k8s.CoreV1Api(api)
    seen: list[str] = []
    stream = watch.Watch()
    start = core.list_namespaced_pod("default").metadata.resource_version
    session.kubectl("run", "lifecycle", "--image=nginx")
    for event in stream.stream(core.list_namespaced_pod, "default", resource_version=start, timeout_seconds=30,
                               field_selector="metadata.name=lifecycle"):
        pod = event["object"]
        statuses = pod.status.container_statuses or []
        waiting = statuses and statuses[0].state.waiting
        state = waiting.reason if waiting else pod.status.phase
        if not seen or seen[-1] != state:
            seen.append(state)
        if pod.status.phase == "Running":
            stream.stop()
    assert seen[-3:] == ["Pending", "ContainerCreating", "Running"], seen


def test_a_pod_that_only_echoes_completes_and_logs_its_text(session):
    session.kubectl("run", "once", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo hello; exit 0")
    session.kubectl("run", "fails", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo oops; exit 3")
    session.kubectl("run", "server", "--image=nginx", "--restart=Never")
    wait_until(lambda: session.json("get", "pod", "once")["status"].get("phase") == "Succeeded", timeout=30,
               message="pod once Succeeded")
    wait_until(lambda: session.json("get", "pod", "fails")["status"].get("phase") == "Failed", timeout=30,
               message="pod fails Failed")
    assert session.kubectl("logs", "once").stdout == "hello\n"
    terminated = session.json("get", "pod", "fails")["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 3 and terminated["reason"] == "Error", terminated
    rows = {line.split()[0]: line.split()[2] for line in session.kubectl("get", "pods").stdout.splitlines()[1:]}
    assert rows["once"] == "Completed" and rows["fails"] == "Error", rows
    # A server never ends by itself.
    assert session.json("get", "pod", "server")["status"]["phase"] == "Running"
