"""The web console's shell, as a person and as an attacker meets it: sign-in, the cookie,
headers, CSRF, assets, sign-out. Pages have their own files (test_console_*.py)."""
from __future__ import annotations

import re
import urllib.request

from conftest import http_request
from console_support import assert_accessible, screenshot, wait_live


def test_root_redirects_to_console(server):
    answer = http_request(server.platform + "/", method="GET")
    # urllib follows the redirect: the console's sign-in page answers.
    assert answer.status == 200
    assert "<h1>Sign in</h1>" in answer.text


def test_sign_in_page_is_accessible_and_strict(page, server, console_problems):
    response = page.goto(server.platform + "/ui/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert_accessible(page)
    screenshot(page, "sign-in")


def test_bad_token_is_refused_beside_the_field(page, server):
    page.goto(server.platform + "/ui/login")
    page.get_by_label("Token").fill("not-a-token")
    with page.expect_response(lambda r: r.url.endswith("/ui/login") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    assert page.get_by_text("That token is not valid").is_visible()
    assert page.context.cookies() == [] or all(c["name"] != "vy_ui" for c in page.context.cookies())


def test_admin_signs_in_and_out(console_page, server):
    page = console_page
    assert page.url.endswith("/ui/")
    for name in ["Overview", "Labs", "Images", "Capacity", "Tenancy", "Clusters"]:
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "vy_ui")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert server.token not in cookie["value"]
    assert server.token not in page.content()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/ui/login$"))
    page.goto(server.platform + "/ui/labs")
    assert page.url.endswith("/ui/login")


def test_cross_site_post_without_csrf_token_is_refused(console_page, server, console_problems):
    page = console_page
    console_problems["problems"].expected_statuses.add(403)
    cookie = next(c for c in page.context.cookies() if c["name"] == "vy_ui")
    # The browser's own session cookie, but no CSRF token: what a forged form would send.
    request = urllib.request.Request(
        server.platform + "/ui/logout", method="POST", data=b"",
        headers={"Cookie": f"vy_ui={cookie['value']}", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a POST without the CSRF token was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    # A cross-site POST that carries a token is refused by its origin.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    request = urllib.request.Request(
        server.platform + "/ui/logout", method="POST", data=f"_csrf={token}".encode(),
        headers={"Cookie": f"vy_ui={cookie['value']}", "Origin": "http://attacker.example",
                 "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a cross-site POST was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    # Still signed in: neither request did anything.
    page.goto(server.platform + "/ui/labs")
    assert page.url.endswith("/ui/labs")


def test_assets_are_cached_and_nothing_else_is_served(server):
    page_html = http_request(server.platform + "/ui/login", method="GET").text
    url = re.search(r'src="(/ui/assets/[0-9a-f]+/htmx/htmx\.min\.js)"', page_html).group(1)
    answer = http_request(server.platform + url, method="GET")
    assert answer.status == 200 and "immutable" in answer.headers["Cache-Control"]
    assert http_request(server.platform + url.replace("htmx.min.js", "LICENSE"), method="GET").status == 404
    wrong_hash = re.sub(r"/assets/[0-9a-f]+/", "/assets/000000000000/", url)
    assert http_request(server.platform + wrong_hash, method="GET").status == 404
    assert http_request(server.platform + "/ui/assets/x/../../../etc/passwd", method="GET").status == 404


def _image_figures(page) -> int:
    card = page.locator("#live-overview section", has=page.get_by_role("heading", name="Images"))
    return sum(int(v) for v in card.locator("dd").all_inner_texts())


def test_overview_counts_and_updates_live(console_page, server, ns, tmp_path):
    from conftest import write_manifest
    page = console_page
    assert page.get_by_role("heading", name="Lab pool").is_visible()
    assert_accessible(page)
    screenshot(page, "overview")
    wait_live(page)
    before = _image_figures(page)
    manifest = write_manifest(tmp_path, "image.yaml", {
        "apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
        "metadata": {"name": "overview-probe", "namespace": ns},
        "spec": {"storageClass": "standard", "snapshotClass": "standard", "secretRef": "none",
                 "diskSize": "1Gi", "sourceType": "http", "url": "http://127.0.0.1:9/none.img"}})
    server.kubectl("apply", "-f", str(manifest))
    # The new image arrives over Server-Sent Events: no reload.
    page.wait_for_function(
        "n => [...document.querySelectorAll('#live-overview section')].filter(s => s.querySelector('h2')?.textContent.includes('Images'))"
        ".flatMap(s => [...s.querySelectorAll('dd')]).reduce((a, d) => a + Number(d.textContent), 0) > n", arg=before,
        timeout=15_000)
    assert _image_figures(page) == before + 1
