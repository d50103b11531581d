"""OpenShift templates on Virtyard: `template.openshift.io/v1` Templates in namespace
`openshift` (the tenancy API's catalog items) and TemplateInstances processed as OpenShift's
template instance controller processes them (docs/templates.md).

A realistic KubeVirt template (generated VM name, a required password, `${{...}}` numbers) is
applied with kubectl, instantiated the way ssvirt does it (a `<name>-params` Secret and a
TemplateInstance carrying a full copy of the stored Template), and what comes out is checked
field by field and against OpenShift's and KubeVirt's real schemas with
`../shared/tools/validate-objects`. Hostile instances fail with `InstantiateFailure` and
create nothing. Everything runs on the shared session server, each test in its own namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from conftest import VALIDATE_OBJECTS, new_name, wait_until, write_manifest

OWNER_LABEL = "template.openshift.io/template-instance-owner"
FINALIZER = "template.openshift.io/finalizer"
SETTLE = 30.0


def kubevirt_template(name: str) -> dict:
    """A template in the shape of KubeVirt's common templates, as ssvirt lists them."""
    return {
        "apiVersion": "template.openshift.io/v1",
        "kind": "Template",
        "metadata": {
            "name": name,
            "namespace": "openshift",
            "labels": {
                "template.kubevirt.io/version": "v0.31.1",
                "template.kubevirt.io/type": "base",
                "os.template.kubevirt.io/fedora": "true",
                "flavor.template.kubevirt.io/small": "true",
                "workload.template.kubevirt.io/server": "true",
            },
            "annotations": {
                "description": "Fedora VM for the conformance tests",
                "openshift.io/display-name": "Fedora (conformance)",
                "template.kubevirt.io/containerdisks": "quay.io/containerdisks/fedora:41",
                "tags": "kubevirt,virtualmachine,fedora",
            },
        },
        "message": "VM ${NAME} created; log in as fedora",
        "labels": {"app.kubernetes.io/part-of": "conformance", "vm.kubevirt.io/template": name},
        "objects": [{
            "apiVersion": "kubevirt.io/v1",
            "kind": "VirtualMachine",
            "metadata": {
                "name": "${NAME}",
                # A hard-coded namespace is dropped: the VM lands in the instance's namespace.
                "namespace": "openshift",
                "labels": {"app": "${NAME}"},
                "annotations": {"vm.kubevirt.io/os": "fedora"},
            },
            "spec": {
                "runStrategy": "Always",
                "template": {
                    "metadata": {"labels": {"kubevirt.io/domain": "${NAME}", "kubevirt.io/size": "small"}},
                    "spec": {
                        "domain": {
                            "cpu": {"cores": "${{CPU_CORES}}", "sockets": 1, "threads": 1},
                            "memory": {"guest": "${MEMORY}"},
                            "devices": {
                                "disks": [{"name": "rootdisk", "disk": {"bus": "virtio"}},
                                          {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}],
                            },
                        },
                        "terminationGracePeriodSeconds": 180,
                        "volumes": [
                            {"name": "rootdisk", "containerDisk": {"image": "quay.io/containerdisks/fedora:41"}},
                            {"name": "cloudinitdisk", "cloudInitNoCloud": {
                                "userData": "#cloud-config\nuser: fedora\npassword: ${CLOUD_USER_PASSWORD}\n"
                                            "chpasswd: { expire: False }\n"}},
                        ],
                    },
                },
            },
        }],
        "parameters": [
            {"name": "NAME", "description": "VM name", "generate": "expression", "from": "fedora-[a-z0-9]{16}"},
            {"name": "CLOUD_USER_PASSWORD", "description": "Randomized password for the cloud-init user",
             "required": True},
            {"name": "CPU_CORES", "value": "1"},
            {"name": "MEMORY", "value": "2Gi"},
        ],
    }


def ensure_openshift_namespace(kubectl) -> None:
    proc = kubectl("create", "namespace", "openshift", check=False)
    assert proc.returncode == 0 or "AlreadyExists" in proc.stderr or "already exists" in proc.stderr, proc.stderr


