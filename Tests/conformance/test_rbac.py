"""RBAC as kube-apiserver evaluates it: a ServiceAccount gets exactly what its bindings
grant, asked through `kubectl auth can-i --as`, impersonated requests, and the review APIs;
a denial is a 403 with kube-apiserver's message; aggregated ClusterRoles collect rules."""

from __future__ import annotations

import json

from kubernetes import client as k8s

from conftest import new_name, wait_until


def can_i(server, *args: str) -> str:
    proc = server.kubectl("auth", "can-i", *args, check=False)
    answer = proc.stdout.strip()
    assert answer in ("yes", "no"), proc
    assert (proc.returncode == 0) == (answer == "yes"), proc
    return answer


def service_account(ns: str, name: str = "robot") -> str:
    return f"system:serviceaccount:{ns}:{name}"


def test_a_service_account_gets_exactly_what_its_role_binding_grants(server, ns):
    server.kubectl("create", "serviceaccount", "robot", "-n", ns)
    robot = service_account(ns)
    assert can_i(server, "list", "pods", "-n", ns, f"--as={robot}") == "no"

    server.kubectl("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", ns)
    server.kubectl("create", "rolebinding", "robot-reads-pods", "--role=pod-reader",
                   f"--serviceaccount={ns}:robot", "-n", ns)

    assert can_i(server, "list", "pods", "-n", ns, f"--as={robot}") == "yes"
    assert can_i(server, "get", "pods", "-n", ns, f"--as={robot}") == "yes"
    assert can_i(server, "delete", "pods", "-n", ns, f"--as={robot}") == "no"
    assert can_i(server, "get", "pods", "--subresource=log", "-n", ns, f"--as={robot}") == "no"
    assert can_i(server, "list", "secrets", "-n", ns, f"--as={robot}") == "no"
    assert can_i(server, "list", "pods", "-n", "default", f"--as={robot}") == "no"
    assert can_i(server, "list", "pods", "--all-namespaces", f"--as={robot}") == "no"
    # Another account of the same namespace is not the bound one.
    assert can_i(server, "list", "pods", "-n", ns, f"--as={service_account(ns, 'other')}") == "no"

    # Requests made as the account: allowed ones work, others are refused as kube-apiserver refuses.
    server.kubectl("get", "pods", "-n", ns, f"--as={robot}")
    proc = server.kubectl("get", "secrets", "-n", ns, f"--as={robot}", check=False)
    assert proc.returncode != 0
    assert (f'Error from server (Forbidden): secrets is forbidden: User "{robot}" cannot list resource '
            f'"secrets" in API group "" in the namespace "{ns}"') in proc.stderr, proc.stderr


def test_a_forbidden_request_gets_kube_apiservers_status(server, ns):
    robot = service_account(ns, "x")
    resp = server.http("GET", f"/api/v1/namespaces/{ns}/pods", headers={"Impersonate-User": robot})
    assert resp.status == 403, resp
    assert resp.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": (f'pods is forbidden: User "{robot}" cannot list resource "pods" in API group "" '
                    f'in the namespace "{ns}"'),
        "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403,
    }
    named = server.http("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/web",
                        headers={"Impersonate-User": robot}).json()
    assert named["message"] == (f'deployments.apps "web" is forbidden: User "{robot}" cannot get resource '
                                f'"deployments" in API group "apps" in the namespace "{ns}"'), named
    assert named["details"] == {"name": "web", "group": "apps", "kind": "deployments"}, named
    cluster = server.http("GET", "/api/v1/nodes", headers={"Impersonate-User": robot}).json()
    assert cluster["message"] == (f'nodes is forbidden: User "{robot}" cannot list resource "nodes" '
                                  f'in API group "" at the cluster scope'), cluster


def test_discovery_and_self_reviews_are_open_to_every_authenticated_user(server, ns):
    robot = service_account(ns, "nobody")
    assert server.http("GET", "/apis", headers={"Impersonate-User": robot}).status == 200
    assert server.http("GET", "/api/v1", headers={"Impersonate-User": robot}).status == 200
    assert can_i(server, "create", "selfsubjectaccessreviews.authorization.k8s.io", f"--as={robot}") == "yes"
    # An unauthenticated group impersonation keeps the user out of system:authenticated.
    resp = server.http("GET", "/apis", headers={"Impersonate-User": "stranger",
                                                "Impersonate-Group": "system:unauthenticated"})
    assert resp.status == 403, resp
    assert resp.json()["message"] == 'forbidden: User "stranger" cannot get path "/apis"', resp.json()


