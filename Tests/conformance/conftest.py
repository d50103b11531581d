"""Fixtures and helpers of the Virtyard conformance suite.

The suite starts the real `virtyard` binary and talks to it with the real clients:
`kubectl` (subprocess) and the official Python `kubernetes` package.

Contract with the binary (see README.md):

    $VIRTYARD_BIN serve --data-dir DIR --kube-listen 127.0.0.1:0 --listen 127.0.0.1:0

writes DIR/endpoints.json ({"kubeAPI": url, "platform": url}), DIR/kubeconfig (admin,
bearer token, context `virtyard`) and DIR/admin-token, answers GET <kubeAPI>/readyz with
200 once it serves, and exits 0 on SIGTERM.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import queue
import random
import re
import shutil
import signal
import ssl
import string
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import pytest
import yaml

import kubernetes
from kubernetes import client as k8s

# The web console's browser fixtures (Playwright with Debian's chromium).
pytest_plugins = ["console_support"]

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]

def _validate_objects_tool() -> Path:
    """The shared schema checker: $VIRTYARD_SHARED_DIR, else shared/ beside the repository,
    else the workplace's /work/shared."""
    candidates = [Path(os.environ["VIRTYARD_SHARED_DIR"])] if os.environ.get("VIRTYARD_SHARED_DIR") else []
    candidates += [REPO_ROOT.parent / "shared", Path("/work/shared")]
    for directory in candidates:
        tool = directory / "tools" / "validate-objects"
        if tool.exists():
            return tool
    return candidates[0] / "tools" / "validate-objects"


# Checks objects against the real projects' schemas (KubeVirt, CDI, CSI snapshots).
VALIDATE_OBJECTS = _validate_objects_tool()


STARTUP_TIMEOUT = float(os.environ.get("VIRTYARD_CONFORMANCE_STARTUP_TIMEOUT", "60"))
SHUTDOWN_TIMEOUT = 20.0
KUBECTL_TIMEOUT = 60.0
LOG_TAIL_LINES = 150

KUBECTL = os.environ.get("KUBECTL") or shutil.which("kubectl") or "/usr/bin/kubectl"

# Content types for PATCH. Always pass one explicitly (`_content_type=`) with the Python
# client: some generated versions pick JSON patch for every body when none is given.
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"


def virtyard_bin() -> Path:
    """The binary under test: $VIRTYARD_BIN, else <repo>/.build/debug/virtyard."""
    raw = os.environ.get("VIRTYARD_BIN")
    if not raw:
        return REPO_ROOT / ".build" / "debug" / "virtyard"
    path = Path(raw).expanduser()
    if path.is_absolute():
        return path
    if (Path.cwd() / path).exists():
        return (Path.cwd() / path).resolve()
    return (REPO_ROOT / path).resolve()


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def rand_suffix(n: int = 5) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=n))


def new_name(prefix: str) -> str:
    """A DNS-1123 name with a random suffix."""
    prefix = re.sub(r"[^a-z0-9-]", "-", prefix.lower()).strip("-")[:40] or "x"
    return f"{prefix}-{rand_suffix()}"


def wait_until(fn: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1,
               message: str = "condition") -> Any:
    """Calls fn until it returns something truthy and returns that; fails after timeout.

    Exceptions raised by fn count as "not yet"; the last one is reported on timeout.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    last_exc: BaseException | None = None
    while True:
        try:
            last = fn()
            last_exc = None
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - reported below
            last_exc = exc
        if time.monotonic() >= deadline:
            detail = f"last exception: {last_exc!r}" if last_exc else f"last value: {last!r}"
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; {detail}")
        time.sleep(interval)


class _QuotingDumper(yaml.SafeDumper):
    """Double-quotes every string: kubectl reads YAML 1.1, where a bare `y` or `n` is a
    boolean, and PyYAML leaves those unquoted."""


_QuotingDumper.add_representer(
    str, lambda dumper, s: dumper.represent_scalar("tag:yaml.org,2002:str", s, style='"'))


def write_manifest(directory: Path, name: str, *docs: Any) -> Path:
    """Writes one or more objects (dicts or YAML text) as a multi-document YAML file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    parts = [d if isinstance(d, str) else yaml.dump(d, Dumper=_QuotingDumper, sort_keys=False)
             for d in docs]
    path.write_text("---\n".join(parts))
    return path