def get_json(kubectl, *args: str) -> dict:
    return json.loads(kubectl("get", *args, "-o", "json").stdout)


def instantiate(kubectl, ns: str, tmp_path, instance: str, template: dict, params: dict[str, str] | None) -> dict:
    """What ssvirt does: the `<instance>-params` Secret, then a TemplateInstance with the
    whole Template in `spec.template`."""
    docs: list[dict] = []
    spec: dict = {"template": template}
    if params is not None:
        docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"{instance}-params"},
                     "stringData": params})
        spec["secret"] = {"name": f"{instance}-params"}
    docs.append({"apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance",
                 "metadata": {"name": instance, "labels": {"app.kubernetes.io/managed-by": "ssvirt"}},
                 "spec": spec})
    path = write_manifest(tmp_path, f"{instance}.yaml", *docs)
    kubectl("create", "-n", ns, "-f", str(path))
    return get_json(kubectl, "templateinstance", instance, "-n", ns)


def condition(instance: dict, kind: str) -> dict | None:
    for c in (instance.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return c
    return None


def wait_condition(kubectl, ns: str, instance: str, kind: str) -> dict:
    def check():
        obj = get_json(kubectl, "templateinstance", instance, "-n", ns)
        c = condition(obj, kind)
        return obj if c and c.get("status") == "True" else None
    return wait_until(check, timeout=SETTLE, message=f"{kind}=True on templateinstance {instance}")


def owned_vms(kubectl, ns: str, uid: str) -> list[dict]:
    return get_json(kubectl, "vm", "-n", ns, "-l", f"{OWNER_LABEL}={uid}")["items"]


def validate(tmp_path, name: str, text: str) -> None:
    if not VALIDATE_OBJECTS.exists():
        pytest.fail(f"{VALIDATE_OBJECTS} is missing (shared/ must sit beside the repository)")
    dump = tmp_path / name
    dump.write_text(text)
    proc = subprocess.run([sys.executable, str(VALIDATE_OBJECTS), str(dump)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (f"validate-objects exited {proc.returncode} on {dump}\nstdout:\n"
                                  f"{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-3000:]}")


@pytest.fixture
def stored_template(kubectl, tmp_path):
    """A KubeVirt template applied with kubectl into `openshift`, as the catalog has it."""
    ensure_openshift_namespace(kubectl)
    name = new_name("fedora-small")
    path = write_manifest(tmp_path, f"{name}.yaml", kubevirt_template(name))
    kubectl("apply", "-f", str(path))
    yield get_json(kubectl, "template", name, "-n", "openshift")
    kubectl("delete", "template", name, "-n", "openshift", "--ignore-not-found", "--wait=false", check=False)


def test_kubevirt_template_instantiates_a_vm(kubectl, ns, tmp_path, stored_template):
    created = instantiate(kubectl, ns, tmp_path, "vapp1", stored_template,
                          {"CLOUD_USER_PASSWORD": "s3cret-pw", "CPU_CORES": "4", "MEMORY": "3Gi"})
    uid = created["metadata"]["uid"]
    instance = wait_condition(kubectl, ns, "vapp1", "Ready")
    ready = condition(instance, "Ready")
    assert ready["reason"] == "Created"
    assert condition(instance, "InstantiateFailure") is None
    assert FINALIZER in instance["metadata"]["finalizers"]

    refs = [o["ref"] for o in instance["status"]["objects"]]
    assert len(refs) == 1
    ref = refs[0]
    assert ref["kind"] == "VirtualMachine" and ref["apiVersion"] == "kubevirt.io/v1" and ref["namespace"] == ns
    name = ref["name"]
    assert name.startswith("fedora-") and len(name) == len("fedora-") + 16, name
    assert all(ch.isdigit() or ch.islower() for ch in name.removeprefix("fedora-")), name

    vm = get_json(kubectl, "vm", name, "-n", ns)
    assert vm["metadata"]["uid"] == ref["uid"]
    labels = vm["metadata"]["labels"]
    assert labels["app"] == name
    assert labels[OWNER_LABEL] == uid
    assert labels["app.kubernetes.io/part-of"] == "conformance"
    assert labels["vm.kubevirt.io/template"] == stored_template["metadata"]["name"]
    assert [(r["kind"], r["name"], r["uid"]) for r in vm["metadata"]["ownerReferences"]] == [
        ("TemplateInstance", "vapp1", uid)]
    domain = vm["spec"]["template"]["spec"]["domain"]
    assert domain["cpu"]["cores"] == 4  # ${{CPU_CORES}}: a number, not "4"
    assert domain["memory"]["guest"] == "3Gi"
    assert vm["spec"]["template"]["metadata"]["labels"]["kubevirt.io/domain"] == name
    user_data = vm["spec"]["template"]["spec"]["volumes"][1]["cloudInitNoCloud"]["userData"]
    assert "password: s3cret-pw\n" in user_data

    # The simulated KubeVirt runs it.
    wait_until(lambda: get_json(kubectl, "vm", name, "-n", ns).get("status", {}).get("printableStatus") == "Running",
               timeout=SETTLE, message=f"vm {name} Running")

    # kubectl's columns say how it went.
    table = kubectl("get", "templateinstance", "vapp1", "-n", ns).stdout
    assert "READY" in table.splitlines()[0] and "True" in table.splitlines()[1], table
    wide = kubectl("get", "template", stored_template["metadata"]["name"], "-n", "openshift", "-o", "wide").stdout
    assert "Fedora VM for the conformance tests" in wide and "KUBEVIRT-VERSION" in wide, wide

    validate(tmp_path, "templates.yaml",
             kubectl("get", "template", stored_template["metadata"]["name"], "-n", "openshift", "-o", "yaml").stdout)
    validate(tmp_path, "instance.yaml", kubectl("get", "templateinstance", "vapp1", "-n", ns, "-o", "yaml").stdout)
    validate(tmp_path, "vm.yaml", kubectl("get", "vm", name, "-n", ns, "-o", "yaml").stdout)

    # Deleting the instance deletes the VM, then the instance goes.
    kubectl("delete", "templateinstance", "vapp1", "-n", ns, "--wait=false")
    wait_until(lambda: not owned_vms(kubectl, ns, uid), timeout=SETTLE, message="the instance's VM deleted")
    wait_until(lambda: kubectl("get", "templateinstance", "vapp1", "-n", ns, check=False).returncode != 0,
               timeout=SETTLE, message="the instance gone")


def test_missing_required_parameter_fails_and_creates_nothing(kubectl, ns, tmp_path, stored_template):
    created = instantiate(kubectl, ns, tmp_path, "nopw", stored_template, {"CPU_CORES": "2"})
    instance = wait_condition(kubectl, ns, "nopw", "InstantiateFailure")
    failure = condition(instance, "InstantiateFailure")
    assert failure["reason"] == "Failed"
    assert "parameter CLOUD_USER_PASSWORD is required and must be specified" in failure["message"], failure
    assert condition(instance, "Ready") is None or condition(instance, "Ready")["status"] != "True"
    assert owned_vms(kubectl, ns, created["metadata"]["uid"]) == []
    assert get_json(kubectl, "vm", "-n", ns)["items"] == []
    validate(tmp_path, "failed-instance.yaml", kubectl("get", "templateinstance", "nopw", "-n", ns, "-o", "yaml").stdout)
    # A failed instance can still be deleted.
    kubectl("delete", "templateinstance", "nopw", "-n", ns, "--timeout=30s")


def test_bad_generate_expression_fails(kubectl, ns, tmp_path, stored_template):
    template = json.loads(json.dumps(stored_template))
    template["parameters"][0]["from"] = "fedora-[z-a]{8}"
    instantiate(kubectl, ns, tmp_path, "badexpr", template, {"CLOUD_USER_PASSWORD": "pw"})
    failure = condition(wait_condition(kubectl, ns, "badexpr", "InstantiateFailure"), "InstantiateFailure")
    assert "parameter NAME" in failure["message"] and "invalid range specified: z-a" in failure["message"], failure
    template["parameters"][0]["from"] = "[a-z]{100000}"
    instantiate(kubectl, ns, tmp_path, "hugeexpr", template, {"CLOUD_USER_PASSWORD": "pw"})
    failure = condition(wait_condition(kubectl, ns, "hugeexpr", "InstantiateFailure"), "InstantiateFailure")
    assert "range must be within [1-255] characters" in failure["message"], failure
    assert get_json(kubectl, "vm", "-n", ns)["items"] == []


def test_unknown_kind_fails_before_anything_is_created(kubectl, ns, tmp_path, stored_template):
    template = json.loads(json.dumps(stored_template))
    template["objects"].append({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "${NAME}-g"}})
    created = instantiate(kubectl, ns, tmp_path, "gadget", template, {"CLOUD_USER_PASSWORD": "pw"})
    failure = condition(wait_condition(kubectl, ns, "gadget", "InstantiateFailure"), "InstantiateFailure")
    assert 'no matches for kind "Gadget" in version "example.com/v1"' in failure["message"], failure
    assert owned_vms(kubectl, ns, created["metadata"]["uid"]) == []


def test_objects_outside_the_instance_namespace_are_refused(kubectl, ns, tmp_path):
    template = {
        "apiVersion": "template.openshift.io/v1", "kind": "Template", "metadata": {"name": "escape"},
        "parameters": [{"name": "TARGET", "value": "kube-system"}],
        "objects": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stays"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "leaves", "namespace": "${TARGET}"}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
             "metadata": {"name": new_name("escalate")},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
             "subjects": [{"kind": "User", "name": "mallory"}]},
        ],
    }
    instantiate(kubectl, ns, tmp_path, "escape", template, None)
    failure = condition(wait_condition(kubectl, ns, "escape", "InstantiateFailure"), "InstantiateFailure")
    assert "namespace kube-system is not the TemplateInstance's namespace" in failure["message"], failure
    assert "cluster-scoped objects are not created" in failure["message"], failure
    assert kubectl("get", "configmap", "stays", "-n", ns, check=False).returncode != 0
    assert kubectl("get", "configmap", "leaves", "-n", "kube-system", check=False).returncode != 0