def test_cluster_roles_bound_cluster_wide_and_by_namespace(server, ns):
    user = new_name("user")
    server.kubectl("create", "clusterrole", f"{user}-nodes", "--verb=get,list", "--resource=nodes")
    assert can_i(server, "list", "nodes", f"--as={user}") == "no"
    server.kubectl("create", "clusterrolebinding", f"{user}-nodes", f"--clusterrole={user}-nodes", f"--user={user}")
    assert can_i(server, "list", "nodes", f"--as={user}") == "yes"

    server.kubectl("create", "clusterrole", f"{user}-cm", "--verb=get", "--resource=configmaps",
                   "--resource-name=allowed")
    server.kubectl("create", "rolebinding", "cm", f"--clusterrole={user}-cm", f"--group={user}-team", "-n", ns)
    as_team = [f"--as={user}", f"--as-group={user}-team"]
    assert can_i(server, "get", "configmaps/allowed", "-n", ns, *as_team) == "yes"
    assert can_i(server, "get", "configmaps/other", "-n", ns, *as_team) == "no"
    assert can_i(server, "list", "configmaps", "-n", ns, *as_team) == "no"
    assert can_i(server, "get", "configmaps/allowed", "-n", "default", *as_team) == "no"


def test_the_admin_may_do_anything(server):
    assert can_i(server, "*", "*") == "yes"
    assert can_i(server, "delete", "nodes") == "yes"
    assert can_i(server, "get", "/healthz") == "yes"


def test_aggregated_cluster_roles_collect_the_rules_of_matching_roles(server, ns):
    label = f"example.com/aggregate-to-{new_name('agg')}"
    name = new_name("aggregated")
    server.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": name},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]},
        "rules": [],
    }))
    server.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": f"{name}-jobs", "labels": {label: "true"}},
        "rules": [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list"]}],
    }))

    def aggregated_rules():
        role = json.loads(server.kubectl("get", "clusterrole", name, "-o", "json").stdout)
        return role.get("rules") or None

    rules = wait_until(aggregated_rules, message="the aggregated ClusterRole's rules")
    assert rules == [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list"]}]

    robot = service_account(ns)
    server.kubectl("create", "rolebinding", "jobs", f"--clusterrole={name}", f"--serviceaccount={ns}:robot", "-n", ns)
    assert can_i(server, "list", "jobs.batch", "-n", ns, f"--as={robot}") == "yes"
    assert can_i(server, "delete", "jobs.batch", "-n", ns, f"--as={robot}") == "no"

    # The built-in view role is aggregated too (from system:aggregate-to-view).
    view = json.loads(server.kubectl("get", "clusterrole", "view", "-o", "json").stdout)
    assert any("pods" in rule.get("resources", []) for rule in view.get("rules") or []), view


def test_review_apis_answer_truthfully(server, ns):
    robot = service_account(ns, "reviewed")
    server.kubectl("create", "role", "cm-editor", "--verb=get,update", "--resource=configmaps", "-n", ns)
    server.kubectl("create", "rolebinding", "reviewed", "--role=cm-editor", f"--serviceaccount={ns}:reviewed", "-n", ns)

    api = k8s.AuthorizationV1Api(server.api())
    allowed = api.create_subject_access_review(k8s.V1SubjectAccessReview(spec=k8s.V1SubjectAccessReviewSpec(
        user=robot, groups=["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"],
        resource_attributes=k8s.V1ResourceAttributes(namespace=ns, verb="update", resource="configmaps"))))
    assert allowed.status.allowed is True
    assert allowed.status.reason == (f'RBAC: allowed by RoleBinding "reviewed/{ns}" of Role "cm-editor" '
                                     f'to ServiceAccount "reviewed/{ns}"')
    denied = api.create_subject_access_review(k8s.V1SubjectAccessReview(spec=k8s.V1SubjectAccessReviewSpec(
        user=robot, resource_attributes=k8s.V1ResourceAttributes(namespace=ns, verb="delete", resource="configmaps"))))
    assert denied.status.allowed is False

    # What `kubectl auth can-i --list` asks (kubectl sends it as protobuf, which the server
    # does not decode for this kind yet; the JSON body is the same review).
    resp = server.http("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                       body={"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                             "spec": {"namespace": ns}},
                       headers={"Impersonate-User": robot})
    assert resp.status == 201, resp
    status = resp.json()["status"]
    assert {"verbs": ["get", "update"], "apiGroups": [""], "resources": ["configmaps"]} in status["resourceRules"], status
    assert not any("pods" in rule.get("resources", []) for rule in status["resourceRules"]), status
    assert {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]} \
        in status["nonResourceRules"], status
    assert status["incomplete"] is False, status


def test_whoami_names_the_impersonated_account(server, ns):
    robot = service_account(ns, "who")
    out = server.kubectl("auth", "whoami", "-o", "json", f"--as={robot}").stdout
    info = json.loads(out)["status"]["userInfo"]
    assert info["username"] == robot
    assert info["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    admin = json.loads(server.kubectl("auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
    assert "system:masters" in admin["groups"], admin
