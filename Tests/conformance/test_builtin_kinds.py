"""Every built-in kind of Kubernetes 1.32 that a cluster stores (issue 13, "The API"), in the
host and in a lab's virtual cluster: discovery as `kubectl api-resources` shows it against
kube-apiserver 1.32, kubectl's `create` generators (protobuf bodies) answered with the
defaults kube-apiserver writes, invalid objects refused with its status codes and wording,
and every object created here valid by kubernetes-validate's strict 1.32 schemas.

(`../shared/tools/validate-objects` has no schemas for built-in kinds — it checks KubeVirt,
CDI, snapshots and templates — so kubernetes-validate is the checker here.)
"""

from __future__ import annotations

import ipaddress
import json
import re

import kubernetes_validate
import pytest

from conftest import new_name, wait_until, write_manifest
from test_lab_pool import LabServer, _stop_checked, session_kubectl

KUBERNETES_VERSION = "1.32"
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")

# `kubectl api-resources -o wide` against kube-apiserver 1.32, for the stored kinds:
# name -> (short names, apiVersion, namespaced, kind, categories).
EXPECTED_RESOURCES = {
    "configmaps": ("cm", "v1", True, "ConfigMap", ""),
    "endpoints": ("ep", "v1", True, "Endpoints", ""),
    "events": ("ev", "v1", True, "Event", ""),
    "limitranges": ("limits", "v1", True, "LimitRange", ""),
    "namespaces": ("ns", "v1", False, "Namespace", ""),
    "nodes": ("no", "v1", False, "Node", ""),
    "persistentvolumeclaims": ("pvc", "v1", True, "PersistentVolumeClaim", ""),
    "persistentvolumes": ("pv", "v1", False, "PersistentVolume", ""),
    "pods": ("po", "v1", True, "Pod", "all"),
    "podtemplates": ("", "v1", True, "PodTemplate", ""),
    "replicationcontrollers": ("rc", "v1", True, "ReplicationController", "all"),
    "resourcequotas": ("quota", "v1", True, "ResourceQuota", ""),
    "secrets": ("", "v1", True, "Secret", ""),
    "serviceaccounts": ("sa", "v1", True, "ServiceAccount", ""),
    "services": ("svc", "v1", True, "Service", "all"),
    "mutatingwebhookconfigurations": ("", "admissionregistration.k8s.io/v1", False,
                                      "MutatingWebhookConfiguration", "api-extensions"),
    "validatingadmissionpolicies": ("", "admissionregistration.k8s.io/v1", False,
                                    "ValidatingAdmissionPolicy", "api-extensions"),
    "validatingadmissionpolicybindings": ("", "admissionregistration.k8s.io/v1", False,
                                          "ValidatingAdmissionPolicyBinding", "api-extensions"),
    "validatingwebhookconfigurations": ("", "admissionregistration.k8s.io/v1", False,
                                        "ValidatingWebhookConfiguration", "api-extensions"),
    "customresourcedefinitions": ("crd,crds", "apiextensions.k8s.io/v1", False, "CustomResourceDefinition",
                                  "api-extensions"),
    "apiservices": ("", "apiregistration.k8s.io/v1", False, "APIService", "api-extensions"),
    "controllerrevisions": ("", "apps/v1", True, "ControllerRevision", ""),
    "daemonsets": ("ds", "apps/v1", True, "DaemonSet", "all"),
    "deployments": ("deploy", "apps/v1", True, "Deployment", "all"),
    "replicasets": ("rs", "apps/v1", True, "ReplicaSet", "all"),
    "statefulsets": ("sts", "apps/v1", True, "StatefulSet", "all"),
    "horizontalpodautoscalers": ("hpa", "autoscaling/v2", True, "HorizontalPodAutoscaler", "all"),
    "cronjobs": ("cj", "batch/v1", True, "CronJob", "all"),
    "jobs": ("", "batch/v1", True, "Job", "all"),
    "certificatesigningrequests": ("csr", "certificates.k8s.io/v1", False, "CertificateSigningRequest", ""),
    "leases": ("", "coordination.k8s.io/v1", True, "Lease", ""),
    "endpointslices": ("", "discovery.k8s.io/v1", True, "EndpointSlice", ""),
    "events.events.k8s.io": ("ev", "events.k8s.io/v1", True, "Event", ""),
    "flowschemas": ("", "flowcontrol.apiserver.k8s.io/v1", False, "FlowSchema", ""),
    "prioritylevelconfigurations": ("", "flowcontrol.apiserver.k8s.io/v1", False, "PriorityLevelConfiguration", ""),
    "ingressclasses": ("", "networking.k8s.io/v1", False, "IngressClass", ""),
    "ingresses": ("ing", "networking.k8s.io/v1", True, "Ingress", ""),
    "networkpolicies": ("netpol", "networking.k8s.io/v1", True, "NetworkPolicy", ""),
    "runtimeclasses": ("", "node.k8s.io/v1", False, "RuntimeClass", ""),
    "poddisruptionbudgets": ("pdb", "policy/v1", True, "PodDisruptionBudget", ""),
    "clusterrolebindings": ("", "rbac.authorization.k8s.io/v1", False, "ClusterRoleBinding", ""),
    "clusterroles": ("", "rbac.authorization.k8s.io/v1", False, "ClusterRole", ""),
    "rolebindings": ("", "rbac.authorization.k8s.io/v1", True, "RoleBinding", ""),
    "roles": ("", "rbac.authorization.k8s.io/v1", True, "Role", ""),
    "priorityclasses": ("pc", "scheduling.k8s.io/v1", False, "PriorityClass", ""),
    "csidrivers": ("", "storage.k8s.io/v1", False, "CSIDriver", ""),
    "csinodes": ("", "storage.k8s.io/v1", False, "CSINode", ""),
    "csistoragecapacities": ("", "storage.k8s.io/v1", True, "CSIStorageCapacity", ""),
    "storageclasses": ("sc", "storage.k8s.io/v1", False, "StorageClass", ""),
    "volumeattachments": ("", "storage.k8s.io/v1", False, "VolumeAttachment", ""),
}

