"""The console's Images page (/ui/images), as a person uses it: VMDiskImages with their phase,
queue position and a progress bar that moves live; the "Add an image" form, whose server-side
validation errors (the CRD's schema, through the Kubernetes API) appear beside the fields;
and the sync policy, shown and edited with ImageSync's own validation.

The image bytes come from a local HTTP server (flaky_http, as test_image_sync.py uses), with a
bandwidth cap so the sync takes a moment and the bar is seen moving before it reaches 100.
"""
from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request

import pytest

from conftest import new_name
from console_support import expect_status, assert_accessible, screenshot, wait_live
from flaky_http import FlakyHTTPServer

MI = 1 << 20
POLICY_NS = "virtyard-system"
POLICY_NAME = "sync-operator-policy"


@pytest.fixture
def ns(server, request):
    """A namespace of the test's own. Made with plain requests: a pooled Kubernetes client
    connection left open next to a console session holds up the shared server's shutdown."""
    name = new_name("ci-" + request.node.name.removeprefix("test_"))[:63].rstrip("-")
    answer = server.http("POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    assert answer.status == 201, answer
    yield name
    if server.running:
        server.http("DELETE", f"/api/v1/namespaces/{name}")


def images_in(server, ns: str) -> list[dict]:
    answer = server.http("GET", f"/apis/crd.pelotech.ot/v1alpha1/namespaces/{ns}/vmdiskimages")
    assert answer.status == 200, answer
    return answer.json()["items"]


@pytest.fixture
def blob_server():
    with FlakyHTTPServer(bandwidth=2 * MI) as http:
        yield http


def open_images(page, server) -> None:
    page.goto(server.platform + "/ui/images")
    page.get_by_role("heading", name="Disk images").wait_for()


def fill_image_form(page, **values: str) -> None:
    labels = {"name": "Name", "namespace": "Namespace", "url": "Source URL", "diskSize": "Disk size",
              "checksum": "Checksum (optional)"}
    for key, value in values.items():
        if key == "sourceType":
            page.get_by_label("Source type").select_option(value)
        else:
            page.get_by_label(labels[key], exact=True).fill(value)


def test_add_an_image_and_watch_its_progress_bar_reach_100(console_page, server, ns, blob_server):
    page = console_page
    data = os.urandom(6 * MI)
    blob_server.add_blob("/disks/console.img", data)
    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    open_images(page, server)
    wait_live(page)
    fill_image_form(page, name="console-disk", namespace=ns, sourceType="http",
                    url=blob_server.url("/disks/console.img"), diskSize="64Mi", checksum=checksum)
    with page.expect_response(lambda r: r.url.endswith("/ui/images") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add image").click()
    assert answer.value.status == 200
    page.get_by_role("status").filter(has_text=f"Added {ns}/console-disk").wait_for()

    # The row arrives over the live stream (no reload), then its bar moves to 100.
    row = page.locator(f'tr[data-image="{ns}/console-disk"]')
    bar = row.get_by_role("progressbar", name=f"Sync progress of {ns}/console-disk")
    bar.wait_for(timeout=15_000)
    page.wait_for_function(
        """([selector]) => {
            const bar = document.querySelector(selector);
            if (!bar) return false;
            (window.__seen = window.__seen || new Set()).add(bar.getAttribute('aria-valuenow'));
            return bar.getAttribute('aria-valuenow') === '100';
        }""",
        arg=[f'tr[data-image="{ns}/console-disk"] [role=progressbar]'], timeout=90_000, polling=100)
    seen = set(page.evaluate("Array.from(window.__seen)"))
    assert "100" in seen
    assert any(v not in ("0", "100") for v in seen) or len(seen) > 1, seen  # it moved, live
    row.get_by_text("Ready", exact=True).wait_for(timeout=30_000)
    assert row.locator(".progress-text").inner_text() == "100 %"
    # What the page says is what the API says.
    image = next(i for i in images_in(server, ns) if i["metadata"]["name"] == "console-disk")
    assert image["status"]["phase"] == "Ready"
    assert image["spec"]["checksum"] == checksum
    assert int(bar.get_attribute("aria-valuenow")) == 100
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")  # the screenshot shows the top of the page
    screenshot(page, "images")


def test_bad_values_show_the_servers_errors_beside_the_fields(console_page, server, ns, console_problems):
    page = console_page
    expect_status(console_problems, 422)
    open_images(page, server)
    fill_image_form(page, name="Bad_Name", namespace=ns, sourceType="http", url="http://127.0.0.1:9/x.img",
                    diskSize="lots", checksum="md5:1234")
    with page.expect_response(lambda r: r.url.endswith("/ui/images") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add image").click()
    assert answer.value.status == 422
    # The CRD's schema, as the Kubernetes API reports it, beside each field it names.
    checksum_error = page.locator("#image-checksum-error")
    checksum_error.wait_for()
    assert "sha256" in checksum_error.inner_text()
    assert "spec.diskSize" in page.locator("#image-diskSize-error").inner_text()
    checksum = page.get_by_label("Checksum (optional)")
    assert checksum.get_attribute("aria-invalid") == "true"
    assert "image-checksum-error" in checksum.get_attribute("aria-describedby")
    assert checksum.input_value() == "md5:1234"  # what was typed stays
    assert_accessible(page)

    # Once those are fixed, the name is next (the API checks it after the schema).
    fill_image_form(page, diskSize="1Gi", checksum="")
    page.get_by_role("button", name="Add image").click()
    page.locator("#image-name-error").filter(has_text="RFC 1123").wait_for()

    # A namespace that does not exist, and a URL that does not suit its source type.
    fill_image_form(page, name="good-name", namespace="no-such-namespace-here")
    page.get_by_role("button", name="Add image").click()
    page.locator("#image-namespace-error").filter(has_text="no namespace no-such-namespace-here").wait_for()
    fill_image_form(page, namespace=ns, url="ftp://example/x.img")
    page.get_by_role("button", name="Add image").click()
    page.locator("#image-url-error").filter(has_text="http://").wait_for()
    assert images_in(server, ns) == []  # none of it created anything


POLICY_PATH = f"/api/v1/namespaces/{POLICY_NS}/configmaps/{POLICY_NAME}"


def policy_configmap(server) -> dict | None:
    answer = server.http("GET", POLICY_PATH)
    if answer.status == 404:
        return None
    assert answer.status == 200, answer
    return answer.json()


def test_the_sync_policy_is_shown_and_edited_with_validation(console_page, server, console_problems):
    page = console_page
    expect_status(console_problems, 422)
    before = policy_configmap(server)
    try:
        open_images(page, server)
        assert "concurrency=" in page.locator("#policy-form code").first.inner_text()
        concurrency = page.get_by_label("concurrency", exact=True)
        assert concurrency.input_value() != ""

        concurrency.fill("lots")
        page.get_by_label("retryBackoffDuration").fill("10")
        with page.expect_response(lambda r: r.url.endswith("/ui/images/policy")) as answer:
            page.get_by_role("button", name="Save policy").click()
        assert answer.value.status == 422
        page.locator("#policy-concurrency-error").filter(has_text="whole number").wait_for()
        assert "Go duration" in page.locator("#policy-retryBackoffDuration-error").inner_text()
        assert (policy_configmap(server) or {}).get("data") == (before or {}).get("data")  # nothing written

        page.get_by_label("concurrency", exact=True).fill("7")
        page.get_by_label("retryBackoffDuration").fill("45s")
        with page.expect_response(lambda r: r.url.endswith("/ui/images/policy")) as answer:
            page.get_by_role("button", name="Save policy").click()
        assert answer.value.status == 200
        page.get_by_role("status").filter(has_text="Saved").wait_for()
        stored = policy_configmap(server)
        assert stored["data"]["concurrency"] == "7"
        assert stored["data"]["retryBackoffDuration"] == "45s"
        assert "concurrency=7" in page.locator("#policy-form code").first.inner_text()
    finally:
        # The policy is global: put back what was there.
        current = policy_configmap(server)
        if before is None and current is not None:
            assert server.http("DELETE", POLICY_PATH).status == 200
        elif before is not None:
            data = {key: None for key in (current or {}).get("data") or {}}  # null removes a key
            data.update(before.get("data") or {})
            answer = server.http("PATCH", POLICY_PATH, body={"data": data},
                                 headers={"Content-Type": "application/merge-patch+json"})
            assert answer.status == 200, answer


def test_a_post_without_the_csrf_token_is_refused(console_page, server, ns, console_problems):
    page = console_page
    expect_status(console_problems, 403)
    cookie = next(c for c in page.context.cookies() if c["name"] == "vy_ui")
    body = f"name=forged&namespace={ns}&sourceType=http&url=http://x/y&diskSize=1Gi".encode()
    request = urllib.request.Request(
        server.platform + "/ui/images", method="POST", data=body,
        headers={"Cookie": f"vy_ui={cookie['value']}", "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403
    assert images_in(server, ns) == []


def test_the_images_page_needs_the_admin(page, server):
    # Signed out: sent to sign in, never shown the images.
    page.goto(server.platform + "/ui/images")
    assert page.url.endswith("/ui/login")
