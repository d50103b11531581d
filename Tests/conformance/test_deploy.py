"""The installation manifests in deploy/ (issue 18; docs/deployment.md).

`kubectl kustomize` renders the base (deploy/, which is deploy/base/) and the ingress overlay
into the test's temporary directory only; the rendered output is committed nowhere. Each
rendering must then be:

- accepted object by object by the embedded API in a server-side dry run (`kubectl apply
  --dry-run=server -k`), with the strict field validation kubectl asks for;
- valid under Kubernetes 1.32's own schemas (kubernetes-validate, strict), CRDs included, and
  under ../shared/tools/validate-objects for the kinds it knows;
- what docs/deployment.md promises: a non-root, read-only, unprivileged Deployment of two
  replicas with probes on /readyz and /healthz, Services and a PodDisruptionBudget that select
  its pods, no Secret values.

The security checker is itself tested against deliberately broken copies, so that a rule it
stopped enforcing would show.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import kubernetes_validate
import pytest
import yaml

from conftest import KUBECTL, REPO_ROOT, VALIDATE_OBJECTS, write_manifest

KUBERNETES_VERSION = "1.32"
DEPLOY = REPO_ROOT / "deploy"
NAMESPACE = "virtyard-system"
KUSTOMIZATIONS = {"base": DEPLOY, "ingress": DEPLOY / "overlays" / "ingress",
                  "lab-terminals": DEPLOY / "overlays" / "lab-terminals"}

# CRDs in deploy/crds/ that KubeVirt, CDI and the CSI snapshotter install themselves: the base
# does not apply Virtyard's copies over the projects' own definitions.
THIRD_PARTY_CRD_GROUPS = {"kubevirt.io", "snapshot.kubevirt.io", "cdi.kubevirt.io", "snapshot.storage.k8s.io"}

# The groups ../shared/tools/validate-objects has schemas for (its docstring).
VALIDATE_OBJECTS_GROUPS = re.compile(r"(^|\.)kubevirt\.io$|^snapshot\.storage\.k8s\.io$|^template\.openshift\.io$")

BASE_OBJECTS = {
    ("Namespace", "", NAMESPACE),
    ("ServiceAccount", NAMESPACE, "virtyard"),
    ("ClusterRole", "", "virtyard-controller"),
    ("ClusterRoleBinding", "", "virtyard-controller"),
    ("Role", NAMESPACE, "virtyard-leader-election"),
    ("RoleBinding", NAMESPACE, "virtyard-leader-election"),
    ("Deployment", NAMESPACE, "virtyard"),
    ("Service", NAMESPACE, "virtyard"),
    ("Service", NAMESPACE, "virtyard-vcd"),
    ("PodDisruptionBudget", NAMESPACE, "virtyard"),
}


# -- rendering ------------------------------------------------------------------------------


def kustomize(directory: Path) -> str:
    proc = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"kubectl kustomize {directory} exited {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def documents(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Each kustomization rendered once, into a temporary directory."""
    directory = tmp_path_factory.mktemp("deploy-rendered")
    out = {}
    for name, source in KUSTOMIZATIONS.items():
        path = directory / f"{name}.yaml"
        path.write_text(kustomize(source))
        out[name] = path
    return out


def objects_of(rendered: dict[str, Path], name: str) -> list[dict]:
    return documents(rendered[name].read_text())


def key(obj: dict) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def the(objects: list[dict], kind: str, name: str) -> dict:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} objects {kind}/{name} in {sorted(map(key, objects))}"
    return found[0]


def crd_files() -> list[Path]:
    return sorted(DEPLOY.glob("crds/*.yaml"))


def crd_group(crd: dict) -> str:
    return crd["spec"]["group"]


def own_crds_in_deploy_crds() -> list[dict]:
    crds = [doc for path in crd_files() for doc in documents(path.read_text())]
    return [crd for crd in crds if crd_group(crd) not in THIRD_PARTY_CRD_GROUPS]


