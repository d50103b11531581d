"""The lab session's browser terminal (issue 16, "The terminal"): `serve --lab-terminals` gives
each running session a sandboxed shell (bubblewrap) with kubectl for the session's virtual
cluster, on a WebSocket to xterm.js. As a person uses it (type, read the xterm buffer, create
a ConfigMap, reconnect, end the session) and as an attacker meets it (a foreign Origin, no
cookie, another session's browser; a read-only system, a process limit)."""
from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import time
import urllib.parse
from typing import Iterable

import pytest

from conftest import KUBECTL, http_request
from console_support import PageProblems, assert_accessible, screenshot, sign_in
from test_lab_pool import LabServer

# Generous: a debug build on two cores, a browser, a shell and kubectl.
SHELL_TIMEOUT = 30_000


class TerminalServer(LabServer):
    """`virtyard serve --lab-terminals` with a small lab pool."""

    @property
    def command(self) -> list[str]:
        return super().command + ["--lab-terminals"]


@pytest.fixture(scope="module")
def terminals(tmp_path_factory) -> Iterable[TerminalServer]:
    srv = TerminalServer(tmp_path_factory.mktemp("virtyard-terminals"),
                         ["--lab-pool-size", "2", "--sim-snapshot-duration", "200ms",
                          "--sim-restore-duration", "200ms"])
    with srv.serving():
        yield srv


@pytest.fixture
def lab_session(terminals) -> Iterable[dict]:
    """A running session (with its token and kubeconfig), ended afterwards."""
    started = terminals.start_session(user="terminal-test")
    session = terminals.wait_running(started["sessionId"])
    yield session
    terminals.lab("DELETE", f"/api/v1/sessions/{session['id']}")


def buffer_text(page) -> str:
    """Every line of the xterm buffer, as the terminal shows it."""
    return page.evaluate("""() => {
        const term = window.virtyardTerminal;
        const buffer = term.buffer.active || term.buffer;
        const lines = [];
        for (let i = 0; i < buffer.length; i++) {
            const line = buffer.getLine(i);
            if (line) lines.push(line.translateToString(true));
        }
        return lines.join("\\n");
    }""")


def wait_for_output(page, pattern: str, timeout: float = SHELL_TIMEOUT) -> str:
    page.wait_for_function(
        """(pattern) => {
            const term = window.virtyardTerminal;
            if (!term) return false;
            const buffer = term.buffer.active || term.buffer;
            for (let i = 0; i < buffer.length; i++) {
                const line = buffer.getLine(i);
                if (line && new RegExp(pattern).test(line.translateToString(true))) return true;
            }
            return false;
        }""", arg=pattern, timeout=timeout)
    return buffer_text(page)


def run_in_terminal(page, command: str) -> None:
    page.get_by_label("Terminal input").focus()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def open_terminal(page, srv: TerminalServer, session: dict) -> None:
    sign_in(page, srv.platform, session["token"])
    page.goto(f"{srv.platform}/ui/labs/sessions/{session['id']}")
    page.wait_for_selector("#terminal[data-state=open]", timeout=SHELL_TIMEOUT)
    wait_for_output(page, r"lab:~\$")


def upgrade_status(base: str, path: str, origin: str | None, cookie: str | None) -> int:
    """The HTTP status of a WebSocket upgrade request (101 when it is accepted)."""
    url = urllib.parse.urlparse(base)
    lines = [f"GET {path} HTTP/1.1", f"Host: {url.netloc}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}", "Sec-WebSocket-Version: 13"]
    if origin:
        lines.append(f"Origin: {origin}")
    if cookie:
        lines.append(f"Cookie: vy_ui={cookie}")
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = connection.recv(4096).decode(errors="replace")
    return int(answer.split(" ", 2)[1])


def console_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "vy_ui")


def test_kubectl_in_the_terminal_reaches_the_sessions_cluster(page, terminals, lab_session, tmp_path):
    problems = PageProblems(page)
    open_terminal(page, terminals, lab_session)

    run_in_terminal(page, "kubectl get nodes")
    text = wait_for_output(page, r"\bReady\b")
    assert re.search(r"NAME\s+STATUS", text), text

    run_in_terminal(page, "kubectl create configmap demo --from-literal=made=in-the-terminal")
    wait_for_output(page, r"configmap/demo created")
    # The ConfigMap is in the session's own virtual cluster, as kubectl outside sees it.
    kubeconfig = tmp_path / "session-kubeconfig"
    kubeconfig.write_text(lab_session["kubeconfig"])
    outside = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "get", "configmap", "demo",
                              "-o", "jsonpath={.data.made}"], capture_output=True, text=True, timeout=60)
    assert outside.returncode == 0 and outside.stdout == "in-the-terminal", outside
    # ... and not in the platform's own cluster.
    platform = terminals.kubectl("get", "configmap", "demo", "-n", "default", check=False)
    assert platform.returncode != 0

    assert_accessible(page)
    screenshot(page, "lab-terminal")
    problems.assert_clean()


