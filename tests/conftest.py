"""Shared fixtures: the app server plus Chromium for browser tests.

Browser tests (marker ``browser``) need Debian's ``chromium``; without it they are skipped with
the reason, unless ``PACTS_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs it) makes
that a failure. Figures measured by the tests (session memory, load times) are collected in
``REPORT`` and printed at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPORT: list[str] = []
BROWSER_OUT = Path(__file__).resolve().parents[1] / "out" / "browser-tests"


def pytest_terminal_summary(terminalreporter) -> None:
    if REPORT:
        terminalreporter.section("measured by the tests")
        for line in REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (Playwright, sync API) for the whole test session."""
    from experiments.bench.browser import chromium_path, launch_chromium

    if chromium_path() is None:
        if os.environ.get("PACTS_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p.chromium)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_server():
    """The app served by ``pacts app`` on a free port (its log in out/browser-tests)."""
    from experiments.bench.browser import serve_app

    with serve_app(BROWSER_OUT / "server.log") as server:
        yield server