# Kinds with a status subresource in 1.32 (`<resource>/status` in the group version's list).
WITH_STATUS = {
    "v1": {"namespaces", "nodes", "pods", "persistentvolumeclaims", "persistentvolumes", "replicationcontrollers",
           "resourcequotas", "services"},
    "apps/v1": {"daemonsets", "deployments", "replicasets", "statefulsets"},
    "batch/v1": {"cronjobs", "jobs"},
    "autoscaling/v2": {"horizontalpodautoscalers"},
    "networking.k8s.io/v1": {"ingresses"},
    "policy/v1": {"poddisruptionbudgets"},
    "storage.k8s.io/v1": {"volumeattachments"},
}

STANDARD_VERBS = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}


def api_resources(run) -> dict:
    """`kubectl api-resources -o wide`, parsed by column position (blank cells are blank)."""
    lines = run("api-resources", "-o", "wide").stdout.splitlines()
    header = lines[0]
    columns = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]
    starts = [header.index(c) for c in columns]
    table = {}
    for line in lines[1:]:
        cells = [line[s:e].strip() for s, e in zip(starts, starts[1:] + [len(line) + 1])]
        row = dict(zip(columns, cells))
        key = row["NAME"] if row["APIVERSION"] != "events.k8s.io/v1" else "events.events.k8s.io"
        table[key] = row
    return table


def assert_serves_every_builtin_kind(run) -> None:
    table = api_resources(run)
    problems = []
    for name, (short, api_version, namespaced, kind, categories) in EXPECTED_RESOURCES.items():
        row = table.get(name)
        if row is None:
            problems.append(f"{name}: not listed")
            continue
        got = (row["SHORTNAMES"], row["APIVERSION"], row["NAMESPACED"] == "true", row["KIND"], row["CATEGORIES"])
        if got != (short, api_version, namespaced, kind, categories):
            problems.append(f"{name}: {got} != {(short, api_version, namespaced, kind, categories)}")
        verbs = set(re.split(r"[\s,]+", row["VERBS"].strip("[]")))
        if verbs != STANDARD_VERBS:
            problems.append(f"{name}: verbs {sorted(verbs)}")
    assert not problems, "\n".join(problems)


