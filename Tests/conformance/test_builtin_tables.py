"""`kubectl get` of the built-in workload, service and RBAC kinds prints kube-apiserver's
columns (the server answers `Table`s), not just NAME and AGE."""

from __future__ import annotations

from conftest import new_name


def _header_and_rows(output: str) -> tuple[list[str], list[str]]:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[0].split(), lines[1:]


def test_workload_tables_have_kube_apiservers_columns(kubectl, ns):
    name = new_name("tbl")
    kubectl("create", "deployment", name, "--image=nginx:1.27", "--replicas=3", "-n", ns)
    header, rows = _header_and_rows(kubectl("get", "deployment", name, "-n", ns, "-o", "wide").stdout)
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    cells = rows[0].split()
    assert cells[0] == name and cells[1].endswith("/3")
    assert cells[5] == "nginx" and cells[6] == "nginx:1.27" and cells[7] == f"app={name}"

    header, _ = _header_and_rows(kubectl("get", "replicasets", "-n", ns).stdout)
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]


def test_service_job_cronjob_and_binding_tables(kubectl, ns):
    kubectl("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", ns)
    header, rows = _header_and_rows(kubectl("get", "service", "web", "-n", ns).stdout)
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert rows[0].split()[1] == "ClusterIP" and rows[0].split()[4] == "80/TCP"

    kubectl("create", "job", "once", "--image=busybox:1.36", "-n", ns)
    header, _ = _header_and_rows(kubectl("get", "job", "once", "-n", ns).stdout)
    assert header == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]

    kubectl("create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "-n", ns)
    header, rows = _header_and_rows(kubectl("get", "cronjob", "tick", "-n", ns).stdout)
    assert header == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]
    assert "*/5" in rows[0]

    kubectl("create", "rolebinding", "viewers", "--clusterrole=view", f"--serviceaccount={ns}:default", "-n", ns)
    header, rows = _header_and_rows(kubectl("get", "rolebinding", "viewers", "-n", ns, "-o", "wide").stdout)
    assert header == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert "ClusterRole/view" in rows[0] and f"{ns}:default" in rows[0]


def test_pdb_hpa_and_pod_status_tables(kubectl, ns):
    kubectl("create", "pdb", "web", "--selector=app=web", "--min-available=1", "-n", ns)
    header, rows = _header_and_rows(kubectl("get", "pdb", "web", "-n", ns).stdout)
    assert " ".join(header) == "NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE"
    assert rows[0].split()[1:3] == ["1", "N/A"], rows

    hpa = ('{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},'
           ' "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},'
           ' "maxReplicas": 4, "metrics": [{"type": "Resource", "resource": {"name": "cpu",'
           ' "target": {"type": "Utilization", "averageUtilization": 50}}}]}}')
    kubectl("apply", "-n", ns, "-f", "-", input=hpa)
    header, rows = _header_and_rows(kubectl("get", "hpa", "web", "-n", ns).stdout)
    assert header == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert rows[0].split()[1] == "Deployment/web" and "/50%" in rows[0], rows

    # A finished Job's pod reads Completed, as kubectl prints it (not its phase).
    kubectl("create", "job", "done", "--image=busybox:1.36", "-n", ns, "--", "true")
    kubectl("wait", "--for=condition=complete", "job/done", "-n", ns, "--timeout=60s")
    _, rows = _header_and_rows(kubectl("get", "pods", "-l", "job-name=done", "-n", ns).stdout)
    assert rows and rows[0].split()[2] == "Completed", rows