def create_configmap(server: "VirtyardServer", ns: str, name: str, data: dict | None = None,
                     labels: dict | None = None) -> k8s.V1ConfigMap:
    """Set-up through the Python client. (`kubectl create configmap` sends protobuf; it has a
    test of its own in test_kubectl_flows.py, so other tests do not depend on it.)"""
    meta = k8s.V1ObjectMeta(name=name, labels=labels)
    return server.core().create_namespaced_config_map(
        ns, k8s.V1ConfigMap(metadata=meta, data=data if data is not None else {"k": "v"}))


def status_body(exc: k8s.ApiException) -> dict:
    """The `Status` object in an ApiException's body (empty dict if it is not JSON)."""
    try:
        return json.loads(exc.body or "")
    except (TypeError, ValueError):
        return {}


def rv_int(obj: Any) -> int:
    """resourceVersion of an object (model or dict) as an integer.

    Kubernetes says resourceVersions are opaque; Virtyard documents them as monotonic
    integers (DESIGN.md §4), and the suite relies on that to compare them.
    """
    if isinstance(obj, dict):
        return int(obj["metadata"]["resourceVersion"])
    return int(obj.metadata.resource_version)


# --------------------------------------------------------------------------------------
# HTTP without the Kubernetes client (urllib, so the suite needs no `requests`)
# --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.text[:500]!r}>"


def http_request(url: str, method: str = "GET", body: Any = None, token: str | None = None,
                 headers: dict | None = None, timeout: float = 30.0,
                 context: ssl.SSLContext | None = None) -> Response:
    hdrs = {"Accept": "application/json"}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
            return Response(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, dict(err.headers.items()), err.read())


def current_cluster(kubeconfig: dict) -> dict:
    """The `cluster` entry of the kubeconfig's current context."""
    ctx_name = kubeconfig.get("current-context")
    ctx = next(c["context"] for c in kubeconfig["contexts"] if c["name"] == ctx_name)
    return next(c["cluster"] for c in kubeconfig["clusters"] if c["name"] == ctx["cluster"])


def ssl_context_for(cluster: dict, base_dir: Path) -> ssl.SSLContext | None:
    """How to trust the API server the way kubectl does (None for plain http)."""
    if not cluster["server"].startswith("https://"):
        return None
    if cluster.get("insecure-skip-tls-verify"):
        return ssl._create_unverified_context()  # noqa: S323 - what the kubeconfig asks for
    if cluster.get("certificate-authority-data"):
        pem = base64.b64decode(cluster["certificate-authority-data"]).decode()
        return ssl.create_default_context(cadata=pem)
    if cluster.get("certificate-authority"):
        return ssl.create_default_context(cafile=str(base_dir / cluster["certificate-authority"]))
    return ssl.create_default_context()


# --------------------------------------------------------------------------------------
# The server under test
# --------------------------------------------------------------------------------------

_LIVE_SERVERS: list["VirtyardServer"] = []


def _kill_leftovers() -> None:
    for srv in list(_LIVE_SERVERS):
        srv.kill9()


atexit.register(_kill_leftovers)


