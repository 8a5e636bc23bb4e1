"""Issue 15, hardening, the app's half without a browser: limits on what one tab may ask of
the server (item 1), seeds (item 3), and what a closed tab leaves behind (item 9). The
real-browser tests (a hostile tab beside a normal one, the XSS payloads, memory after thirty
sessions) are in ``test_browser.py``.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref
from typing import ClassVar

import ipyvuetify as v
import pandas as pd
import pytest
import solara

from model.config import ModelConfig
from model.scenarios import load_preset
from viz import app as app_module
from viz.charts import NetworkPlot
from viz.session import Session
from viz.view import TabView

MAX_SEED = 2**32 - 1  # the network layout's seed goes to numpy's 32-bit RandomState


# ------------------------------------------------------------------ the app: items 1, 3, 9
def test_address_beyond_the_limits_is_refused_at_once():
    """Item 1: N = 2000 took 10.7 s to build before any page showed (100,000 took the server);
    the tab now gets the default scenario and a message naming the field and the limit."""
    view = TabView("n_countries=2000")
    assert "n_countries = 2000: this app allows at most 400 countries" in view.message
    assert view.session.config.n_countries == load_preset("default").n_countries


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("n_countries=200&network=complete", "19,900 relationships"),  # 200 · 199 / 2
        ("n_countries=2000&network=ring&degree=6", "at most 400 countries"),
        ("mode=collective&n_countries=51", "at most 50 countries in collective mode"),
        ("rounds=1000000", "rounds = 1000000: this app allows at most 1,000 rounds"),
    ],
)
def test_each_limit_names_its_field(query, message):
    assert message in TabView(query).message


def test_sidebar_reset_beyond_the_limits_is_refused():
    view = TabView()
    with pytest.raises(ValueError, match="n_countries = 401: this app allows at most 400"):
        view.reset(ModelConfig(n_countries=401, network="ring"), 1)
    assert view.session.config.n_countries == 12


def test_limits_are_stated_in_the_sidebar():
    _, rc = solara.render(solara.AppLayout(children=[app_module.Page()]), handle_error=False)
    limits = rc.find(v.Html, class_="pacts-limits").widget.children[0]
    assert "N ≤ 400 countries" in limits and "≤ 1,000 rounds" in limits
    rc.close()


@pytest.mark.parametrize("seed", ["-1", "4294967296", "abc"])
def test_bad_seed_in_the_address_is_a_message_naming_seed(seed):
    """Item 3: the Session was built outside the try, so these showed a traceback."""
    view = TabView(f"seed={seed}")
    assert view.message.startswith(f"address 'seed={seed}': seed = ")
    assert view.session.seed == 1


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1])
def test_bad_seed_in_the_sidebar_names_seed(seed):
    view = TabView()
    with pytest.raises(
        ValueError, match=rf"seed = {seed}: allowed: an integer in \[0, {MAX_SEED}\]"
    ):
        view.reset(view.session.config, seed)
    view.reset(view.session.config, MAX_SEED)  # the largest is accepted
    assert view.session.seed == MAX_SEED


def test_deeply_nested_address_value_names_the_field():
    view = TabView("game=" + "[" * 5000 + "]" * 5000)
    assert view.message.endswith(
        "game: nested too deeply; allowed: a number, a word or a short list"
    )
    assert len(view.message) < 400  # the address is shortened in the message


class _Recorded(TabView):
    made: ClassVar[list[TabView]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _Recorded.made.append(self)


@pytest.fixture
def recorded_page(monkeypatch):
    """The page, with a handle on the TabView it builds."""
    _Recorded.made = []
    monkeypatch.setattr(app_module, "TabView", _Recorded)
    box, rc = solara.render(solara.AppLayout(children=[app_module.Page()]), handle_error=False)
    yield box, rc, _Recorded.made[0]
    rc.close()


def test_closing_the_page_releases_its_model_and_figures(recorded_page):
    """Item 9: a closed tab's model and figures are released at once, even if something still
    holds the TabView (here: the test)."""
    _, rc, view = recorded_page
    model, figure = weakref.ref(view.session.model), weakref.ref(view.network.fig)
    rc.close()
    gc.collect()
    assert view.closed and model() is None and figure() is None


def test_play_stops_when_the_tab_closes(recorded_page, monkeypatch):
    """Item 1: after the tab closes, its Play loop plays no more rounds (old: it went on to
    the last round, however many)."""
    steps = []
    real = Session.step
    monkeypatch.setattr(
        Session, "step", lambda self, rounds=1: (steps.append(1), real(self, rounds))
    )
    _, rc, _ = recorded_page
    rc.find(v.Btn, children=["Play"]).widget.click()
    deadline = time.monotonic() + 60
    while len(steps) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(steps) >= 2
    rc.close()
    time.sleep(1.0)  # a round in progress may finish
    after_close = len(steps)
    time.sleep(3 * app_module.PLAY_INTERVAL + 1.0)
    assert len(steps) == after_close


def test_figures_are_drawn_on_one_thread(monkeypatch):
    """Item 9: matplotlib keeps fonts per thread; tabs built on two threads draw on one."""
    drawn_on: set[int] = set()
    real = NetworkPlot.update

    def spy(self, session):
        drawn_on.add(threading.get_ident())
        return real(self, session)

    monkeypatch.setattr(NetworkPlot, "update", spy)
    tabs = [threading.Thread(target=TabView) for _ in range(2)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    assert len(drawn_on) == 1 and threading.get_ident() not in drawn_on


def test_vanished_tabs_are_culled_within_minutes():
    """Item 9: a tab that vanished without closing (browser killed, network lost) kept its
    model for Solara's default 24 hours; now for 2 minutes (for a reconnect)."""
    import solara.server.settings
    import solara.util

    if any(k.upper() == "SOLARA_KERNEL_CULL_TIMEOUT" for k in os.environ):
        pytest.skip("SOLARA_KERNEL_CULL_TIMEOUT is set here")
    timeout = solara.util.parse_timedelta(solara.server.settings.kernel.cull_timeout)
    assert timeout == 120


def test_a_refused_address_still_gives_a_working_tab():
    """A refused address still gives a working tab (the default scenario, steppable)."""
    view = TabView("n_countries=2000")
    view.step()
    assert view.session.round == 1
    assert isinstance(view.session.rounds_frame(), pd.DataFrame)
