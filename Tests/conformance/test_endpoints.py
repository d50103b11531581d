"""Service → Endpoints and EndpointSlices, driven with kubectl.

Runs on the shared session server (`virtyard serve`: simulated nodes, scheduler and kubelet,
which give each pod an IP and a Ready condition); every test keeps to its own namespace.
What is simulated and how is in docs/workloads.md ("Services and endpoints").
"""

from __future__ import annotations

import json

import kubernetes_validate

from conftest import wait_until

# Generous: the controllers act within a second, but the machine may be busy.
SETTLE = 60.0
KUBERNETES_VERSION = "1.32"


def get(kubectl, ns: str, *what: str, check: bool = True) -> dict | None:
    result = kubectl("get", *what, "-n", ns, "-o", "json", check=check)
    return json.loads(result.stdout) if result.returncode == 0 else None


def assert_valid(obj: dict) -> None:
    """The object as a real 1.32 API server's schema (strict) accepts it."""
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        raise AssertionError(f"{obj['kind']} {obj['metadata'].get('name')}: {where}: {error.message}") from None


def addresses(kubectl, ns: str, name: str) -> list[tuple[str, int]]:
    """(ip, port) of every ready address of the Endpoints `name`."""
    endpoints = get(kubectl, ns, "endpoints", name, check=False) or {}
    return sorted((a["ip"], p["port"]) for s in endpoints.get("subsets") or []
                  for a in s.get("addresses") or [] for p in s.get("ports") or [])


def slices(kubectl, ns: str, service: str) -> list[dict]:
    return get(kubectl, ns, "endpointslices", "-l", f"kubernetes.io/service-name={service}")["items"]


def ready_pod_ips(kubectl, ns: str, app: str) -> set[str]:
    pods = get(kubectl, ns, "pods", "-l", f"app={app}")["items"]
    return {p["status"]["podIP"] for p in pods if not p["metadata"].get("deletionTimestamp")
            and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))}


def test_expose_deployment_gets_endpoints_and_one_slice_that_follow_scaling(kubectl, ns):
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns)
    kubectl("expose", "deployment", "web", "--port=80", "--target-port=8080", "-n", ns)

    wait_until(lambda: len(addresses(kubectl, ns, "web")) == 2, timeout=SETTLE,
               message="two ready addresses in endpoints/web")
    ips = [ip for ip, _ in addresses(kubectl, ns, "web")]
    assert all(port == 8080 for _, port in addresses(kubectl, ns, "web"))
    assert set(ips) == ready_pod_ips(kubectl, ns, "web")
    # `kubectl get endpoints` prints the addresses as kube-apiserver's table does.
    printed = kubectl("get", "endpoints", "web", "-n", ns).stdout
    assert all(f"{ip}:8080" in printed for ip in ips), printed

    endpoints = get(kubectl, ns, "endpoints", "web")
    assert_valid(endpoints)
    for address in endpoints["subsets"][0]["addresses"]:
        assert address["targetRef"]["kind"] == "Pod" and address["nodeName"]

    service = get(kubectl, ns, "service", "web")
    wait_until(lambda: sum(len(s.get("endpoints") or []) for s in slices(kubectl, ns, "web")) == 2,
               timeout=SETTLE, message="two endpoints in the slices of web")
    found = slices(kubectl, ns, "web")
    assert len(found) == 1
    slice_ = found[0]
    assert_valid(slice_)
    assert slice_["metadata"]["name"].startswith("web-") and slice_["metadata"]["name"] != "web-"
    assert slice_["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert slice_["metadata"]["ownerReferences"][0]["uid"] == service["metadata"]["uid"]
    assert slice_["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert slice_["addressType"] == "IPv4"
    assert slice_["ports"] == [{"name": "", "port": 8080, "protocol": "TCP"}]
    for endpoint in slice_["endpoints"]:
        assert endpoint["conditions"] == {"ready": True, "serving": True, "terminating": False}
        assert endpoint["nodeName"] and endpoint["targetRef"]["kind"] == "Pod"
    assert sorted(e["addresses"][0] for e in slice_["endpoints"]) == sorted(ips)

    kubectl("scale", "deployment", "web", "--replicas=3", "-n", ns)
    wait_until(lambda: len(addresses(kubectl, ns, "web")) == 3, timeout=SETTLE,
               message="three ready addresses after scaling")
    wait_until(lambda: [len(s.get("endpoints") or []) for s in slices(kubectl, ns, "web")] == [3],
               timeout=SETTLE, message="one slice of three endpoints after scaling")

    kubectl("delete", "service", "web", "-n", ns)
    wait_until(lambda: get(kubectl, ns, "endpoints", "web", check=False) is None and not slices(kubectl, ns, "web"),
               timeout=SETTLE, message="endpoints and slices gone with the service")


def test_a_service_without_selector_keeps_the_users_endpoints(kubectl, ns):
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "external"},
               "spec": {"ports": [{"port": 80}]}}
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external"},
                 "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 80}]}]}
    for obj in (service, endpoints):
        kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(obj))
    # A selecting service whose slice appears proves the controllers have run meanwhile.
    kubectl("create", "deployment", "probe", "--image=nginx", "-n", ns)
    kubectl("expose", "deployment", "probe", "--port=80", "-n", ns)
    wait_until(lambda: len(addresses(kubectl, ns, "probe")) == 1, timeout=SETTLE, message="probe endpoints")
    assert addresses(kubectl, ns, "external") == [("192.0.2.10", 80)]
    assert not slices(kubectl, ns, "external")