def get_json(run, *args) -> dict:
    return json.loads(run("get", *args, "-o", "json").stdout)


def assert_kubernetes_validate(obj: dict) -> None:
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        raise AssertionError(f"{obj['kind']} {obj['metadata'].get('name')}: {where}: {error.message}") from None


def pod_template_defaults(spec: dict, restart_policy: str = "Always") -> None:
    assert spec["restartPolicy"] == restart_policy, spec
    assert spec["dnsPolicy"] == "ClusterFirst", spec
    assert spec["terminationGracePeriodSeconds"] == 30, spec
    assert spec["schedulerName"] == "default-scheduler", spec
    assert spec["securityContext"] == {}, spec
    for container in spec["containers"]:
        assert container["terminationMessagePath"] == "/dev/termination-log", container
        assert container["terminationMessagePolicy"] == "File", container
        assert container["resources"] == {}, container
        expected = "IfNotPresent" if ":" in container["image"] and not container["image"].endswith(":latest") \
            else "Always"
        assert container["imagePullPolicy"] == expected, container


# -- discovery --------------------------------------------------------------------------


def test_api_resources_lists_every_stored_kind_of_1_32(kubectl):
    assert_serves_every_builtin_kind(kubectl)


def test_status_subresources_and_preferred_versions_in_discovery(server):
    for group_version, with_status in WITH_STATUS.items():
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        response = server.http("GET", path)
        assert response.status == 200, (path, response)
        names = {r["name"] for r in response.json()["resources"]}
        missing = {f"{name}/status" for name in with_status} - names
        assert not missing, (group_version, missing)
    autoscaling = server.http("GET", "/apis/autoscaling").json()
    assert autoscaling["preferredVersion"]["groupVersion"] == "autoscaling/v2", autoscaling
    groups = {g["name"] for g in server.http("GET", "/apis").json()["groups"]}
    assert {"apps", "batch", "autoscaling", "rbac.authorization.k8s.io", "networking.k8s.io", "policy",
            "storage.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "scheduling.k8s.io",
            "admissionregistration.k8s.io", "apiregistration.k8s.io"} <= groups, groups


def test_kubectl_get_all_shows_the_workload_kinds(kubectl, ns):
    kubectl("create", "deployment", "all-web", "-n", ns, "--image=nginx:1.27")
    kubectl("create", "job", "all-job", "-n", ns, "--image=busybox:1.36", "--", "true")
    shown = kubectl("get", "all", "-n", ns, "-o", "name").stdout.split()
    assert "deployment.apps/all-web" in shown and "job.batch/all-job" in shown, shown


# -- kubectl's create generators and the defaults -----------------------------------------


def test_create_deployment_reads_back_with_its_defaults(kubectl, ns):
    kubectl("create", "deployment", "web", "-n", ns, "--image=nginx", "--port=80")
    obj = get_json(kubectl, "deployment", "web", "-n", ns)
    spec = obj["spec"]
    assert spec["replicas"] == 1, spec
    assert spec["selector"] == {"matchLabels": {"app": "web"}}, spec
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}, spec
    assert spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600, spec
    pod_template_defaults(spec["template"]["spec"])
    assert spec["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert obj["metadata"]["generation"] == 1, obj["metadata"]
    assert_kubernetes_validate(obj)


def test_create_job_reads_back_with_its_defaults_and_generated_selector(kubectl, ns):
    kubectl("create", "job", "pi", "-n", ns, "--image=perl:5.34", "--", "perl", "-e", "print 1")
    obj = get_json(kubectl, "job", "pi", "-n", ns)
    uid = obj["metadata"]["uid"]
    spec = obj["spec"]
    assert (spec["parallelism"], spec["completions"], spec["backoffLimit"]) == (1, 1, 6), spec
    assert spec["completionMode"] == "NonIndexed" and spec["suspend"] is False, spec
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}, spec
    labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
              "controller-uid": uid, "job-name": "pi"}
    assert spec["template"]["metadata"]["labels"] == labels, spec["template"]
    assert obj["metadata"]["labels"] == labels, obj["metadata"]
    pod_template_defaults(spec["template"]["spec"], restart_policy="Never")
    assert_kubernetes_validate(obj)