class VirtyardServer:
    """One `virtyard serve` process on a data directory (which is also its tmpdir)."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / "virtyard-serve.log"
        self.kubeconfig = self.data_dir / "kubeconfig"
        self.cache_dir = self.data_dir / "kube-cache"
        self.endpoints_path = self.data_dir / "endpoints.json"
        self.token_path = self.data_dir / "admin-token"
        self.proc: subprocess.Popen | None = None
        self.kube_api: str = ""
        self.platform: str = ""
        self.token: str = ""
        self.ssl_context: ssl.SSLContext | None = None
        self.starts = 0
        self._api_client: k8s.ApiClient | None = None

    # -- lifecycle --------------------------------------------------------------------

    @property
    def command(self) -> list[str]:
        return [str(virtyard_bin()), "serve", "--data-dir", str(self.data_dir),
                "--kube-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--vcd-listen", "127.0.0.1:0"]

    def start(self) -> "VirtyardServer":
        binary = virtyard_bin()
        if not binary.exists():
            pytest.fail(f"virtyard binary not found at {binary} "
                        "(build it with `swift build` or set VIRTYARD_BIN)", pytrace=False)
        # A restart must not read the previous run's addresses.
        self.endpoints_path.unlink(missing_ok=True)
        self._api_client = None
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("VIRTYARD_") and k != "KUBECONFIG"}
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True)
        _LIVE_SERVERS.append(self)
        try:
            self._wait_ready()
        except BaseException:
            self.kill9()
            raise
        return self

    def _fail_start(self, why: str) -> None:
        pytest.fail(f"virtyard serve did not start: {why}\n"
                    f"--- server log tail ({self.log_path}) ---\n{self.log_tail()}",
                    pytrace=False)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        endpoints = None
        while endpoints is None:
            if self.proc.poll() is not None:
                self._fail_start(f"exited with {self.proc.returncode} before writing endpoints.json")
            if time.monotonic() > deadline:
                self._fail_start(f"no {self.endpoints_path} after {STARTUP_TIMEOUT}s")
            try:
                endpoints = json.loads(self.endpoints_path.read_text())
                if not endpoints.get("kubeAPI") or not endpoints.get("platform"):
                    endpoints = None
            except (FileNotFoundError, ValueError):
                endpoints = None
            if endpoints is None:
                time.sleep(0.05)
        self.kube_api = endpoints["kubeAPI"].rstrip("/")
        self.platform = endpoints["platform"].rstrip("/")

        last = "nothing yet"
        while True:
            if self.proc.poll() is not None:
                self._fail_start(f"exited with {self.proc.returncode} while waiting for /readyz")
            if time.monotonic() > deadline:
                self._fail_start(f"not ready after {STARTUP_TIMEOUT}s: {last}")
            try:
                self.token = self.token_path.read_text().strip()
                kubeconfig = yaml.safe_load(self.kubeconfig.read_text())
                cluster = current_cluster(kubeconfig)
                if cluster["server"].rstrip("/") != self.kube_api:
                    last = (f"kubeconfig server {cluster['server']} is not endpoints.json's "
                            f"kubeAPI {self.kube_api}")
                else:
                    self.ssl_context = ssl_context_for(cluster, self.data_dir)
                    resp = http_request(self.kube_api + "/readyz", token=self.token, timeout=5,
                                        context=self.ssl_context)
                    if resp.status == 200:
                        return
                    last = repr(resp)
            except Exception as exc:  # noqa: BLE001 - retried until the deadline
                last = repr(exc)
            time.sleep(0.1)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT, sig: int = signal.SIGTERM) -> int:
        """SIGTERM (or `sig`), wait; kill -9 after `timeout`. Returns the exit code
        (negative: killed by that signal)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                raise AssertionError(f"virtyard did not exit within {timeout}s of "
                                     f"{signal.Signals(sig).name} (killed with -9)")
        self._forget()
        return self.proc.returncode

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                # Its own session (start_new_session): the group is this server and
                # whatever it started, nothing else.
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._forget()

    def restart(self) -> "VirtyardServer":
        """Starts again on the same data directory (after stop() or kill9())."""
        assert not self.running, "restart() needs a stopped server"
        return self.start()

    def _forget(self) -> None:
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)
        self._api_client = None

    # -- diagnostics ------------------------------------------------------------------

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_tail(self, since: int = 0, lines: int = LOG_TAIL_LINES) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                text = f.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- clients ----------------------------------------------------------------------

    def kubectl(self, *args: str, input: str | None = None, timeout: float = KUBECTL_TIMEOUT,
                check: bool = True) -> subprocess.CompletedProcess:
        return run_kubectl(self, *args, input=input, timeout=timeout, check=check)

    def kubectl_bg(self, *args: str) -> "BackgroundProcess":
        return BackgroundProcess(kubectl_command(self, *args))

    def api(self) -> k8s.ApiClient:
        """An ApiClient configured from the server's kubeconfig (cached until restart)."""
        if self._api_client is None:
            self._api_client = kubernetes.config.new_client_from_config(
                config_file=str(self.kubeconfig), context="virtyard", persist_config=False)
        return self._api_client

    def core(self) -> k8s.CoreV1Api:
        return k8s.CoreV1Api(self.api())

    def custom(self) -> k8s.CustomObjectsApi:
        return k8s.CustomObjectsApi(self.api())

    def apiext(self) -> k8s.ApiextensionsV1Api:
        return k8s.ApiextensionsV1Api(self.api())

    def http(self, method: str, path: str, body: Any = None, token: str | None | bool = True,
             headers: dict | None = None, platform: bool = False,
             timeout: float = 30.0) -> Response:
        """A raw request; token=True means the admin token, None/False means none."""
        base = self.platform if platform else self.kube_api
        tok = self.token if token is True else (token or None)
        # The platform address is plain http by design; if it is https, it is assumed to use
        # the same CA as the Kubernetes API.
        return http_request(base + path, method=method, body=body, token=tok,
                            headers=headers, timeout=timeout,
                            context=self.ssl_context if base.startswith("https://") else None)


