"""`kubectl logs` (pods/log) against simulated pods, and the 501 answers of exec, attach and
port-forward. Simulated pods run no processes: a container whose command is `echo …` or a
shell script of `echo` statements shows that text; any other says it is simulated.
"""

from __future__ import annotations

from kubernetes import client as k8s

from conftest import new_name, wait_until

SETTLE = 45.0


def pod(name: str, *containers: dict, node: str | None = None) -> k8s.V1Pod:
    spec = k8s.V1PodSpec(containers=[k8s.V1Container(**c) for c in containers], node_name=node)
    return k8s.V1Pod(metadata=k8s.V1ObjectMeta(name=name), spec=spec)


def running(core, ns: str, name: str) -> k8s.V1Pod:
    return wait_until(lambda: (p := core.read_namespaced_pod(name, ns)).status.phase == "Running" and p,
                      timeout=SETTLE, message=f"pod {ns}/{name} Running")


def log_request(server, ns: str, name: str, query: str = ""):
    return server.http("GET", f"/api/v1/namespaces/{ns}/pods/{name}/log{query}",
                       headers={"Accept": "*/*"})


def test_echo_output_and_options(server, core, kubectl, ns):
    name = new_name("echo")
    core.create_namespaced_pod(ns, pod(name, {
        "name": "main", "image": "busybox:1.36",
        "command": ["sh", "-c", "echo hello from $(POD); echo \"second line\"; sleep 3600"],
        "env": [k8s.V1EnvVar(name="POD", value="the pod")],
    }))
    running(core, ns, name)
    # `$(POD)` is the kubelet's expansion; the shell sees the value.
    assert kubectl("logs", name, "-n", ns).stdout == "hello from the pod\nsecond line\n"
    assert kubectl("logs", name, "-n", ns, "--tail=1").stdout == "second line\n"
    stamped = kubectl("logs", name, "-n", ns, "--timestamps").stdout.splitlines()
    assert len(stamped) == 2 and stamped[0].endswith(" hello from the pod")
    assert stamped[0].split(" ")[0].endswith("Z")

    plain = log_request(server, ns, name)
    assert plain.status == 200 and plain.headers.get("Content-Type", "").startswith("text/plain")

    # Hostile and invalid options.
    negative = log_request(server, ns, name, "?tailLines=-1")
    assert negative.status == 422, negative
    assert negative.json()["message"] == (
        f'PodLogOptions "{name}" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0')
    assert log_request(server, ns, name, "?tailLines=abc").status == 400
    previous = log_request(server, ns, name, "?previous=true")
    assert previous.status == 400
    assert previous.json()["message"] == f'previous terminated container "main" in pod "{name}" not found'


def test_container_choice_errors(server, core, kubectl, ns):
    name = new_name("two")
    core.create_namespaced_pod(ns, pod(name, {"name": "a", "image": "nginx:1.27"},
                                       {"name": "b", "image": "busybox:1.36", "command": ["echo", "from", "b"]}))
    running(core, ns, name)
    none = log_request(server, ns, name)
    assert none.status == 400, none
    assert none.json()["message"] == f"a container name must be specified for pod {name}, choose one of: [a b]"
    unknown = log_request(server, ns, name, "?container=zzz")
    assert unknown.status == 400
    assert unknown.json()["message"] == f"container zzz is not valid for pod {name}"
    assert kubectl("logs", name, "-n", ns, "-c", "b").stdout == "from b\n"
    simulated = kubectl("logs", name, "-n", ns, "-c", "a").stdout
    assert "Virtyard simulates container a (image nginx:1.27)" in simulated
    assert "lab terminal" in simulated


def test_missing_and_unstarted_pods(server, core, ns):
    missing = log_request(server, ns, "no-such-pod")
    assert missing.status == 404
    assert missing.json()["message"] == 'pods "no-such-pod" not found'

    # Bound to a node nothing runs: the kubelet never reports the container.
    name = new_name("waiting")
    core.create_namespaced_pod(ns, pod(name, {"name": "c", "image": "nginx:1.27"}, node="no-such-node"))
    waiting = log_request(server, ns, name)
    assert waiting.status == 400, waiting
    assert waiting.json()["message"] == f'container "c" in pod "{name}" is waiting to start: ContainerCreating'


def test_follow_stays_open_until_the_pod_goes(server, core, kubectl, ns):
    name = new_name("follow")
    core.create_namespaced_pod(ns, pod(name, {"name": "c", "image": "busybox:1.36", "command": ["echo", "hi"]}))
    running(core, ns, name)
    process = server.kubectl_bg("logs", "-f", name, "-n", ns)
    try:
        assert process.wait_for_line(lambda line: line == "hi", timeout=SETTLE) == "hi"
        assert process.proc.poll() is None, "kubectl logs -f ended while the pod runs"
        core.delete_namespaced_pod(name, ns, grace_period_seconds=0)
        code, _, stderr = process.finish(timeout=SETTLE)
    finally:
        process.kill()
    assert code == 0, stderr


def test_exec_attach_portforward_answer_501(server, core, kubectl, ns):
    name = new_name("exec")
    core.create_namespaced_pod(ns, pod(name, {"name": "c", "image": "nginx:1.27"}))
    running(core, ns, name)
    for method in ("GET", "POST"):
        for sub in ("exec?command=ls&stdout=true", "attach?stdout=true", "portforward?ports=80"):
            response = server.http(method, f"/api/v1/namespaces/{ns}/pods/{name}/{sub}")
            assert response.status == 501, (method, sub, response)
            assert "runs no processes" in response.json()["message"]
    result = kubectl("exec", name, "-n", ns, "--", "ls", check=False)
    assert result.returncode != 0
    assert "lab terminal" in result.stderr
    missing = server.http("POST", f"/api/v1/namespaces/{ns}/pods/nope/exec?command=ls")
    assert missing.status == 404