def test_create_cronjob_reads_back_with_its_defaults(kubectl, ns):
    kubectl("create", "cronjob", "tick", "-n", ns, "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "date")
    obj = get_json(kubectl, "cronjob", "tick", "-n", ns)
    spec = obj["spec"]
    assert spec["schedule"] == "*/5 * * * *", spec
    assert spec["concurrencyPolicy"] == "Allow" and spec["suspend"] is False, spec
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1), spec
    pod_template_defaults(spec["jobTemplate"]["spec"]["template"]["spec"], restart_policy="OnFailure")
    assert_kubernetes_validate(obj)


def test_create_rbac_objects(kubectl, ns):
    kubectl("create", "serviceaccount", "robot", "-n", ns)
    kubectl("create", "role", "reader", "-n", ns, "--verb=get,list,watch", "--resource=pods,deployments.apps")
    kubectl("create", "rolebinding", "reader-robot", "-n", ns, "--role=reader", f"--serviceaccount={ns}:robot")
    cluster_role = new_name("ct-nodes")
    kubectl("create", "clusterrole", cluster_role, "--verb=get,list", "--resource=nodes")
    binding = new_name("ct-nodes-binding")
    kubectl("create", "clusterrolebinding", binding, f"--clusterrole={cluster_role}", "--group=ops")
    try:
        role = get_json(kubectl, "role", "reader", "-n", ns)
        assert role["rules"] == [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
        ], role
        rolebinding = get_json(kubectl, "rolebinding", "reader-robot", "-n", ns)
        assert rolebinding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                          "name": "reader"}, rolebinding
        assert rolebinding["subjects"] == [{"kind": "ServiceAccount", "name": "robot", "namespace": ns}]
        crb = get_json(kubectl, "clusterrolebinding", binding)
        assert crb["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ops"}], crb
        for obj in (role, rolebinding, get_json(kubectl, "clusterrole", cluster_role), crb,
                    get_json(kubectl, "serviceaccount", "robot", "-n", ns)):
            assert_kubernetes_validate(obj)
    finally:
        kubectl("delete", "clusterrolebinding", binding, "--wait=false", check=False)
        kubectl("delete", "clusterrole", cluster_role, "--wait=false", check=False)