# -- what the kustomizations hold -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_kustomization_renders_exactly_the_documented_objects(rendered, name):
    objects = objects_of(rendered, name)
    keys = [key(o) for o in objects]
    assert len(keys) == len(set(keys)), f"duplicates: {sorted(keys)}"
    expected = set(BASE_OBJECTS)
    expected |= {("CustomResourceDefinition", "", crd["metadata"]["name"]) for crd in own_crds_in_deploy_crds()}
    if name == "ingress":
        expected.add(("Ingress", NAMESPACE, "virtyard"))
    if name == "lab-terminals":
        expected |= {("ClusterRole", "", "virtyard-lab-terminals"), ("ClusterRoleBinding", "", "virtyard-lab-terminals")}
    assert set(keys) == expected, (f"missing: {sorted(expected - set(keys))}; "
                                   f"unexpected: {sorted(set(keys) - expected)}")
    # The operator creates the admin Secret; no credential is ever part of the manifests.
    assert not [k for k in keys if k[0] == "Secret"], keys
    for obj in objects:
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "virtyard", key(obj)


def test_deploy_directory_is_the_base(rendered):
    # `kubectl apply -k deploy/` and the overlays' base are the same objects.
    assert rendered["base"].read_text() == kustomize(DEPLOY / "base")


def test_the_base_carries_every_crd_of_virtyards_own_kinds_unchanged():
    # deploy/base/virtyard-crds.yaml is a copy (Kustomize will not follow deploy/crds/'s links
    # out of the directory): the same objects, in the same order, as the linked files.
    bundled = documents((DEPLOY / "base" / "virtyard-crds.yaml").read_text())
    own = own_crds_in_deploy_crds()
    assert [c["metadata"]["name"] for c in bundled] == [c["metadata"]["name"] for c in own]
    assert bundled == own, "deploy/base/virtyard-crds.yaml is stale: run scripts/bundle-deploy-crds"
    proc = subprocess.run([str(REPO_ROOT / "scripts" / "bundle-deploy-crds"), "--check"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # Every CRD file is either Virtyard's own (bundled) or another project's, by name.
    groups = {crd_group(doc) for path in crd_files() for doc in documents(path.read_text())}
    assert {"virtyard.io", "crd.pelotech.ot", "template.openshift.io"} <= groups, groups
    assert THIRD_PARTY_CRD_GROUPS <= groups, f"a third-party group no longer in deploy/crds/: {groups}"
    assert len(bundled) + sum(1 for path in crd_files() for doc in documents(path.read_text())
                              if crd_group(doc) in THIRD_PARTY_CRD_GROUPS) == len(crd_files())


def test_deploy_rbac_yaml_is_the_base_rbac():
    # Documents and tests name deploy/rbac.yaml; the base must apply the same rules.
    link = DEPLOY / "rbac.yaml"
    assert link.resolve() == (DEPLOY / "base" / "rbac.yaml").resolve(), f"{link} -> {link.resolve()}"


# -- the embedded API accepts every object ---------------------------------------------------


def printed_name(obj: dict) -> str:
    """How kubectl names an object in `apply` output: kind.group/name."""
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{obj['kind'].lower()}{'.' + group if group else ''}/{obj['metadata']['name']}"


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_server_side_dry_run_accepts_every_object(server, rendered, name):
    proc = server.kubectl("apply", "--dry-run=server", "-k", str(KUSTOMIZATIONS[name]), check=False)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = proc.stdout.splitlines()
    for obj in objects_of(rendered, name):
        wanted = printed_name(obj)
        assert any(line.startswith(wanted + " ") and line.endswith("(server dry run)") for line in lines), (
            f"{wanted} not accepted in the dry run:\n{proc.stdout}\n{proc.stderr}")
    assert len(lines) == len(objects_of(rendered, name)), proc.stdout
    # Nothing was written.
    assert server.kubectl("get", "deployment", "virtyard", "-n", NAMESPACE, check=False).returncode != 0


def test_server_keeps_the_security_context_it_accepted(server):
    # The objects as the server would store them: nothing of the security context dropped.
    proc = server.kubectl("apply", "--dry-run=server", "-k", str(DEPLOY), "-o", "json")
    answered = json.loads(proc.stdout)["items"]
    deployment = the(answered, "Deployment", "virtyard")
    assert security_problems([deployment]) == []
    assert deployment["spec"]["replicas"] == 2


def test_server_side_dry_run_refuses_a_broken_copy(server, rendered, tmp_path):
    # A real mistake: readOnlyRootFilesystem written on the container instead of in its
    # securityContext. kubectl asks for strict field validation, so the server refuses it
    # rather than dropping the field and running a writable root filesystem.
    objects = objects_of(rendered, "base")
    deployment = the(objects, "Deployment", "virtyard")
    deployment["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFilesystem"] = True
    path = write_manifest(tmp_path, "broken.yaml", *objects)
    proc = server.kubectl("apply", "--dry-run=server", "-f", str(path), check=False)
    assert proc.returncode != 0, proc.stdout
    assert 'unknown field "spec.template.spec.containers[0].readOnlyRootFilesystem"' in proc.stderr, proc.stderr


# -- the upstream schemas -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_every_object_validates_with_kubernetes_validate(rendered, name):
    failures = []
    for obj in objects_of(rendered, name):
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{key(obj)}: {error.message} at {list(error.path)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("kind, break_it, where", [
    ("Deployment", lambda o: o["spec"]["template"]["spec"]["containers"][0].update(readOnlyRootFilesystem=True),
     "readOnlyRootFilesystem"),
    ("Deployment", lambda o: o["spec"].update(replicas="2"), "replicas"),
    ("PodDisruptionBudget", lambda o: o["spec"].update(minAvailabe=1), "minAvailabe"),
    ("CustomResourceDefinition", lambda o: o["spec"].update(scop="Namespaced"), "scop"),
])
def test_kubernetes_validate_refuses_a_broken_object(rendered, kind, break_it, where):
    obj = next(o for o in objects_of(rendered, "base") if o["kind"] == kind)
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    break_it(obj)
    with pytest.raises(kubernetes_validate.ValidationError) as raised:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    assert where in str(raised.value.message) + str(list(raised.value.path)), raised.value.message


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_shared_validate_objects_accepts_every_object(rendered, name):
    assert VALIDATE_OBJECTS.exists(), f"{VALIDATE_OBJECTS} not found (set VIRTYARD_SHARED_DIR)"
    proc = subprocess.run([sys.executable, str(VALIDATE_OBJECTS), str(rendered[name])], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-3000:]}"
    summary = re.search(r"(\d+) checked, (\d+) invalid, (\d+) skipped", proc.stdout)
    assert summary, proc.stdout
    checked, invalid, skipped = map(int, summary.groups())
    objects = objects_of(rendered, name)
    # The tool knows KubeVirt, CDI, CSI snapshot and OpenShift template kinds; the manifests
    # hold none today (their CRDs are apiextensions objects), so everything is skipped. An
    # object of those groups added later is checked.
    covered = [o for o in objects if VALIDATE_OBJECTS_GROUPS.search(o["apiVersion"].rpartition("/")[0])]
    assert (checked, invalid, skipped) == (len(covered), 0, len(objects) - len(covered)), proc.stdout


# -- the security context -------------------------------------------------------------------------


def pod_specs(objects: list[dict]) -> Iterator[tuple[str, dict]]:
    """(where, pod spec) of every object that runs pods."""
    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = obj.get("spec", {})
        if obj["kind"] == "Pod":
            yield where, spec
        elif obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"):
            yield where, spec.get("template", {}).get("spec", {})
        elif obj["kind"] == "CronJob":
            yield where, spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})


