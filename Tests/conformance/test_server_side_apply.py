"""Server-side apply (`PATCH` with `application/apply-patch+yaml`): `kubectl apply
--server-side`, the Python client's `create_from_yaml(apply=True)`, managed fields, conflicts
between managers, and the errors kube-apiserver gives for bad apply requests.
"""

from __future__ import annotations

import json

import yaml
from kubernetes import client as k8s
from kubernetes import utils

from conftest import new_name, write_manifest

APPLY = {"Content-Type": "application/apply-patch+yaml"}


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.27", labels: dict | None = None,
               extra_containers: list | None = None) -> dict:
    containers = [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]
    containers += extra_containers or []
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}},
        },
    }


def apply_raw(server, ns: str, obj: dict, manager: str | None = "tester", force: bool | None = None,
              body: bytes | str | None = None, name: str | None = None):
    query = []
    if manager is not None:
        query.append(f"fieldManager={manager}")
    if force is not None:
        query.append(f"force={'true' if force else 'false'}")
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/{name or obj['metadata']['name']}"
    if query:
        path += "?" + "&".join(query)
    return server.http("PATCH", path, body=body if body is not None else json.dumps(obj), headers=APPLY)


def managers(obj: dict) -> dict:
    return {entry["manager"]: entry for entry in obj["metadata"].get("managedFields", [])}


def test_kubectl_server_side_apply_creates_then_updates(server, kubectl, ns, tmp_path):
    name = new_name("ssa")
    path = write_manifest(tmp_path, "d.yaml", deployment(name, replicas=2))
    out = kubectl("apply", "--server-side", "-n", ns, "-f", str(path)).stdout
    assert f"deployment.apps/{name} serverside-applied" in out

    live = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json",
                              "--show-managed-fields").stdout)
    entry = managers(live)["kubectl"]
    assert entry["operation"] == "Apply" and entry["fieldsType"] == "FieldsV1"
    assert entry["apiVersion"] == "apps/v1"
    fields = entry["fieldsV1"]
    assert fields["f:spec"]["f:replicas"] == {}
    containers = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert containers['k:{"name":"web"}']["."] == {}
    assert containers['k:{"name":"web"}']["f:image"] == {}
    assert "f:name" not in fields["f:metadata"], "the server's own metadata is not a managed field"

    # Without --show-managed-fields kubectl hides them, as against a real cluster.
    plain = yaml.safe_load(kubectl("get", "deployment", name, "-n", ns, "-o", "yaml").stdout)
    assert "managedFields" not in plain["metadata"]

    # The same configuration again changes nothing (the controller may still write status,
    # so the spec's generation and the manager's entry are compared).
    kubectl("apply", "--server-side", "-n", ns, "-f", str(path))
    again = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json",
                               "--show-managed-fields").stdout)
    assert again["metadata"]["generation"] == live["metadata"]["generation"]
    assert managers(again)["kubectl"] == entry

    # A changed field is applied; a sidecar added by key merges beside the first container.
    changed = deployment(name, replicas=4, image="nginx:1.28",
                         extra_containers=[{"name": "sidecar", "image": "busybox:1.36"}])
    write_manifest(tmp_path, "d.yaml", changed)
    kubectl("apply", "--server-side", "-n", ns, "-f", str(path))
    after = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json").stdout)
    assert after["spec"]["replicas"] == 4
    images = {c["name"]: c["image"] for c in after["spec"]["template"]["spec"]["containers"]}
    assert images == {"web": "nginx:1.28", "sidecar": "busybox:1.36"}

    # Dropping the sidecar and a label from the configuration removes them (the manager
    # owned them and nobody else did).
    dropped = deployment(name, replicas=4, image="nginx:1.28", labels={"app": name})
    write_manifest(tmp_path, "d.yaml", dropped)
    kubectl("apply", "--server-side", "-n", ns, "-f", str(path))
    final = json.loads(kubectl("get", "deployment", name, "-n", ns, "-o", "json").stdout)
    assert [c["name"] for c in final["spec"]["template"]["spec"]["containers"]] == ["web"]