def test_create_secret_quota_ingress_pdb_and_priorityclass(kubectl, ns):
    kubectl("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=hunter2")
    kubectl("create", "quota", "small", "-n", ns, "--hard=pods=10,requests.cpu=2")
    kubectl("create", "ingress", "site", "-n", ns, "--class=nginx", "--rule=example.com/app*=web:80,tls=site-tls")
    kubectl("create", "poddisruptionbudget", "web-pdb", "-n", ns, "--selector=app=web", "--min-available=1")
    priority = new_name("ct-high")
    kubectl("create", "priorityclass", priority, "--value=1000", "--description=important")
    try:
        secret = get_json(kubectl, "secret", "creds", "-n", ns)
        assert secret["type"] == "Opaque" and secret["data"] == {"password": "aHVudGVyMg=="}, secret
        quota = get_json(kubectl, "quota", "small", "-n", ns)
        assert quota["spec"]["hard"] == {"pods": "10", "requests.cpu": "2"}, quota
        ingress = get_json(kubectl, "ingress", "site", "-n", ns)
        assert ingress["spec"]["ingressClassName"] == "nginx", ingress
        assert ingress["spec"]["rules"][0]["http"]["paths"] == [
            {"path": "/app", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]
        assert ingress["spec"]["tls"] == [{"hosts": ["example.com"], "secretName": "site-tls"}], ingress
        assert ingress["status"] == {"loadBalancer": {}}, ingress
        pdb = get_json(kubectl, "pdb", "web-pdb", "-n", ns)
        assert pdb["spec"] == {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}, pdb
        # kube-apiserver's zeros at creation, or the disruption controller's view of no pods:
        # one healthy pod wanted, none there, no disruption allowed.
        status = {k: pdb["status"].get(k) for k in ("currentHealthy", "disruptionsAllowed", "expectedPods")}
        assert status == {"currentHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}, pdb
        assert pdb["status"]["desiredHealthy"] in (0, 1), pdb
        pc = get_json(kubectl, "priorityclass", priority)
        assert pc["value"] == 1000 and pc["preemptionPolicy"] == "PreemptLowerPriority", pc
        for obj in (secret, quota, ingress, pdb, pc):
            assert_kubernetes_validate(obj)
    finally:
        kubectl("delete", "priorityclass", priority, "--wait=false", check=False)


def test_create_service_reads_back_with_its_defaults(kubectl, ns):
    kubectl("create", "service", "clusterip", "web", "-n", ns, "--tcp=80:8080")
    kubectl("create", "service", "clusterip", "headless", "-n", ns, "--clusterip=None")
    kubectl("create", "service", "externalname", "outside", "-n", ns, "--external-name=example.com")
    web = get_json(kubectl, "service", "web", "-n", ns)
    spec = web["spec"]
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None", spec
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack", spec
    assert spec["internalTrafficPolicy"] == "Cluster", spec
    assert spec["ports"] == [{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}], spec
    assert web["status"] == {"loadBalancer": {}}, web
    headless = get_json(kubectl, "service", "headless", "-n", ns)
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["clusterIPs"] == ["None"], headless
    outside = get_json(kubectl, "service", "outside", "-n", ns)
    assert "clusterIP" not in outside["spec"] and "ipFamilies" not in outside["spec"], outside
    for obj in (web, headless, outside):
        assert_kubernetes_validate(obj)


def test_services_get_unique_cluster_ips_from_the_service_cidr(kubectl, ns):
    addresses = []
    for index in range(5):
        kubectl("create", "service", "clusterip", f"svc-{index}", "-n", ns, "--tcp=80:80")
        spec = get_json(kubectl, "service", f"svc-{index}", "-n", ns)["spec"]
        assert spec["clusterIPs"] == [spec["clusterIP"]], spec
        assert ipaddress.ip_address(spec["clusterIP"]) in SERVICE_CIDR, spec
        addresses.append(spec["clusterIP"])
    assert len(set(addresses)) == len(addresses), addresses


def test_a_cluster_ip_is_refused_while_taken_and_free_after_delete(kubectl, ns, tmp_path):
    def service(name):
        return write_manifest(tmp_path, f"{name}.yaml", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"clusterIP": "10.96.0.77", "ports": [{"port": 80}]}})
    kubectl("create", "-n", ns, "-f", str(service("first")))
    proc = kubectl("create", "-n", ns, "-f", str(service("second")), check=False)
    assert proc.returncode != 0, proc.stdout
    assert ('spec.clusterIPs: Invalid value: []string{"10.96.0.77"}: failed to allocate IP 10.96.0.77: '
            'provided IP is already allocated') in proc.stderr, proc.stderr
    kubectl("delete", "service", "first", "-n", ns)
    kubectl("create", "-n", ns, "-f", str(service("second")))
    assert get_json(kubectl, "service", "second", "-n", ns)["spec"]["clusterIP"] == "10.96.0.77"


# -- hostile input ---------------------------------------------------------------------


