"""ServiceAccounts as a kubeadm cluster has them: a `default` ServiceAccount and a
`kube-root-ca.crt` ConfigMap in every namespace (put back when deleted), and tokens from the
TokenRequest API (`kubectl create token`) that act as the account, under RBAC; tokens that
are garbage, expired, tampered with, or of a deleted account get 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import yaml

from conftest import current_cluster, wait_until


def sa_kubectl(server, token: str, *args: str, check: bool = False):
    return server.kubectl(f"--token={token}", *args, check=check)


def create_token(server, ns: str, name: str = "default", *extra: str) -> str:
    token = server.kubectl("create", "token", name, "-n", ns, *extra).stdout.strip()
    assert token.count(".") == 2, token
    return token


def test_every_namespace_has_a_default_service_account(server, ns):
    def exists():
        proc = server.kubectl("get", "sa", "default", "-n", ns, "-o", "json", check=False)
        return json.loads(proc.stdout) if proc.returncode == 0 else None
    account = wait_until(exists)
    assert account["metadata"]["uid"]
    # Deleted, it comes back (with a new uid).
    server.kubectl("delete", "sa", "default", "-n", ns)
    again = wait_until(lambda: (a := exists()) and a["metadata"]["uid"] != account["metadata"]["uid"] and a)
    assert again["metadata"]["name"] == "default"


def test_every_namespace_has_the_root_ca_config_map(server, ns):
    kubeconfig = yaml.safe_load(server.kubeconfig.read_text())
    cluster = current_cluster(kubeconfig)
    if "certificate-authority-data" in cluster:
        ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
    else:
        path = cluster["certificate-authority"]
        ca = (server.kubeconfig.parent / path).read_text() if not path.startswith("/") else open(path).read()

    def data():
        proc = server.kubectl("get", "cm", "kube-root-ca.crt", "-n", ns, "-o", "json", check=False)
        return json.loads(proc.stdout)["data"] if proc.returncode == 0 else None
    assert wait_until(data) == {"ca.crt": ca}
    server.kubectl("delete", "cm", "kube-root-ca.crt", "-n", ns)
    assert wait_until(data) == {"ca.crt": ca}
    server.kubectl("patch", "cm", "kube-root-ca.crt", "-n", ns, "--type=merge", "-p", '{"data":{"ca.crt":"x"}}')
    restored = wait_until(lambda: (d := data()) and d["ca.crt"] != "x" and d)
    assert restored == {"ca.crt": ca}


def test_a_token_acts_as_its_service_account_under_rbac(server, ns):
    wait_until(lambda: server.kubectl("get", "sa", "default", "-n", ns, check=False).returncode == 0)
    token = create_token(server, ns)
    user = f"system:serviceaccount:{ns}:default"

    proc = sa_kubectl(server, token, "get", "pods", "-n", ns)
    assert proc.returncode != 0
    assert (f'Error from server (Forbidden): pods is forbidden: User "{user}" cannot list resource '
            f'"pods" in API group "" in the namespace "{ns}"') in proc.stderr, proc.stderr

    server.kubectl("create", "rolebinding", "default-view", "--clusterrole=view",
                   f"--serviceaccount={ns}:default", "-n", ns)
    assert sa_kubectl(server, token, "get", "pods", "-n", ns).returncode == 0
    # view reads, it does not write, and it stays in its namespace.
    assert sa_kubectl(server, token, "create", "configmap", "x", "-n", ns).returncode != 0
    assert sa_kubectl(server, token, "get", "pods", "-n", "default").returncode != 0
    whoami = sa_kubectl(server, token, "auth", "whoami", "-o", "json", check=True)
    info = json.loads(whoami.stdout)["status"]["userInfo"]
    assert info["username"] == user
    assert set(info["groups"]) == {"system:serviceaccounts", f"system:serviceaccounts:{ns}",
                                   "system:authenticated"}


def test_the_token_request_response_is_kubes(server, ns):
    server.kubectl("create", "sa", "robot", "-n", ns)
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": {"expirationSeconds": 1200}}
    resp = server.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/robot/token", body=body)
    assert resp.status == 201, resp
    got = resp.json()
    assert got["kind"] == "TokenRequest" and got["apiVersion"] == "authentication.k8s.io/v1"
    assert got["spec"]["expirationSeconds"] == 1200
    assert got["status"]["token"].count(".") == 2
    assert got["status"]["expirationTimestamp"].endswith("Z")

    short = server.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/robot/token",
                        body={**body, "spec": {"expirationSeconds": 60}})
    assert short.status == 422, short
    assert "may not specify a duration less than 10 minutes" in short.json()["message"]
    wrong = server.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/robot/token",
                        body={**body, "spec": {"expirationSeconds": "soon"}})
    assert wrong.status == 400, wrong
    for hostile in [b"not json", b"[]", b""]:
        resp = server.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/robot/token", body=hostile)
        assert resp.status in (400, 415), (hostile, resp)
    missing = server.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/nobody/token", body=body)
    assert missing.status == 404, missing
    assert missing.json()["message"] == 'serviceaccounts "nobody" not found'

    resources = server.http("GET", "/api/v1").json()["resources"]
    entry = next(r for r in resources if r["name"] == "serviceaccounts/token")
    assert entry["kind"] == "TokenRequest" and entry["verbs"] == ["create"]


def test_bad_tokens_get_401(server, ns):
    server.kubectl("create", "sa", "robot", "-n", ns)
    token = create_token(server, ns, "robot")
    header, claims, signature = token.split(".")
    assert server.http("GET", "/api/v1/namespaces", token=token).status == 403

    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded["exp"] = decoded["exp"] + 10**6
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
    for bad in ["garbage", "a.b.c", "..", f"{header}.{claims}", f"{header}.{claims}.{flipped}",
                f"{header}.{forged}.{signature}", token + "x", "x" * 10000]:
        resp = server.http("GET", "/api/v1/namespaces", token=bad)
        assert resp.status == 401, (bad[:40], resp)

    # The account deleted: its token stops working, even after an account of the same name returns.
    server.kubectl("delete", "sa", "robot", "-n", ns)
    assert server.http("GET", "/api/v1/namespaces", token=token).status == 401
    server.kubectl("create", "sa", "robot", "-n", ns)
    assert server.http("GET", "/api/v1/namespaces", token=token).status == 401
    assert server.http("GET", "/api/v1/namespaces", token=create_token(server, ns, "robot")).status == 403


def sign(key: bytes, claims: dict) -> str:
    """A token as the server signs them (HS256), for claims of the test's choosing."""
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = part(json.dumps(claims).encode())
    mac = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{part(mac)}"


def test_tokens_survive_a_restart_and_expire(fresh_server):
    srv = fresh_server
    srv.kubectl("create", "ns", "keep")
    srv.kubectl("create", "sa", "robot", "-n", "keep")
    token = create_token(srv, "keep", "robot")
    assert srv.http("GET", "/api/v1/namespaces", token=token).status == 403
    srv.stop()
    srv.restart()
    assert srv.http("GET", "/api/v1/namespaces", token=token).status == 403

    # The signing key is the owner's alone; with it, a token whose lifetime is over.
    key_path = srv.data_dir / "sa-signing.key"
    assert key_path.stat().st_mode & 0o777 == 0o600
    key = key_path.read_bytes()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)))
    assert srv.http("GET", "/api/v1/namespaces", token=sign(key, claims)).status == 403
    now = int(time.time())
    expired = {**claims, "iat": now - 4000, "nbf": now - 4000, "exp": now - 400}
    assert srv.http("GET", "/api/v1/namespaces", token=sign(key, expired)).status == 401