def test_conflict_between_managers_and_force(server, ns):
    name = new_name("ssa-conflict")
    created = apply_raw(server, ns, deployment(name, replicas=2), manager="alice")
    assert created.status == 201, created
    assert managers(created.json())["alice"]["operation"] == "Apply"

    # Bob applies the same value: shared ownership, no conflict.
    same = apply_raw(server, ns, deployment(name, replicas=2), manager="bob")
    assert same.status == 200, same

    # Carol applies another replica count: 409 with kube-apiserver's message and cause.
    conflict = apply_raw(server, ns, deployment(name, replicas=5), manager="carol")
    assert conflict.status == 409, conflict
    status = conflict.json()
    assert status["reason"] == "Conflict"
    assert status["message"].startswith("Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.replicas")
    assert "conflicts with \"bob\":\n- .spec.replicas" in status["message"]
    assert {c["reason"] for c in status["details"]["causes"]} == {"FieldManagerConflict"}
    assert {c["field"] for c in status["details"]["causes"]} == {".spec.replicas"}
    assert "name" not in status["details"] and "group" not in status["details"]
    assert conflict.body.endswith(b"}\n")

    live = server.http("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}").json()
    assert live["spec"]["replicas"] == 2, "a refused apply writes nothing"

    # force=true takes the field over.
    forced = apply_raw(server, ns, deployment(name, replicas=5), manager="carol", force=True)
    assert forced.status == 200, forced
    obj = forced.json()
    assert obj["spec"]["replicas"] == 5
    owners = managers(obj)
    assert "f:replicas" in owners["carol"]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owners["alice"]["fieldsV1"]["f:spec"]


def test_apply_errors_read_as_kube_apiserver_writes_them(server, ns):
    name = new_name("ssa-bad")
    missing = apply_raw(server, ns, deployment(name), manager=None)
    assert missing.status == 422, missing
    assert missing.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')

    wrong_version = deployment(name)
    wrong_version["apiVersion"] = "apps/v1beta1"
    response = apply_raw(server, ns, wrong_version)
    assert response.status == 400, response
    assert "Incorrect version specified in apply patch" in response.json()["message"]

    wrong_kind = deployment(name)
    wrong_kind["kind"] = "StatefulSet"
    assert apply_raw(server, ns, wrong_kind).status == 400

    other_name = apply_raw(server, ns, deployment(name), name=name + "-other")
    assert other_name.status == 400, other_name
    assert "does not match the name on the URL" in other_name.json()["message"]

    # force on a patch that is not an apply is refused.
    merge = server.http("PATCH", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}?force=true",
                        body={"spec": {}}, headers={"Content-Type": "application/merge-patch+json"})
    assert merge.status == 422, merge

    # Hostile bodies: deep nesting and alias bombs answer 400, and the server stays up.
    deep = "[" * 5000 + "]" * 5000
    assert apply_raw(server, ns, {}, body=deep, name=name).status == 400
    deep_yaml = "".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400 + "v: 1\n"
    assert apply_raw(server, ns, {}, body=deep_yaml, name=name).status == 400
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        cur = chr(ord("a") + level)
        bomb += f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    assert apply_raw(server, ns, {}, body=bomb, name=name).status == 400
    assert server.http("GET", "/readyz").status == 200


def test_apply_takes_yaml(server, ns):
    name = new_name("ssa-yaml")
    body = yaml.safe_dump(deployment(name, replicas=1))
    response = apply_raw(server, ns, {}, body=body, name=name)
    assert response.status == 201, response
    assert response.json()["spec"]["replicas"] == 1


def test_python_client_create_from_yaml_with_apply(server, ns, tmp_path):
    name = new_name("ssa-py")
    path = write_manifest(tmp_path, "py.yaml", deployment(name, replicas=3))
    api = server.api()
    utils.create_from_yaml(api, str(path), namespace=ns)
    utils.create_from_yaml(api, str(path), namespace=ns, apply=True)
    utils.create_from_yaml(api, str(path), namespace=ns, apply=True)
    dep = k8s.AppsV1Api(api).read_namespaced_deployment(name, ns)
    assert dep.spec.replicas == 3
    assert dep.spec.template.spec.containers[0].image == "nginx:1.27"
    assert [m.manager for m in dep.metadata.managed_fields if m.operation == "Apply"] == ["python-client"]


def test_update_without_managed_fields_keeps_them(server, ns):
    name = new_name("ssa-put")
    assert apply_raw(server, ns, deployment(name), manager="alice").status == 201
    live = server.http("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}").json()
    del live["metadata"]["managedFields"]
    del live["metadata"]["resourceVersion"]  # the controller writes status meanwhile
    live["spec"]["replicas"] = 7
    put = server.http("PUT", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}", body=live)
    assert put.status == 200, put
    assert "alice" in managers(put.json())


def test_status_bodies_are_kube_apiserver_bytes(server, ns):
    """Error and success `Status` bodies byte for byte: Go's field order, omitempty, the
    encoder's newline (what the Python client's FailToCreateError prints)."""
    name = new_name("bytes")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    assert server.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=cm).status == 201
    again = server.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=cm)
    assert again.status == 409
    assert again.body == (
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        f'"message":"configmaps \\"{name}\\" already exists","reason":"AlreadyExists",'
        f'"details":{{"name":"{name}","kind":"configmaps"}},"code":409}}\n').encode()
    deleted = server.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/{name}")
    assert deleted.status == 200
    assert deleted.body.startswith(
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"'
        + name.encode() + b'","kind":"configmaps","uid":"')
    assert deleted.body.endswith(b'"}}\n')
