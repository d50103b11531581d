"""Fixtures for the web console's browser tests (Playwright with Debian's chromium).

One browser per test session (pytest-playwright's `browser`, launched with
/usr/bin/chromium: Playwright's own browser download is not reachable here); each test gets
a fresh browser context. `console_page` is a page signed in as the admin on the shared
server, and it fails the test on any console error, uncaught page error, failed request or
unexpected HTTP error answer, so every flow also proves the page is clean.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterable

import pytest

CHROMIUM = os.environ.get("VIRTYARD_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-dev-shm-usage"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP}


class PageProblems:
    """What went wrong on a page: console errors, page errors, failed requests, HTTP errors.
    A test that provokes an error on purpose lists the status in `expected_statuses`."""

    def __init__(self, page) -> None:
        self.messages: list[str] = []
        self.expected_statuses: set[int] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.messages.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # The browser logs every error answer as a console error too; one the test provoked on
        # purpose (listed in expected_statuses) is not a problem.
        if message.text.startswith("Failed to load resource") and any(
                f"status of {status} " in message.text for status in self.expected_statuses):
            return
        self.messages.append(f"console error: {message.text}")

    def _failed(self, request) -> None:
        failure = request.failure or ""
        # Leaving a page aborts its event stream and pending fetches: not a problem.
        if "ERR_ABORTED" in failure or request.url.split("?")[0].endswith("/ui/events"):
            return
        self.messages.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.messages.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        # The browser logs a failed response as a console error too; report each once.
        assert not self.messages, "problems on the page:\n" + "\n".join(self.messages)


def expect_status(console_problems: dict, *statuses: int) -> None:
    """Marks answers with these statuses as provoked on purpose by the test."""
    console_problems["problems"].expected_statuses.update(statuses)


def sign_in(page, base: str, token: str) -> None:
    page.goto(base + "/ui/login")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def console_problems() -> dict:
    return {}


@pytest.fixture
def console_page(page, server, console_problems) -> Iterable:
    """A page signed in as the admin on the shared server; fails the test if the page had
    problems (see `PageProblems`)."""
    problems = PageProblems(page)
    console_problems["problems"] = problems
    sign_in(page, server.platform, server.token)
    yield page
    problems.assert_clean()


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {violation.get('help')} at {targets}")
    return found


def assert_accessible(page) -> None:
    found = serious_accessibility_violations(page)
    assert not found, "accessibility violations:\n" + "\n".join(found)


def screenshot(page, name: str) -> None:
    """Writes docs/console/<name>.png at desktop size and <name>-phone.png at phone width
    (used by docs/console.md), then puts the viewport back."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=False)
    page.set_viewport_size(DESKTOP)


def open_live(page, url: str) -> None:
    """Opens a console page and waits until its live updates flow."""
    page.goto(url)
    wait_live(page)


def wait_live(page, timeout: float = 10_000) -> None:
    """Waits until the page's Server-Sent Events stream is open."""
    # A function, not an expression string: Playwright polls an expression with eval, which the
    # console's Content-Security-Policy forbids.
    page.wait_for_function("() => document.body.getAttribute('data-live-state') === 'open'", timeout=timeout)