def test_the_sandbox_is_read_only_and_bounded(page, terminals, lab_session):
    problems = PageProblems(page)
    open_terminal(page, terminals, lab_session)
    run_in_terminal(page, "id -un; touch /usr/x; ls /etc/shadow; ulimit -u; echo limits-$((6*7))")
    text = wait_for_output(page, r"^limits-42$")
    assert re.search(r"^lab$", text, re.M), text
    assert "touch: cannot touch '/usr/x': Read-only file system" in text, text
    assert "cannot access '/etc/shadow'" in text, text
    assert re.search(r"^128$", text, re.M), text
    # A fork bomb runs into the process limit instead of the host's.
    run_in_terminal(page, "sh -c 'n=0; while [ $n -lt 400 ]; do sleep 120 & n=$((n+1)); done'; "
                          "pkill -KILL -x sleep; echo bomb-$((2*21))")
    text = wait_for_output(page, r"^bomb-42$")
    assert "Cannot fork" in text, text
    # The shell's terminal is the size xterm.js shows, and follows it when the window changes.
    size = page.evaluate("[window.virtyardTerminal.rows, window.virtyardTerminal.cols]")
    run_in_terminal(page, "echo size-$(stty size | tr ' ' x)")
    wait_for_output(page, rf"^size-{size[0]}x{size[1]}$")
    page.set_viewport_size({"width": 390, "height": 844})
    # A function, not an expression string: Playwright polls an expression with eval, which the
    # console's Content-Security-Policy forbids.
    page.wait_for_function("(limit) => window.virtyardTerminal.cols < limit", arg=int(size[1]))
    narrow = page.evaluate("[window.virtyardTerminal.rows, window.virtyardTerminal.cols]")
    run_in_terminal(page, "echo size-$(stty size | tr ' ' x)")
    wait_for_output(page, rf"^size-{narrow[0]}x{narrow[1]}$")
    page.set_viewport_size({"width": 1280, "height": 800})
    # Home and /tmp are writable (and private).
    run_in_terminal(page, "echo kept > ~/note && echo kept > /tmp/note && cat ~/note /tmp/note | wc -l")
    wait_for_output(page, r"^2$")
    problems.assert_clean()


def test_a_reconnect_gets_the_same_shell_and_its_scrollback(page, terminals, lab_session):
    problems = PageProblems(page)
    open_terminal(page, terminals, lab_session)
    run_in_terminal(page, "export MARK=remembered-$((40+2)); echo before-reload")
    wait_for_output(page, r"^before-reload$")
    page.reload()
    page.wait_for_selector("#terminal[data-state=open]", timeout=SHELL_TIMEOUT)
    # The scrollback is replayed, and the shell is the same one (its variable is still set).
    wait_for_output(page, r"^before-reload$")
    run_in_terminal(page, "echo $MARK")
    wait_for_output(page, r"^remembered-42$")
    problems.assert_clean()


def test_ending_the_session_closes_the_terminal(page, terminals):
    problems = PageProblems(page)
    session = terminals.wait_running(terminals.start_session(user="terminal-end")["sessionId"])
    # Signed in as the admin: the session's own browser is signed out when it ends.
    sign_in(page, terminals.platform, terminals.token)
    page.goto(f"{terminals.platform}/ui/labs/sessions/{session['id']}")
    page.wait_for_selector("#terminal[data-state=open]", timeout=SHELL_TIMEOUT)
    wait_for_output(page, r"lab:~\$")
    assert terminals.lab("DELETE", f"/api/v1/sessions/{session['id']}").status == 200
    page.wait_for_selector("#terminal[data-state=closed]", timeout=SHELL_TIMEOUT)
    assert "The lab session ended." in page.locator("#terminal-status").inner_text()
    problems.assert_clean()


def test_a_foreign_origin_or_no_session_cannot_open_the_terminal(page, terminals, lab_session, tmp_path):
    sign_in(page, terminals.platform, lab_session["token"])
    cookie = console_cookie(page)
    path = f"/ui/labs/sessions/{lab_session['id']}/terminal"
    own = terminals.platform
    # The console's own page may (the control that makes the refusals mean something).
    assert upgrade_status(own, path, origin=own, cookie=cookie) == 101
    assert upgrade_status(own, path, origin="http://attacker.example", cookie=cookie) != 101
    assert upgrade_status(own, path, origin=None, cookie=cookie) != 101
    assert upgrade_status(own, path, origin=own, cookie=None) != 101
    assert upgrade_status(own, path, origin=own, cookie="x" * 43) != 101
    # This session's browser may not open another session's terminal.
    other = terminals.wait_running(terminals.start_session(user="terminal-other")["sessionId"])
    try:
        assert upgrade_status(own, f"/ui/labs/sessions/{other['id']}/terminal", origin=own, cookie=cookie) != 101
    finally:
        terminals.lab("DELETE", f"/api/v1/sessions/{other['id']}")