def provisioner_attached(srv: VirtyardServer) -> VirtyardServer:
    """Waits until the provisioning API is connected: its routes answer 503 until the
    controllers start on the leader."""
    wait_until(lambda: srv.http("GET", "/api/v1/clusters", platform=True).status == 200, timeout=60,
               message="the provisioning API attached")
    return srv


def kubectl_command(server: VirtyardServer, *args: str) -> list[str]:
    return [KUBECTL, "--kubeconfig", str(server.kubeconfig),
            "--cache-dir", str(server.cache_dir), *args]


def run_kubectl(server: VirtyardServer, *args: str, input: str | None = None,
                timeout: float = KUBECTL_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
    """Runs kubectl against `server`; with check=True a non-zero exit fails the test."""
    cmd = kubectl_command(server, *args)
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"kubectl timed out after {timeout}s: {' '.join(args)}\n"
                             f"stdout: {exc.stdout!r}\nstderr: {exc.stderr!r}") from None
    if check and proc.returncode != 0:
        hint = ""
        if "provide credentials" in proc.stderr and server.kube_api.startswith("http://"):
            hint = ("\nhint: kubectl sends no kubeconfig credentials to an http:// server "
                    "(client-go adds them only over TLS); the API must be served over https")
        raise AssertionError(f"kubectl {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}{hint}")
    return proc


