"""Namespace termination as kube-controller-manager's namespace controller runs it: content
deleted, new content refused, and while something stays behind (a finalizer holds it) the
namespace's conditions say what and why, as `kubectl describe namespace` shows them."""

from __future__ import annotations

import json

from conftest import new_name, wait_until


def conditions(server, name: str) -> dict[str, dict]:
    proc = server.kubectl("get", "namespace", name, "-o", "json", check=False)
    if proc.returncode != 0:
        return {}
    return {c["type"]: c for c in json.loads(proc.stdout).get("status", {}).get("conditions", [])}


def test_terminating_namespace_reports_what_remains_and_then_goes(server):
    name = new_name("ct-terminating")
    server.kubectl("create", "namespace", name)
    server.kubectl("create", "configmap", "held", "-n", name)
    server.kubectl("create", "configmap", "free", "-n", name)
    server.kubectl("patch", "configmap", "held", "-n", name, "--type", "merge",
                   "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    server.kubectl("delete", "namespace", name, "--wait=false")

    got = wait_until(lambda: (c := conditions(server, name)).get("NamespaceFinalizersRemaining") and c,
                     timeout=15, message="the namespace's conditions")
    assert got["NamespaceContentRemaining"]["status"] == "True"
    assert got["NamespaceContentRemaining"]["message"] == \
        "Some resources are remaining: configmaps. has 1 resource instances"
    assert got["NamespaceFinalizersRemaining"]["reason"] == "SomeFinalizersRemain"
    assert got["NamespaceFinalizersRemaining"]["message"] == \
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    assert got["NamespaceDeletionContentFailure"]["status"] == "False"
    # The unheld object is gone; nothing new may be created meanwhile.
    assert server.kubectl("get", "configmap", "free", "-n", name, check=False).returncode != 0
    refused = server.kubectl("create", "configmap", "late", "-n", name, check=False)
    assert refused.returncode != 0
    assert f"unable to create new content in namespace {name} because it is being terminated" in refused.stderr
    described = server.kubectl("describe", "namespace", name).stdout
    assert "SomeFinalizersRemain" in described and "Terminating" in described

    # Releasing the finalizer lets the namespace finish.
    server.kubectl("patch", "configmap", "held", "-n", name, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
    wait_until(lambda: server.kubectl("get", "namespace", name, check=False).returncode != 0, timeout=15,
               message="the namespace gone")
