"""What one browser tab shows: its :class:`~viz.session.Session`, live figures and timing.

A :class:`TabView` is created inside the app's page component (``solara.use_memo``), so each
tab owns its model (NOTES-browser.md: a module-level model is shared by every tab). Each Step
plays the round, refreshes the theory panel and renders both figures, and keeps the wall time
of all that in ``step_ms`` — the server-side time per Step of benchmark B7.
"""

from __future__ import annotations

import math
import time
import tomllib
from urllib.parse import parse_qsl

from experiments.lessons import LESSONS, get_lesson
from model.config import ModelConfig
from model.scenarios import PRESETS, load_preset
from viz.charts import NetworkPlot, SeriesPlot
from viz.session import Session, TheoryView


def _value(text: str) -> object:
    """A query-string value read as TOML (numbers, booleans), else kept as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


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
        try:
            config, seed, name, self.lesson = self.scenario(query or "")
        except ValueError as err:
            self.message = f"address {query!r}: {err}"
            config, seed, name, self.lesson = load_preset("default"), 1, "default", ""
        self.session = Session(config, seed, name)
        self._figures()

    @staticmethod
    def scenario(query: str) -> tuple[ModelConfig, int, str, str]:
        """Configuration, seed, name and lesson chosen by ``key=value&...`` (default: the
        default preset, seed 1): a preset or a lesson scene, then any field overrides."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        seed = int(params.pop("seed", 1))
        lesson_name = ""
        if "lesson" in params:
            lesson = get_lesson(params.pop("lesson"))
            scene = int(params.pop("scene", 0))
            if not 0 <= scene < len(lesson.scenes):
                raise ValueError(f"scene = {scene}: allowed 0–{len(lesson.scenes) - 1}")
            config, name = lesson.config(scene), lesson.scenes[scene].label
            lesson_name = lesson.name
        else:
            preset = params.pop("preset", "default")
            if preset not in PRESETS:
                raise ValueError(f"preset = {preset!r}: allowed: {', '.join(PRESETS)}")
            config, name = load_preset(preset), preset
        if params:
            config = config.replace(**{k: _value(v) for k, v in params.items()})
        return config, seed, name, lesson_name

    def reset(self, config: ModelConfig, seed: int, name: str | None = None) -> None:
        """Rebuild the model (and its figures) at round 0."""
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
        self.network = NetworkPlot(self.session)
        self.series = SeriesPlot(self.session)
        self.refresh()

    # ---------------------------------------------------------------- running

    def refresh(self) -> None:
        """Recompute the theory panel and render both figures."""
        self.theory: TheoryView = self.session.theory()
        self.network_png = self.network.render(self.session)
        self.series_png = self.series.render(self.session)

    def step(self, rounds: int = 1) -> None:
        """Play ``rounds`` rounds, refresh, and time it all (``step_ms``)."""
        start = time.perf_counter()
        self.session.step(rounds)
        self.refresh()
        self.step_ms = 1000 * (time.perf_counter() - start)