class BackgroundProcess:
    """A process (kubectl wait / get -w) whose stdout lines are collected by a thread."""

    def __init__(self, cmd: list[str]):
        self.cmd = cmd
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True, env=env)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list[str] = []
        self.stderr = ""
        self._out = threading.Thread(target=self._pump, daemon=True)
        self._err = threading.Thread(target=self._pump_err, daemon=True)
        self._out.start()
        self._err.start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _pump_err(self) -> None:
        self.stderr = self.proc.stderr.read()

    def next_line(self, timeout: float) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        self.seen.append(line)
        return line

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            line = self.next_line(min(remaining, 0.5))
            if line is not None and predicate(line):
                return line
            if line is None and self.proc.poll() is not None and self.lines.empty():
                break
        raise AssertionError(f"no matching line from {' '.join(self.cmd[3:])} in {timeout}s; "
                             f"lines: {self.seen!r}; exit: {self.proc.poll()}; "
                             f"stderr: {self.stderr!r}")

    def finish(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """Waits for exit; returns (code, remaining stdout, stderr)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{' '.join(self.cmd[3:])} did not exit within {timeout}s; "
                                 f"lines: {self.seen!r}") from None
        self._out.join(5)
        self._err.join(5)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        self.seen.extend(rest)
        return self.proc.returncode, "\n".join(rest), self.stderr

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


class VirtyardProcess:
    """A `virtyard` command other than the shared server (`apiserver`, `serve --kubeconfig …`)
    on a data directory of its own, logging to `<data>/process.log`; started at once."""

    def __init__(self, args: list[str], data_dir: Path, name: str | None = None):
        self.name = name or data_dir.name
        self.args = args
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "process.log"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Starts (again) on the same data directory."""
        (self.data_dir / "endpoints.json").unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTYARD_") and k != "KUBECONFIG"}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([str(virtyard_bin()), *self.args, "--data-dir", str(self.data_dir)],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True)

    def endpoints(self, timeout: float = 60) -> dict:
        """endpoints.json once written; fails at once if the process exits first."""
        path = self.data_dir / "endpoints.json"

        def ready():
            assert self.proc.poll() is None, f"{self.name} exited {self.proc.returncode}:\n{self.log()[-4000:]}"
            return json.loads(path.read_text()) if path.exists() else None
        return wait_until(ready, timeout=timeout, message=f"{self.name}'s {path}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 25) -> int | None:
        """SIGTERM, then -9 after `timeout`; the exit status (negative: killed by that signal)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.proc.returncode if self.proc else None


def _stop_checked(srv: VirtyardServer) -> None:
    """Teardown: SIGTERM must make the server exit 0 (it is killed -9 otherwise)."""
    if not srv.running:
        srv.kill9()
        return
    code = srv.stop()
    assert code == 0, (f"virtyard serve exited {code} after SIGTERM (want 0)\n"
                       f"--- server log tail ---\n{srv.log_tail(lines=40)}")


Server = TypeVar("Server", bound=VirtyardServer)


@contextmanager
def serving(srv: Server, ready: Callable[[Server], Any] | None = None) -> Iterator[Server]:
    """A fixture's server for the `with` block: started, then `ready(srv)` (a wait until
    what the tests need answers), and stopped at the end, which must exit 0."""
    srv.start()
    try:
        if ready is not None:
            ready(srv)
        yield srv
    finally:
        _stop_checked(srv)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterable[VirtyardServer]:
    """The server most tests share. Tests stay independent through their own namespaces."""
    with serving(VirtyardServer(tmp_path_factory.mktemp("virtyard-session"))) as srv:
        yield srv


@pytest.fixture
def fresh_server(tmp_path) -> Iterable[VirtyardServer]:
    """A server of the test's own, for restart and kill -9."""
    with serving(VirtyardServer(tmp_path / "data")) as srv:
        yield srv


@pytest.fixture
def kubectl(server) -> Callable[..., subprocess.CompletedProcess]:
    """kubectl bound to the session server: kubectl("get", "pods", "-n", ns)."""
    return server.kubectl


@pytest.fixture
def core(server) -> k8s.CoreV1Api:
    return server.core()


@pytest.fixture
def custom(server) -> k8s.CustomObjectsApi:
    return server.custom()


def _create_namespace(srv: VirtyardServer, name: str) -> str:
    srv.core().create_namespace(k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=name)))
    return name


@pytest.fixture
def ns(server, request) -> Iterable[str]:
    """A namespace of the test's own, deleted (without waiting) afterwards."""
    name = new_name("ct-" + request.node.name.removeprefix("test_"))[:63].rstrip("-")
    _create_namespace(server, name)
    yield name
    if server.running:
        try:
            server.core().delete_namespace(name)
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass


