"""What one browser tab shows: its :class:`~viz.session.Session`, live figures and timing.

A :class:`TabView` is created inside the app's page component (``solara.use_memo``), so each
tab owns its model (NOTES-browser.md: a module-level model is shared by every tab). Each Step
plays the round, refreshes the theory panel and renders both figures, and keeps the wall time
of all that in ``step_ms`` — the server-side time per Step of benchmark B7.

The server is shared (a classroom), so a tab is held to limits (:func:`check_limits`, stated in
the sidebar), works on one action at a time, and when it closes (:meth:`TabView.close`) stops,
drops its model and figures and hands the memory back (:func:`release_memory_soon`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import math
import threading
import time
import tomllib
from collections import Counter
from urllib.parse import parse_qsl, urlencode

from agents.strategies import get_strategy
from experiments.lessons import LESSONS, get_lesson
from model.config import ModelConfig
from model.scenarios import PRESETS, load_preset
from viz.charts import NetworkPlot, SeriesPlot, drawing
from viz.economy import EconomyView
from viz.session import Session, TheoryView

# What one tab may ask of the shared server (the command line has no such limits): a larger
# model would take the server's memory and minutes of its time for one page (issue 15). Stated
# in the sidebar; an address or a setting beyond them is refused with a message.
MAX_COUNTRIES = 400  # the `evolution` preset's 20 × 20 lattice
MAX_COUNTRIES_COLLECTIVE = 50  # every country plans: the coordinator's work grows fast with N
MAX_RELATIONSHIPS = 5_000  # edges of the network (a complete graph on 100 countries: 4,950)
MAX_ROUNDS = 1_000
MAX_SEED = 2**32 - 1  # the network layout's seed (numpy's legacy RandomState) is 32-bit

LIMITS_TEXT = (
    f"This server's limits per tab: N ≤ {MAX_COUNTRIES} countries ({MAX_COUNTRIES_COLLECTIVE} in "
    f"collective mode), ≤ {MAX_RELATIONSHIPS:,} relationships, ≤ {MAX_ROUNDS:,} rounds, seed "
    f"0 – {MAX_SEED:,}. Larger runs: `pacts run` on the command line."
)


def relationships(config: ModelConfig) -> int:
    """The number of edges of the configuration's network (expected, for random networks)."""
    n = config.n_countries
    if config.network == "complete":
        return n * (n - 1) // 2
    if config.network == "lattice":
        return 4 * n  # Moore neighbourhood on a torus: 8 neighbours, each edge counted twice
    return n * config.degree // 2


def check_limits(config: ModelConfig, seed: int) -> None:
    """Refuse, before anything is built, a run beyond the app's limits (``ValueError`` naming
    the field, its value and the limit)."""
    check_seed(seed)
    cap = MAX_COUNTRIES_COLLECTIVE if config.mode == "collective" else MAX_COUNTRIES
    if config.n_countries > cap:
        where = " in collective mode" if config.mode == "collective" else ""
        raise ValueError(
            f"n_countries = {config.n_countries}: this app allows at most {cap} countries{where} "
            "(the command line, `pacts run`, has no such limit)"
        )
    edges = relationships(config)
    if edges > MAX_RELATIONSHIPS:
        raise ValueError(
            f"n_countries = {config.n_countries} with network = {config.network!r} and degree = "
            f"{config.degree}: {edges:,} relationships; this app allows at most "
            f"{MAX_RELATIONSHIPS:,} (fewer countries, a lower degree or a sparser network)"
        )
    if config.rounds > MAX_ROUNDS:
        raise ValueError(
            f"rounds = {config.rounds}: this app allows at most {MAX_ROUNDS:,} rounds "
            "(the command line has no such limit)"
        )


def check_seed(seed: object) -> int:
    """A seed the app accepts: an integer in [0, 2³² − 1] (``ValueError`` naming the field)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed = {seed!r}: allowed: an integer in [0, {MAX_SEED}]")
    return seed


def _integer(field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{field} = {text!r}: allowed: an integer") from None


def field_value(field: str, text: str) -> object:
    """One field's value as the address writes it: ``strategies`` as a mix (``AllD``,
    ``TitForTat:2,AllD:1``; TOML's ``{TitForTat = 2}`` or a list work too), else TOML."""
    if field == "strategies" and not text.lstrip().startswith(("{", "[")):
        return parse_mix(text)
    return _value(text)