def security_problems(objects: list[dict]) -> list[str]:
    """Every breach of docs/deployment.md's security rules, as readable lines; [] if none."""
    problems = []
    for where, spec in pod_specs(objects):
        pod = spec.get("securityContext") or {}
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(field):
                problems.append(f"{where}: {field} is on")
        for volume in spec.get("volumes") or []:
            if "hostPath" in volume:
                problems.append(f"{where}: volume {volume.get('name')} is a hostPath")
        containers = [(f"{group}[{i}]", c) for group in ("initContainers", "containers", "ephemeralContainers")
                      for i, c in enumerate(spec.get(group) or [])]
        if not containers:
            problems.append(f"{where}: no containers to check")
        for name, container in containers:
            at = f"{where} {name} ({container.get('name')})"
            own = container.get("securityContext") or {}

            def effective(field: str) -> Any:
                return own[field] if field in own else pod.get(field)

            if effective("runAsNonRoot") is not True:
                problems.append(f"{at}: runAsNonRoot is not true")
            user, group = effective("runAsUser"), effective("runAsGroup")
            if not isinstance(user, int) or user == 0:
                problems.append(f"{at}: runAsUser is not a fixed non-root uid ({user!r})")
            if not isinstance(group, int) or group == 0:
                problems.append(f"{at}: runAsGroup is not a fixed non-root gid ({group!r})")
            if own.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{at}: readOnlyRootFilesystem is not true")
            if own.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{at}: allowPrivilegeEscalation is not false")
            if own.get("privileged"):
                problems.append(f"{at}: privileged")
            capabilities = own.get("capabilities") or {}
            if "ALL" not in (capabilities.get("drop") or []):
                problems.append(f"{at}: capabilities do not drop ALL")
            if capabilities.get("add"):
                problems.append(f"{at}: adds capabilities {capabilities['add']}")
            seccomp = (effective("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{at}: seccompProfile is {seccomp!r}, not RuntimeDefault")
    return problems


@pytest.mark.parametrize("name", sorted(KUSTOMIZATIONS))
def test_every_pod_template_meets_the_security_rules(rendered, name):
    objects = objects_of(rendered, name)
    assert [where for where, _ in pod_specs(objects)] == ["Deployment/virtyard"]
    assert security_problems(objects) == []
    pod = the(objects, "Deployment", "virtyard")["spec"]["template"]["spec"]
    # The same uid as the Containerfile's USER, and a group that can read the mounted Secret.
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"] != 0


def template(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]


def container(deployment: dict) -> dict:
    return template(deployment)["containers"][0]


BREAKAGES: list[tuple[str, Callable[[dict], None], str]] = [
    ("root allowed", lambda d: (container(d)["securityContext"].pop("runAsNonRoot"),
                                template(d)["securityContext"].update(runAsNonRoot=False)), "runAsNonRoot"),
    ("uid 0", lambda d: template(d)["securityContext"].update(runAsUser=0), "runAsUser"),
    ("no fixed uid", lambda d: template(d)["securityContext"].pop("runAsUser"), "runAsUser"),
    ("gid 0", lambda d: container(d)["securityContext"].update(runAsGroup=0), "runAsGroup"),
    ("writable root", lambda d: container(d)["securityContext"].pop("readOnlyRootFilesystem"),
     "readOnlyRootFilesystem"),
    ("escalation", lambda d: container(d)["securityContext"].update(allowPrivilegeEscalation=True),
     "allowPrivilegeEscalation"),
    ("privileged", lambda d: container(d)["securityContext"].update(privileged=True), "privileged"),
    ("capabilities kept", lambda d: container(d)["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
     "drop ALL"),
    ("capability added", lambda d: container(d)["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
     "adds capabilities"),
    ("unconfined", lambda d: container(d)["securityContext"].update(seccompProfile={"type": "Unconfined"}),
     "seccompProfile"),
    ("host network", lambda d: template(d).update(hostNetwork=True), "hostNetwork"),
    ("host path", lambda d: template(d)["volumes"].append({"name": "host", "hostPath": {"path": "/"}}), "hostPath"),
    ("init container unchecked", lambda d: template(d).update(initContainers=[{"name": "setup", "image": "busybox"}]),
     "initContainers[0] (setup): readOnlyRootFilesystem"),
]


@pytest.mark.parametrize("what, break_it, reported", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_security_checker_reports_a_broken_copy(rendered, what, break_it, reported):
    objects = objects_of(rendered, "base")
    broken = copy.deepcopy(objects)
    break_it(the(broken, "Deployment", "virtyard"))
    problems = security_problems(broken)
    assert any(reported in p for p in problems), f"{what}: not reported; problems: {problems}"
    assert security_problems(objects) == [], "the original must stay untouched"


def test_security_checker_accepts_pod_level_settings_a_container_inherits(rendered):
    # runAsNonRoot and seccomp may come from the pod's securityContext alone.
    objects = copy.deepcopy(objects_of(rendered, "base"))
    deployment = the(objects, "Deployment", "virtyard")
    for field in ("runAsNonRoot", "seccompProfile"):
        container(deployment)["securityContext"].pop(field)
    assert security_problems(objects) == []


# -- the Deployment, its Services, its budget ------------------------------------------------------


def selects(selector: dict, labels: dict) -> bool:
    """A label selector (matchLabels / matchExpressions, or a Service's plain map) on labels."""
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        selector = {"matchLabels": selector}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        return False  # an empty selector here would be a mistake, not "everything"
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        present, value = expr["key"] in labels, labels.get(expr["key"])
        ok = {"In": present and value in expr.get("values", []),
              "NotIn": not present or value not in expr.get("values", []),
              "Exists": present, "DoesNotExist": not present}[expr["operator"]]
        if not ok:
            return False
    return True


def container_port(c: dict, port: Any) -> int:
    if isinstance(port, int):
        return port
    matches = [p["containerPort"] for p in c.get("ports", []) if p.get("name") == port]
    assert len(matches) == 1, f"port {port!r} is not one of {c.get('ports')}"
    return matches[0]


def option(args: list[str], flag: str) -> str:
    assert args.count(flag) == 1, f"{flag} given {args.count(flag)} times in {args}"
    return args[args.index(flag) + 1]


def test_deployment_runs_two_replicas_of_serve_in_cluster(rendered):
    objects = objects_of(rendered, "base")
    deployment = the(objects, "Deployment", "virtyard")
    spec, pod, c = deployment["spec"], template(deployment), container(deployment)
    assert spec["replicas"] == 2
    assert selects(spec["selector"], spec["template"]["metadata"]["labels"])
    assert pod["serviceAccountName"] == "virtyard"
    assert c["image"].startswith("ghcr.io/virtyard/virtyard:"), c["image"]

    args = c["command"] + c["args"]
    assert args[:3] == ["virtyard", "serve", "--in-cluster"], args
    assert option(args, "--listen") == "0.0.0.0:8080"
    assert option(args, "--vcd-listen") == "0.0.0.0:8443"
    assert option(args, "--admin-token-file") == "/etc/virtyard/admin/admin-token"
    assert option(args, "--vcd-admin-password-file") == "/etc/virtyard/admin/vcd-admin-password"
    assert option(args, "--identity") == "$(POD_NAME)"
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in c["env"]
    assert "--kubeconfig" not in args and "--allow-shared-data-dir" not in args

    # Probes on the platform address.
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = c[probe]["httpGet"]
        assert get["path"] == path and container_port(c, get["port"]) == 8080, (probe, get)
    assert {container_port(c, "http"), container_port(c, "vcd-https")} == {8080, 8443}

    # Requests and limits for CPU and memory.
    for part in ("requests", "limits"):
        assert set(c["resources"][part]) == {"cpu", "memory"}, c["resources"]

    # The read-only root filesystem leaves two writable places, both emptyDirs, and the data
    # directory inside one of them; the admin Secret is mounted read-only with both keys.
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    for path in ("/var/lib/virtyard", "/tmp"):
        assert "emptyDir" in volumes[mounts[path]["name"]], (path, volumes)
    assert option(args, "--data-dir").startswith("/var/lib/virtyard/")
    admin = mounts["/etc/virtyard/admin"]
    assert admin["readOnly"] is True
    secret = volumes[admin["name"]]["secret"]
    assert secret["secretName"] == "virtyard-admin"
    assert {i["key"] for i in secret["items"]} == {"admin-token", "vcd-admin-password"}
    assert not secret.get("optional"), "a missing admin Secret must keep the pod from starting"

    # Replicas prefer different nodes.
    terms = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert any(t["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
               and selects(t["podAffinityTerm"]["labelSelector"], spec["template"]["metadata"]["labels"])
               for t in terms), terms


def test_budget_and_services_select_the_deployments_pods(rendered):
    objects = objects_of(rendered, "ingress")
    deployment = the(objects, "Deployment", "virtyard")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    c = container(deployment)

    pdb = the(objects, "PodDisruptionBudget", "virtyard")
    assert pdb["spec"]["minAvailable"] == 1 and "maxUnavailable" not in pdb["spec"]
    assert selects(pdb["spec"]["selector"], labels)
    # The budget leaves room for an eviction: it is below the replica count.
    assert pdb["spec"]["minAvailable"] < deployment["spec"]["replicas"]

    services = {}
    for name, port, target in (("virtyard", 80, 8080), ("virtyard-vcd", 443, 8443)):
        service = the(objects, "Service", name)
        assert selects(service["spec"]["selector"], labels), service["spec"]["selector"]
        (only,) = service["spec"]["ports"]
        assert only["port"] == port and container_port(c, only["targetPort"]) == target, only
        services[name] = service

    # The overlay's Ingress sends the platform host to the platform Service, with TLS, and
    # lets watches and WebSockets live longer than a proxy's default minute.
    ingress = the(objects, "Ingress", "virtyard")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "virtyard.example.com"
    assert ingress["spec"]["tls"] == [{"hosts": ["virtyard.example.com"], "secretName": "virtyard-tls"}]
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    backend = path["backend"]["service"]
    assert backend["name"] == "virtyard"
    assert backend["port"] in ({"name": "http"}, {"number": 80})
    # Lab session kubeconfigs name that host; the base, without an Ingress, names none.
    assert option(container(deployment)["args"], "--public-url") == f"https://{rule['host']}"
    assert "--public-url" not in container(the(objects_of(rendered, "base"), "Deployment", "virtyard"))["args"]
    annotations = ingress["metadata"]["annotations"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600, annotations
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_containerfile_runs_as_the_deployments_user(rendered):
    text = (REPO_ROOT / "Containerfile").read_text()
    pod = template(the(objects_of(rendered, "base"), "Deployment", "virtyard"))
    context = pod["securityContext"]
    users = re.findall(r"^USER\s+(\S+)\s*$", text, re.MULTILINE)
    assert users == [f"{context['runAsUser']}:{context['runAsGroup']}"], users
    entrypoints = re.findall(r"^ENTRYPOINT\s+(.+)$", text, re.MULTILINE)
    assert [json.loads(e) for e in entrypoints] == [container(the(objects_of(rendered, "base"), "Deployment",
                                                                   "virtyard"))["command"]]
    stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert len(stages) == 2, stages
    # The runtime is the builder's Debian release.
    builder, runtime = stages
    assert builder.split(":")[1].endswith("-bookworm") and runtime.endswith(":bookworm-slim"), stages
    assert "--static-swift-stdlib" in text and "--product virtyard" in text
