"""The app in a real browser: Debian's Chromium driven by Playwright against ``pacts app``.

The server runs as its own process, exactly as a teacher starts it, offline. Screenshots and the
server log go to ``out/browser-tests/`` (not in git); measured figures are printed at the end.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import BROWSER_OUT, REPORT

pytestmark = pytest.mark.browser

ERROR_WORDS = re.compile(r"Traceback|Error|unexpected error", re.IGNORECASE)
SERVER_ERRORS = re.compile(r"Traceback|ERROR|Exception|Could not load", re.IGNORECASE)


def open_page(chromium, url: str, query: str = ""):
    """A fresh context (its own cookies, hence its own Solara session) at ``url``."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url + (f"?{query}" if query else ""))
    page.get_by_text("Round 0", exact=True).wait_for(timeout=60_000)
    return context, page


def round_shown(page) -> int:
    return int(page.locator(".pacts-round").inner_text().split()[-1])


def wait_round(page, n: int, timeout: float = 30_000) -> None:
    page.get_by_text(f"Round {n}", exact=True).wait_for(timeout=timeout)


def network_image(page) -> str:
    return page.locator(".pacts-network").first.get_attribute("src") or ""


def assert_no_error_text(page) -> None:
    body = page.locator("body").inner_text()
    assert not ERROR_WORDS.search(body), body[:2000]


def test_loads_steps_and_has_no_errors(chromium, app_server):
    """Loads within 60 s, asks nothing of any other host (it must work offline), steps, and
    shows no error, on the page or in the server log."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(app_server.url) else elsewhere.append(r.url)
    )
    start = time.perf_counter()
    page.goto(app_server.url)
    page.get_by_text("Round 0", exact=True).wait_for(timeout=60_000)
    load_s = time.perf_counter() - start
    assert load_s < 60
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
    wait_round(page, 3)
    page.wait_for_timeout(300)
    assert_no_error_text(page)
    BROWSER_OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(BROWSER_OUT / "app.png"), full_page=True)
    assert (BROWSER_OUT / "app.png").stat().st_size > 20_000
    assert not [u for u in elsewhere if not u.startswith(("data:", "blob:"))], elsewhere
    REPORT.append(f"browser: first render of the app {load_s:.1f} s (limit 60 s)")
    context.close()
    assert not SERVER_ERRORS.search(app_server.log_text()), app_server.log_text()[-3000:]


def test_play_runs_rounds_until_pause(chromium, app_server):
    context, page = open_page(chromium, app_server.url)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(  # rounds pass quickly: poll for "at least 3", not for "Round 3"
        "n => parseInt(document.querySelector('.pacts-round').innerText.split(' ').pop()) >= n",
        arg=3,
        timeout=30_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
    stopped = round_shown(page)
    page.wait_for_timeout(1000)
    assert round_shown(page) == stopped >= 3
    assert_no_error_text(page)
    context.close()


def test_changing_delta_and_reset_rebuild_the_model(chromium, app_server):
    context, page = open_page(chromium, app_server.url)
    page.get_by_role("button", name="Step", exact=True).click()
    wait_round(page, 1)
    slider = page.locator(".v-input", has_text="δ — long horizon").get_by_role("slider")
    slider.focus()
    slider.press("Home")  # δ = 0
    for _ in range(40):  # step 0.01
        slider.press("ArrowRight")
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_round(page, 0)
    page.get_by_text("Chosen δ = 0.40").wait_for(timeout=20_000)
    assert "0.40 < δ* = 0.50" in page.locator("body").inner_text()
    assert_no_error_text(page)
    context.close()


def test_preset_and_lesson_change_network_and_panels(chromium, app_server):
    from experiments.lessons import LESSONS

    context, page = open_page(chromium, app_server.url)
    before = network_image(page)
    page.locator(".v-select", has_text="preset").first.click()
    page.get_by_role("option", name="classroom", exact=True).click()
    page.get_by_text("game under the plan").wait_for(timeout=30_000)
    assert "Aldoria" in page.locator("body").inner_text()
    after_preset = network_image(page)
    assert after_preset != before
    lesson = next(iter(LESSONS.values()))
    page.locator(".v-select", has_text="lesson").first.click()
    page.get_by_role("option", name=lesson.title, exact=True).click()
    page.get_by_role("button", name=f"Load: {lesson.scenes[0].label}").wait_for(timeout=30_000)
    page.get_by_text(f"pacts demo {lesson.name}").wait_for(timeout=30_000)
    assert network_image(page) != after_preset
    assert_no_error_text(page)
    context.close()


def test_ten_concurrent_sessions_keep_their_own_models(chromium, app_server):
    """Ten tabs press Step 1, 2, …, 10 times, interleaved: each shows its own count."""
    idle = app_server.rss_mb()
    tabs = [open_page(chromium, app_server.url) for _ in range(10)]
    opened = app_server.rss_mb()
    for k in range(10):  # round robin: tab i clicks while i ≥ k, without waiting for replies
        for i, (_, page) in enumerate(tabs):
            if i >= k:
                page.get_by_role("button", name="Step", exact=True).click()
    for i, (_, page) in enumerate(tabs):
        wait_round(page, i + 1)
        assert round_shown(page) == i + 1
        assert_no_error_text(page)
    busy = app_server.rss_mb()
    for context, _ in tabs:
        context.close()
    time.sleep(5)
    closed = app_server.rss_mb()
    figures = {
        "idle_mb": round(idle, 1),
        "ten_sessions_open_mb": round(opened, 1),
        "after_steps_mb": round(busy, 1),
        "five_s_after_close_mb": round(closed, 1),
    }
    (BROWSER_OUT / "sessions.json").write_text(json.dumps(figures, indent=1))
    REPORT.append(
        f"browser: server memory (RSS) idle {idle:.0f} MB, ten sessions open {opened:.0f} MB, "
        f"after their steps {busy:.0f} MB, 5 s after closing them {closed:.0f} MB"
    )
    assert not SERVER_ERRORS.search(app_server.log_text()), app_server.log_text()[-3000:]