def deployment(name: str, **spec_extra) -> dict:
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}
    spec.update(spec_extra)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def test_unknown_fields_are_refused_in_strict_mode(kubectl, ns, tmp_path):
    path = write_manifest(tmp_path, "unknown.yaml", deployment("strict", replicaz=3))
    proc = kubectl("create", "-n", ns, "-f", str(path), check=False)
    assert proc.returncode != 0, proc.stdout
    assert ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
            'unknown field "spec.replicaz"') in proc.stderr, proc.stderr


def test_wrong_types_are_a_bad_request(server, ns):
    response = server.http("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("typed", replicas="3"))
    assert response.status == 400, response
    status = response.json()
    assert status["reason"] == "BadRequest", status
    assert status["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
                                 'unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'), status


@pytest.mark.parametrize("path, body, message", [
    ("/apis/apps/v1/namespaces/{ns}/deployments",
     {**deployment("mismatch"), "spec": {**deployment("mismatch")["spec"], "selector": {"matchLabels": {"app": "x"}}}},
     'Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: Invalid value: '
     'map[string]string{"app":"mismatch"}: `selector` does not match template `labels`'),
    ("/apis/batch/v1/namespaces/{ns}/jobs",
     {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "always"},
      "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}},
     'Job.batch "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": '
     'supported values: "OnFailure", "Never"'),
    ("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
     {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "badref"},
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Secret", "name": "x"}},
     'RoleBinding.rbac.authorization.k8s.io "badref" is invalid: roleRef.kind: Unsupported value: "Secret": '
     'supported values: "Role", "ClusterRole"'),
    ("/api/v1/namespaces/{ns}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "noports"}, "spec": {"selector": {"a": "b"}}},
     'Service "noports" is invalid: spec.ports: Required value'),
])
def test_invalid_objects_are_unprocessable(server, ns, path, body, message):
    response = server.http("POST", path.format(ns=ns), body)
    assert response.status == 422, response
    status = response.json()
    assert status["reason"] == "Invalid" and status["message"] == message, status
    assert server.http("GET", path.format(ns=ns) + "/" + body["metadata"]["name"]).status == 404


def test_every_kind_round_trips_through_the_python_client(server, ns):
    # One object of each remaining stored kind, through the Python client's typed APIs.
    from kubernetes import client as k8s
    api = server.api()
    meta = k8s.V1ObjectMeta(name="one")
    template = k8s.V1PodTemplateSpec(metadata=k8s.V1ObjectMeta(labels={"app": "one"}),
                                     spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="c", image="nginx:1.27")]))
    selector = k8s.V1LabelSelector(match_labels={"app": "one"})
    apps = k8s.AppsV1Api(api)
    apps.create_namespaced_stateful_set(ns, k8s.V1StatefulSet(
        metadata=meta, spec=k8s.V1StatefulSetSpec(selector=selector, service_name="one", template=template)))
    apps.create_namespaced_daemon_set(ns, k8s.V1DaemonSet(
        metadata=meta, spec=k8s.V1DaemonSetSpec(selector=selector, template=template)))
    apps.create_namespaced_replica_set(ns, k8s.V1ReplicaSet(
        metadata=meta, spec=k8s.V1ReplicaSetSpec(selector=selector, template=template)))
    core = k8s.CoreV1Api(api)
    core.create_namespaced_replication_controller(ns, k8s.V1ReplicationController(
        metadata=meta, spec=k8s.V1ReplicationControllerSpec(template=template)))
    core.create_namespaced_limit_range(ns, k8s.V1LimitRange(metadata=meta, spec=k8s.V1LimitRangeSpec(
        limits=[k8s.V1LimitRangeItem(type="Container", default={"cpu": "500m"})])))
    k8s.NetworkingV1Api(api).create_namespaced_network_policy(ns, k8s.V1NetworkPolicy(
        metadata=meta, spec=k8s.V1NetworkPolicySpec(pod_selector=k8s.V1LabelSelector())))
    k8s.AutoscalingV2Api(api).create_namespaced_horizontal_pod_autoscaler(ns, k8s.V2HorizontalPodAutoscaler(
        metadata=meta, spec=k8s.V2HorizontalPodAutoscalerSpec(
            max_replicas=5, scale_target_ref=k8s.V2CrossVersionObjectReference(kind="Deployment", name="one",
                                                                              api_version="apps/v1"))))
    k8s.DiscoveryV1Api(api).create_namespaced_endpoint_slice(ns, k8s.V1EndpointSlice(
        metadata=meta, address_type="IPv4", endpoints=[k8s.V1Endpoint(addresses=["10.0.0.1"])],
        ports=[k8s.DiscoveryV1EndpointPort(port=80)]))

    def read(path):
        response = server.http("GET", path)
        assert response.status == 200, (path, response)
        return response.json()

    sts = read(f"/apis/apps/v1/namespaces/{ns}/statefulsets/one")
    assert sts["spec"]["replicas"] == 1 and sts["spec"]["podManagementPolicy"] == "OrderedReady", sts["spec"]
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}, sts
    ds = read(f"/apis/apps/v1/namespaces/{ns}/daemonsets/one")
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate",
                                            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}, ds
    rc = read(f"/api/v1/namespaces/{ns}/replicationcontrollers/one")
    assert rc["spec"]["selector"] == {"app": "one"} and rc["spec"]["replicas"] == 1, rc
    netpol = read(f"/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies/one")
    assert netpol["spec"]["policyTypes"] == ["Ingress"], netpol
    hpa = read(f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/one")
    assert hpa["spec"]["minReplicas"] == 1, hpa
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}], hpa
    slice_ = read(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/one")
    assert slice_["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}], slice_
    for obj in (sts, ds, rc, netpol, hpa, slice_, read(f"/apis/apps/v1/namespaces/{ns}/replicasets/one"),
                read(f"/api/v1/namespaces/{ns}/limitranges/one")):
        assert_kubernetes_validate(obj)


# -- a lab's virtual cluster ---------------------------------------------------------------


@pytest.fixture(scope="module")
def lab_session(tmp_path_factory):
    """One lab session on a pool of one: its cluster is a virtual cluster of the embedded API."""
    srv = LabServer(tmp_path_factory.mktemp("virtyard-lab-kinds"),
                    ["--lab-pool-size", "1", "--sim-snapshot-duration", "50ms", "--sim-restore-duration", "50ms"])
    srv.start()
    try:
        wait_until(lambda: srv.lab("GET", "/api/v1/pool").status == 200, timeout=60,
                   message="platform /api/v1/pool answering")
        wait_until(lambda: [c["status"] for c in srv.clusters().values()] == ["available"], timeout=60,
                   message="the pool's one cluster available")
        session = srv.wait_running(srv.start_session("kinds")["id"])
        yield session, tmp_path_factory.mktemp("lab-kinds-kubectl")
    finally:
        _stop_checked(srv)


def test_a_virtual_cluster_serves_every_kind_with_the_same_defaults(lab_session):
    session, directory = lab_session

    def run(*args, check=True):
        return session_kubectl(session, directory, *args, check=check)

    assert_serves_every_builtin_kind(run)
    run("create", "deployment", "web", "--image=nginx:1.27")
    run("create", "job", "once", "--image=busybox:1.36", "--", "true")
    run("create", "service", "clusterip", "web", "--tcp=80:80")
    deploy = get_json(run, "deployment", "web")
    assert deploy["spec"]["replicas"] == 1 and deploy["spec"]["revisionHistoryLimit"] == 10, deploy
    pod_template_defaults(deploy["spec"]["template"]["spec"])
    job = get_json(run, "job", "once")
    assert job["spec"]["backoffLimit"] == 6 and job["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": job["metadata"]["uid"]}}, job
    service = get_json(run, "service", "web")
    assert service["spec"]["type"] == "ClusterIP" and service["status"] == {"loadBalancer": {}}, service
    assert ipaddress.ip_address(service["spec"]["clusterIP"]) in SERVICE_CIDR, service
    for obj in (deploy, job, service):
        assert_kubernetes_validate(obj)