def _value(text: str) -> object:
    """A query-string value read as TOML (numbers, booleans), else kept as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ValueError("nested too deeply; allowed: a number, a word or a short list") from None


def parse_mix(text: str) -> dict[str, float]:
    """A strategy mix as people type it in the address or the sidebar: ``AllD`` (everybody),
    ``TitForTat, AllD`` (equal shares) or ``TitForTat: 2, AllD: 1`` (weights); rules with
    parameters keep their brackets (``Random(0.3): 1``). Unknown rules and weights that are not
    positive numbers are refused, naming what is allowed."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    mix: dict[str, float] = {}
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, _, weight = part.rpartition(":") if ":" in part else (part, "", "1")
        name = name.strip()
        rule = get_strategy(name).name  # an unknown rule: ValueError listing the allowed ones
        try:
            w = float(weight)
        except ValueError:
            w = math.nan
        if not (math.isfinite(w) and w > 0):
            raise ValueError(
                f"{part!r}: allowed: NAME or NAME: WEIGHT with a weight > 0, "
                "e.g. 'TitForTat: 2, AllD: 1'"
            )
        mix[rule] = mix.get(rule, 0.0) + w
    if not mix:
        raise ValueError("empty; allowed: e.g. 'AllD' or 'TitForTat: 2, AllD: 1'")
    return mix


def mix_text(strategies: object) -> str:
    """The sidebar's text for a configuration's ``strategies`` (the inverse of
    :func:`parse_mix` for a mix; a list of one rule per country is shown as its counts)."""
    if strategies is None:
        return ""
    if isinstance(strategies, dict):
        items = strategies.items()
    else:
        names = [getattr(s, "name", s) for s in strategies]
        items = Counter(names).items()
    return ", ".join(f"{getattr(k, 'name', k)}: {w:g}" for k, w in items)


def setting_query(config: ModelConfig, seed: int, name: str, lesson: str = "") -> str:
    """The address query that reopens a setting: its preset or lesson scene, then each field
    that differs from it, then the seed (so the address can follow the settings and a link
    shares them); :meth:`TabView.scenario` reads it back."""
    if lesson:
        chosen = LESSONS[lesson]
        scene = next((k for k, sc in enumerate(chosen.scenes) if sc.label == name), 0)
        head, base = {"lesson": lesson, "scene": scene}, chosen.config(scene)
    else:
        preset = name if name in PRESETS else "default"
        head, base = {"preset": preset}, load_preset(preset)
    changed = {
        field: _query_value(getattr(config, field))
        for field, *_ in ModelConfig.describe()
        if field not in ("economy", "countries") and getattr(config, field) != getattr(base, field)
    }
    if seed != 1:
        changed["seed"] = seed
    return urlencode({**head, **changed}, safe=',:()[]{}"=')