def open_vm_console(srv: TerminalServer, namespace: str, name: str, token: str):
    """KubeVirt's console subresource on the embedded API, opened the way `virtctl console`
    opens it (a WebSocket speaking `plain.kubevirt.io`)."""
    import websocket
    url = (srv.kube_api.replace("https://", "wss://", 1)
           + f"/apis/subresources.kubevirt.io/v1/namespaces/{namespace}/virtualmachineinstances/{name}/console")
    return websocket.create_connection(url, header=[f"Authorization: Bearer {token}"],
                                       subprotocols=["plain.kubevirt.io"],
                                       sslopt={"ca_certs": str(srv.data_dir / "ca.crt")}, timeout=30)


def read_console(connection, wanted: bytes, limit: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit
    while wanted not in seen and time.monotonic() < deadline:
        frame = connection.recv()
        seen += frame if isinstance(frame, bytes) else frame.encode()
    return seen


def test_the_terminal_is_the_control_plane_vms_kubevirt_console(terminals, lab_session):
    """One code path for both modes: what the browser's terminal shows is the serial console of
    the session's control-plane VM, which any KubeVirt client can open on the cluster's API."""
    import websocket
    cluster = lab_session["assignedCluster"]
    console = open_vm_console(terminals, cluster, f"cp-{cluster}", terminals.token)
    try:
        assert console.subprotocol == "plain.kubevirt.io"
        console.send_binary(b"echo console-$((6*7)) && kubectl get nodes -o name | wc -l\n")
        seen = read_console(console, b"console-42")
        assert b"console-42" in seen, seen
    finally:
        console.close()
    # Another VM of the cluster has no console here: the server says why, then closes.
    worker = open_vm_console(terminals, cluster, f"wk-{cluster}", terminals.token)
    try:
        message = json.loads(worker.recv())
        assert "has no serial console" in message["closed"], message
    finally:
        worker.close()
    # A lab session's token is not a token of the cluster's API; neither is a made-up one. The
    # upgrade is refused before any socket exists (400: the WebSocket layer gives no reason).
    for token in (lab_session["token"], "not-a-token"):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            open_vm_console(terminals, cluster, f"cp-{cluster}", token)
        assert refused.value.status_code == 400


def test_the_vm_console_needs_its_rbac_rule(terminals, lab_session):
    """`get` on `virtualmachineinstances/console` in `subresources.kubevirt.io`, as KubeVirt's
    own roles grant it: a ServiceAccount without the rule is refused, with it admitted."""
    import websocket
    cluster = lab_session["assignedCluster"]
    terminals.kubectl("create", "serviceaccount", "console-user", "-n", cluster)
    token = terminals.kubectl("create", "token", "console-user", "-n", cluster).stdout.strip()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_vm_console(terminals, cluster, f"cp-{cluster}", token)
    assert refused.value.status_code == 400
    # Reading the VMI is not enough; the console is a subresource of its own.
    terminals.kubectl("create", "role", "vmi-reader", "-n", cluster, "--verb=get",
                      "--resource=virtualmachineinstances.kubevirt.io")
    terminals.kubectl("create", "rolebinding", "vmi-reader", "-n", cluster, "--role=vmi-reader",
                      f"--serviceaccount={cluster}:console-user")
    with pytest.raises(websocket.WebSocketBadStatusException):
        open_vm_console(terminals, cluster, f"cp-{cluster}", token)
    terminals.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "vm-console", "namespace": cluster},
        "rules": [{"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachineinstances/console"],
                   "verbs": ["get"]}]}))
    terminals.kubectl("create", "rolebinding", "vm-console", "-n", cluster, "--role=vm-console",
                      f"--serviceaccount={cluster}:console-user")
    console = open_vm_console(terminals, cluster, f"cp-{cluster}", token)
    try:
        console.send_binary(b"echo allowed-$((40+2))\n")
        assert b"allowed-42" in read_console(console, b"allowed-42")
    finally:
        console.close()


def test_without_the_flag_there_is_no_terminal_route(server):
    answer = http_request(server.platform + "/ui/labs/sessions/anything/terminal", method="GET")
    assert answer.status == 404
    assert upgrade_status(server.platform, "/ui/labs/sessions/anything/terminal",
                          origin=server.platform, cookie=None) == 404


def test_serve_refuses_terminals_without_bwrap(tmp_path):
    srv = TerminalServer(tmp_path / "data", [])
    # PATH without bwrap (the binary itself is named by its full path).
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTYARD_")}
    env["PATH"] = str(tmp_path / "empty")
    proc = subprocess.run(srv.command, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode != 0
    assert "--lab-terminals needs bubblewrap (`bwrap`) on PATH" in proc.stderr, proc.stderr
    assert not (tmp_path / "data" / "endpoints.json").exists()