# --------------------------------------------------------------------------------------
# The Widget CRD shared by several files (namespaced, status subresource, rich schema)
# --------------------------------------------------------------------------------------

WIDGET_GROUP = "conformance.virtyard.io"
WIDGET_VERSION = "v1"
WIDGET_PLURAL = "widgets"
WIDGET_KIND = "Widget"
WIDGET_SHORT = "wdg"
WIDGET_CATEGORY = "ctest"
WIDGET_CRD_NAME = f"{WIDGET_PLURAL}.{WIDGET_GROUP}"
WIDGET_API_VERSION = f"{WIDGET_GROUP}/{WIDGET_VERSION}"

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": WIDGET_CRD_NAME},
    "spec": {
        "group": WIDGET_GROUP,
        "scope": "Namespaced",
        "names": {
            "plural": WIDGET_PLURAL,
            "singular": "widget",
            "kind": WIDGET_KIND,
            "listKind": "WidgetList",
            "shortNames": [WIDGET_SHORT],
            "categories": [WIDGET_CATEGORY],
        },
        "versions": [{
            "name": WIDGET_VERSION,
            "served": True,
            "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "required": ["spec"],
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["size", "replicas"],
                        "properties": {
                            "size": {"type": "string", "enum": ["small", "medium", "large"]},
                            "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                            "color": {"type": "string", "pattern": "^[a-z]+$"},
                            "owner": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "email": {"type": "string"},
                                },
                            },
                            "ports": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["port"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "port": {"type": "integer", "minimum": 1,
                                                 "maximum": 65535},
                                    },
                                },
                            },
                        },
                    },
                    "status": {
                        "type": "object",
                        "properties": {
                            "phase": {"type": "string"},
                            "observedGeneration": {"type": "integer"},
                            "conditions": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["type", "status"],
                                    "properties": {
                                        "type": {"type": "string"},
                                        "status": {"type": "string"},
                                        "reason": {"type": "string"},
                                        "message": {"type": "string"},
                                        "lastTransitionTime": {"type": "string",
                                                               "format": "date-time"},
                                    },
                                },
                            },
                        },
                    },
                },
            }},
        }],
    },
}


def widget(name: str, **spec: Any) -> dict:
    """A valid Widget manifest; keyword arguments override spec fields."""
    body = {"apiVersion": WIDGET_API_VERSION, "kind": WIDGET_KIND,
            "metadata": {"name": name},
            "spec": {"size": "small", "replicas": 1}}
    body["spec"].update(spec)
    return body


@pytest.fixture(scope="session")
def widget_crd(server, tmp_path_factory) -> dict:
    """Applies the Widget CRD with kubectl and waits until it is Established."""
    path = write_manifest(tmp_path_factory.mktemp("crd"), "widgets-crd.yaml", WIDGET_CRD)
    server.kubectl("apply", "-f", str(path))
    server.kubectl("wait", "--for=condition=Established", "--timeout=30s",
                   f"crd/{WIDGET_CRD_NAME}", timeout=45)
    return WIDGET_CRD


# --------------------------------------------------------------------------------------
# Reporting: on failure, show what the server logged during the test
# --------------------------------------------------------------------------------------


def _servers_of(item) -> list[VirtyardServer]:
    funcargs = getattr(item, "funcargs", {}) or {}
    return [v for v in funcargs.values() if isinstance(v, VirtyardServer)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    servers = _servers_of(item)
    if call.when == "setup":
        item._virtyard_log_offsets = {id(s): s.log_size() for s in servers}
    if report.failed:
        offsets = getattr(item, "_virtyard_log_offsets", {})
        for s in servers:
            since = offsets.get(id(s), 0) if call.when != "setup" else 0
            report.sections.append(
                (f"virtyard serve log ({s.log_path}, during {call.when})",
                 s.log_tail(since=since)))