def test_template_without_objects_is_refused_by_the_schema(kubectl, tmp_path):
    ensure_openshift_namespace(kubectl)
    path = write_manifest(tmp_path, "empty.yaml", {"apiVersion": "template.openshift.io/v1", "kind": "Template",
                                                   "metadata": {"name": new_name("empty"), "namespace": "openshift"}})
    proc = kubectl("apply", "-f", str(path), check=False)
    assert proc.returncode != 0 and "objects" in proc.stderr, proc.stderr


def test_kill_and_restart_keeps_the_instance_and_creates_no_duplicates(fresh_server, tmp_path):
    kubectl = fresh_server.kubectl
    ensure_openshift_namespace(kubectl)
    kubectl("create", "namespace", "vdc-acme-main")
    path = write_manifest(tmp_path, "tpl.yaml", kubevirt_template("fedora-restart"))
    kubectl("apply", "-f", str(path))
    template = get_json(kubectl, "template", "fedora-restart", "-n", "openshift")
    created = instantiate(kubectl, "vdc-acme-main", tmp_path, "keep", template, {"CLOUD_USER_PASSWORD": "pw"})
    before = wait_condition(kubectl, "vdc-acme-main", "keep", "Ready")
    fresh_server.kill9()
    fresh_server.restart()
    # Let the restarted controllers pass over the instance again, then look.
    wait_until(lambda: get_json(kubectl, "vm", "-n", "vdc-acme-main")["items"], timeout=SETTLE, message="vms listed")
    after = wait_condition(kubectl, "vdc-acme-main", "keep", "Ready")
    assert after["status"]["objects"] == before["status"]["objects"]
    assert condition(after, "Ready")["lastTransitionTime"] == condition(before, "Ready")["lastTransitionTime"]
    vms = owned_vms(kubectl, "vdc-acme-main", created["metadata"]["uid"])
    assert [vm["metadata"]["uid"] for vm in vms] == [before["status"]["objects"][0]["ref"]["uid"]]