def _query_value(value: object) -> str:
    """A field's value as the address writes it (read back by :meth:`TabView.scenario`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return mix_text(value).replace(" ", "")
    if isinstance(value, tuple | list):
        return "[" + ",".join(f'"{x}"' if isinstance(x, str) else repr(x) for x in value) + "]"
    return repr(value) if isinstance(value, float) else str(value)


_trim_lock = threading.Lock()
_trim_pending = False


def release_memory_soon(delay: float = 2.0) -> None:
    """Shortly after a tab closed: collect its (cyclic) objects and hand the freed memory back
    to the system (glibc's ``malloc_trim``: freed memory otherwise stays with the process).
    Coalesced: many tabs closing at once cause one collection."""
    global _trim_pending
    with _trim_lock:
        if _trim_pending:
            return
        _trim_pending = True

    def run() -> None:
        global _trim_pending
        time.sleep(delay)
        with _trim_lock:
            _trim_pending = False
        gc.collect()
        try:
            ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass

    thread = threading.Thread(target=run, name="pacts-release-memory", daemon=True)
    thread.current_context = None  # type: ignore[attr-defined]  # no Solara kernel context
    thread.start()


class TabView:
    """One tab's model and the PNGs and text the page shows.

    Built from the page address's query string, e.g. ``?preset=classroom&seed=3``,
    ``?lesson=shadow-of-the-future&scene=1`` or ``?n_countries=50&continuation=0.6`` (any
    :class:`~model.config.ModelConfig` field); a bad address falls back to the default scenario
    and keeps the error in ``message`` for the page to show.
    """

    def __init__(self, query: str | None = None):
        self.message = ""
        self.step_ms = math.nan
        self.economy: EconomyView | None = None  # the economy tab's view, while it is shown
        self.closed = False
        self._lock = threading.Lock()  # one action at a time (a Step, a Reset, the close)
        try:
            config, seed, name, self.lesson = self.scenario(query or "")
            self.session = Session(config, seed, name)
        except ValueError as err:
            shown = query if len(query or "") <= 200 else f"{query[:200]}…"
            self.message = f"address {shown!r}: {err}"
            self.lesson = ""
            self.session = Session(load_preset("default"), 1, "default")
        self._figures()

    @staticmethod
    def scenario(query: str) -> tuple[ModelConfig, int, str, str]:
        """Configuration, seed, name and lesson chosen by ``key=value&...`` (default: the
        default preset, seed 1): a preset or a lesson scene, then any field overrides."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        seed = check_seed(_integer("seed", params.pop("seed", "1")))
        lesson_name = ""
        if "lesson" in params:
            lesson = get_lesson(params.pop("lesson"))
            scene = _integer("scene", params.pop("scene", "0"))
            if not 0 <= scene < len(lesson.scenes):
                raise ValueError(f"scene = {scene}: allowed 0–{len(lesson.scenes) - 1}")
            config, name = lesson.config(scene), lesson.scenes[scene].label
            lesson_name = lesson.name
        else:
            preset = params.pop("preset", "default")
            if preset not in PRESETS:
                raise ValueError(f"preset = {preset!r}: allowed: {', '.join(PRESETS)}")
            config, name = load_preset(preset), preset
        values = {}
        for k, v in params.items():
            try:
                # strategies=AllD or TitForTat:2,AllD:1 (TOML's {TitForTat = 2} works too)
                values[k] = field_value(k, v)
            except ValueError as err:
                raise ValueError(f"{k}: {err}") from None
        if values:
            config = config.replace(**values)
        check_limits(config, seed)
        return config, seed, name, lesson_name

    def query(self) -> str:
        """The address query that reopens this setting (see :func:`setting_query`)."""
        s = self.session
        return setting_query(s.config, s.seed, s.name, self.lesson)

    def reset(self, config: ModelConfig, seed: int, name: str | None = None) -> None:
        """Rebuild the model (and its figures) at round 0 (within the app's limits)."""
        check_limits(config, seed)
        with self._lock:
            if self.closed:
                return
            self.session.reset(config, seed, name)
            self.step_ms = math.nan
            self._figures()

    def load_preset(self, preset: str) -> None:
        """Start the named preset (the seed is kept)."""
        self.lesson = ""
        self.reset(load_preset(preset), self.session.seed, preset)

    def load_scene(self, lesson: str, scene: int = 0) -> None:
        """Start one scene of a lesson."""
        chosen = LESSONS[lesson]
        self.lesson = lesson
        self.reset(chosen.config(scene), self.session.seed, chosen.scenes[scene].label)

    def _figures(self) -> None:
        self.network = drawing(NetworkPlot, self.session)  # built on the drawing thread too
        self.series = drawing(SeriesPlot, self.session)
        if self.economy is not None:  # a new model: a new economy figure
            self.economy.close()
            self.economy = EconomyView(self.session)
        self.refresh()

    def show_economy(self, shown: bool = True) -> None:
        """Show (build and render) or hide (release) the economy view. While it is shown, each
        Step refreshes it too, and its time counts in ``step_ms``; hidden, it costs nothing."""
        with self._lock:
            if self.closed:
                return
            if shown and self.economy is None:
                self.economy = EconomyView(self.session)
            elif not shown and self.economy is not None:
                self.economy.close()
                self.economy = None

    # ---------------------------------------------------------------- running

    def refresh(self) -> None:
        """Recompute the theory panel and render both figures (and the economy view, if shown)."""
        self.theory: TheoryView = self.session.theory()
        self.network_png = self.network.render(self.session)
        self.series_png = self.series.render(self.session)
        if self.economy is not None:
            self.economy.refresh(self.session)

    def step(self, rounds: int = 1) -> None:
        """Play ``rounds`` rounds, refresh, and time it all (``step_ms``); nothing once the tab
        has closed."""
        with self._lock:
            if self.closed:
                return
            start = time.perf_counter()
            self.session.step(rounds)
            self.refresh()
            self.step_ms = 1000 * (time.perf_counter() - start)

    def close(self) -> None:
        """The tab has closed: stop its work and release its model and figures. (Called from
        the page's unmount; a Step running in another thread finishes its round first.)"""
        self.closed = True
        with self._lock:
            for plot in (getattr(self, "network", None), getattr(self, "series", None)):
                if plot is not None:
                    plot.close()
            if self.economy is not None:
                self.economy.close()
            self.network = self.series = self.economy = None
            self.network_png = self.series_png = b""
            self.session.model = None
        release_memory_soon()
